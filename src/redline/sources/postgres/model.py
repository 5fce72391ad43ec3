"""The facts of one PostgreSQL database at one moment: a snapshot of catalog and statistics views.

Every record is a frozen dataclass of plain values, so a snapshot saved as JSON and read back is equal to
the one taken from the live server: a check never knows which of the two it is looking at.
"""

from __future__ import annotations

from dataclasses import dataclass

SNAPSHOT_FORMAT = "redline-postgres-snapshot"
SNAPSHOT_VERSION = 1


@dataclass(frozen=True, slots=True)
class ServerInfo:
    version_num: int  # server_version_num, e.g. 150018
    version: str
    database: str
    user: str
    address: str  # host:port/dbname, never the password
    captured_at: str  # ISO-8601 UTC
    stats_reset: str | None  # pg_stat_database.stats_reset: counters cover the time since
    is_superuser: bool
    roles: tuple[str, ...]  # the predefined roles the user is a member of (pg_monitor …)
    extensions: tuple[str, ...]  # installed in this database
    block_size: int = 8192


@dataclass(frozen=True, slots=True)
class Statement:
    """One normalised statement of pg_stat_statements; times in milliseconds (plan + execution)."""

    queryid: str
    query: str
    calls: int
    total_ms: float
    mean_ms: float
    rows: int
    shared_blks_hit: int
    shared_blks_read: int


@dataclass(frozen=True, slots=True)
class Table:
    schema: str
    name: str
    kind: str  # "table" or "partitioned"
    parent: str  # "schema.name" of the partitioned parent, or ""
    partition_key: tuple[str, ...]  # columns of a partitioned table's key
    partition_strategy: str  # "range" | "list" | "hash" | ""
    live_tuples: int
    dead_tuples: int
    seq_scan: int
    seq_tup_read: int
    idx_scan: int
    updates: int
    hot_updates: int
    table_bytes: int
    total_bytes: int
    heap_blks_hit: int
    heap_blks_read: int
    last_vacuum: str | None  # the later of manual and auto vacuum
    readable: bool  # the role may SELECT it (pg_stats hides columns of other tables)
    autovacuum_enabled: bool = True
    # per partition_key column: "identity", its DEFAULT expression (nextval('…'), now() …), or ""
    key_defaults: tuple[str, ...] = ()

    @property
    def qualified(self) -> str:
        return f"{self.schema}.{self.name}"


@dataclass(frozen=True, slots=True)
class Index:
    schema: str
    table: str
    name: str
    columns: tuple[str, ...]  # key columns in order; an expression as its text
    include: tuple[str, ...]  # INCLUDE columns
    method: str  # btree, hash, gin …
    unique: bool
    primary: bool
    constraint: str  # the constraint it backs (primary key, unique, exclusion), or ""
    predicate: str  # partial index predicate, or ""
    valid: bool
    idx_scan: int
    bytes: int
    pages: int
    tuples: float  # pg_class.reltuples
    definition: str
    leaf_density: float | None = None  # pgstatindex avg_leaf_density (percent), when measured

    @property
    def qualified(self) -> str:
        return f"{self.schema}.{self.name}"

    @property
    def table_qualified(self) -> str:
        return f"{self.schema}.{self.table}"


@dataclass(frozen=True, slots=True)
class ColumnStats:
    """One column's planner statistics from pg_stats."""

    schema: str
    table: str
    column: str
    null_frac: float
    n_distinct: float  # > 0: a count; < 0: minus the fraction of rows
    most_common_freqs: tuple[float, ...]
    avg_width: int
    correlation: float | None


@dataclass(frozen=True, slots=True)
class Session:
    """A backend of pg_stat_activity (client backends only). Ages in seconds at snapshot time."""

    pid: int
    user: str
    application: str
    state: str
    xact_age_s: float | None
    state_age_s: float | None
    wait_event_type: str
    wait_event: str
    blocked_by: tuple[int, ...]
    query_id: str  # pg_stat_activity.query_id (PostgreSQL 14+ with compute_query_id), or ""
    waiting_lock: str  # "relation public.orders (RowExclusiveLock)" for a session waiting on a lock, or ""


@dataclass(frozen=True, slots=True)
class Sequence:
    schema: str
    name: str
    data_type: str
    last_value: int | None  # None: never used, or the role may not read it
    min_value: int
    max_value: int
    increment: int
    cycle: bool
    owner_column: str  # "schema.table.column" it feeds, or ""
    owner_type: str  # that column's type (int4 caps a bigint sequence at 2^31-1), or ""


@dataclass(frozen=True, slots=True)
class DatabaseStats:
    name: str
    xid_age: int  # age(datfrozenxid)
    mxid_age: int  # mxid_age(datminmxid)
    blks_hit: int
    blks_read: int
    deadlocks: int
    connections: int  # client backends of the whole server
    max_connections: int
    reserved_connections: int  # superuser_reserved_connections (+ reserved_connections on 16+)
    statements_total_ms: float  # time of every statement of this database in pg_stat_statements


@dataclass(frozen=True, slots=True)
class ForeignKey:
    schema: str
    table: str
    name: str
    columns: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Gap:
    """Something the snapshot could not read, and how to fix it."""

    section: str  # statements, column-stats, sequences, hypopg, pgstattuple, activity …
    reason: str
    fix: str


@dataclass(frozen=True, slots=True)
class Predicate:
    """What one statement filters or sorts one table by (parsed from its normalised text)."""

    queryid: str
    schema: str
    table: str
    equality: tuple[str, ...]
    ranges: tuple[str, ...]
    order_by: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class WhatIf:
    """A hypothetical index (hypopg) and the generic-plan cost of a statement without and with it."""

    queryid: str
    index: str  # "schema.table (col, col)"
    cost_before: float
    cost_after: float
    uses_index: bool


@dataclass(frozen=True, slots=True)
class Snapshot:
    server: ServerInfo
    settings: tuple[tuple[str, str], ...]
    statements: tuple[Statement, ...]
    tables: tuple[Table, ...]
    indexes: tuple[Index, ...]
    columns: tuple[ColumnStats, ...]
    sessions: tuple[Session, ...]
    sequences: tuple[Sequence, ...]
    database: DatabaseStats
    foreign_keys: tuple[ForeignKey, ...]
    predicates: tuple[Predicate, ...]
    whatifs: tuple[WhatIf, ...]
    gaps: tuple[Gap, ...]
    KEEP = True

    def setting(self, name: str, default: str = "") -> str:
        return dict(self.settings).get(name, default)

    def has_gap(self, section: str) -> bool:
        return any(g.section == section for g in self.gaps)
