"""Whole-database health: cache hit ratio, connection saturation, sequences near exhaustion, and
transaction-id wraparound."""

from __future__ import annotations

from collections.abc import Iterator

from redline.checks.database.common import REF_MONITORING, SnapshotCheck, ev, location
from redline.core.model import Area, Finding, Severity, Skipped
from redline.core.rules import Rule, RuleDoc
from redline.sources.postgres.model import Sequence, Snapshot
from redline.sources.postgres.settings import PostgresSettings

MIN_CACHE_HIT = 0.90
MIN_BLOCK_ACCESSES = 1_000_000  # below this the ratio says more about a cold start than about the load
MAX_CONNECTION_USE = 0.8
MAX_SEQUENCE_USE = 0.75
XID_WARN_AGE = 1_000_000_000  # about half of the 2^31 horizon at which PostgreSQL stops accepting writes
XID_LIMIT = 2**31
TYPE_MAX = {"smallint": 2**15 - 1, "integer": 2**31 - 1, "bigint": 2**63 - 1}

LOW_CACHE_HIT = Rule(
    code="DB111",
    name="low-cache-hit-ratio",
    area=Area.PERFORMANCE,
    severity=Severity.MEDIUM,
    summary="shared buffers serve too few of the database's block reads",
    doc=RuleDoc(
        what_it_does="Reports a database whose `pg_stat_database` buffer hit ratio is below 90% after at "
        "least a million block accesses.",
        why_bad="Every miss is a read from the OS cache or the disk: a low ratio means the working set does "
        "not fit in memory, or a few large scans keep evicting it, and latency follows the disk.",
        example="-- blks_hit 40 000 000, blks_read 9 000 000: 82% hit ratio",
        use_instead="Find the statements with the most shared_blks_read (DB101) and index them; size "
        "shared_buffers (and the instance) to the working set.",
        references=(
            "https://www.postgresql.org/docs/current/monitoring-stats.html#MONITORING-PG-STAT-DATABASE-VIEW",
            "https://www.postgresql.org/docs/current/runtime-config-resource.html",
        ),
    ),
)

CONNECTION_SATURATION = Rule(
    code="DB112",
    name="connection-saturation",
    area=Area.RESILIENCE,
    severity=Severity.HIGH,
    summary="client connections are close to max_connections",
    doc=RuleDoc(
        what_it_does="Compares client backends with `max_connections` minus the reserved slots and reports "
        "use at or above 80%.",
        why_bad="When the slots run out new connections fail outright: a traffic spike or a pool that grows "
        "on retries takes the whole application down, and each backend's memory counts against the host.",
        example="max_connections = 100; 92 client backends, most of them idle",
        use_instead="Put a pooler (PgBouncer in transaction mode) in front, cap each application's pool, and "
        "close idle connections.",
        references=(
            "https://www.postgresql.org/docs/current/runtime-config-connection.html",
            "https://www.pgbouncer.org/features.html",
        ),
    ),
)

SEQUENCE_EXHAUSTION = Rule(
    code="DB113",
    name="sequence-near-exhaustion",
    area=Area.RESILIENCE,
    severity=Severity.HIGH,
    summary="a sequence has used most of its range (or of its column's type)",
    doc=RuleDoc(
        what_it_does="Reports ascending, non-cycling sequences that have used 75% of their range; the range ends "
        "at the smaller of the sequence's max_value and the maximum of the column it feeds (an `integer` "
        "column fed by a `bigint` sequence overflows at 2 147 483 647).",
        why_bad="When the sequence or the column overflows, every insert fails: an outage with no quick fix, "
        "because widening the column rewrites the table under an exclusive lock.",
        example="CREATE TABLE events (id serial PRIMARY KEY, ...);   -- 1.9 billion ids used",
        use_instead="ALTER TABLE events ALTER COLUMN id TYPE bigint;   -- planned, long before the limit\n"
        "ALTER SEQUENCE events_id_seq AS bigint;",
        references=(
            "https://www.postgresql.org/docs/current/view-pg-sequences.html",
            "https://www.postgresql.org/docs/current/datatype-numeric.html#DATATYPE-SERIAL",
        ),
    ),
)

XID_WRAPAROUND = Rule(
    code="DB114",
    name="transaction-id-wraparound",
    area=Area.RESILIENCE,
    severity=Severity.HIGH,
    summary="the database's oldest unfrozen transaction id is old",
    doc=RuleDoc(
        what_it_does="Reports a database whose `age(datfrozenxid)` or multixact age passed one billion, about "
        "half of the 2^31 horizon.",
        why_bad="At about two billion PostgreSQL stops assigning transaction ids and refuses writes until a "
        "vacuum freezes the old rows; usually a long transaction, an abandoned replication slot or a disabled "
        "autovacuum holds freezing back.",
        example="SELECT datname, age(datfrozenxid) FROM pg_database;   -- 1 400 000 000",
        use_instead="End the transaction or slot holding the horizon back, then VACUUM (FREEZE) the oldest "
        "tables (see pg_class.relfrozenxid).",
        references=(
            "https://www.postgresql.org/docs/current/routine-vacuuming.html#VACUUM-FOR-WRAPAROUND",
            REF_MONITORING,
        ),
    ),
)


def sequence_limit(seq: Sequence) -> int:
    """The last value the sequence can hand out: its own max_value or its column's type maximum."""
    return min(seq.max_value, TYPE_MAX.get(seq.owner_type, seq.max_value))


class HealthCheck(SnapshotCheck):
    name = "db-health"
    rules = (LOW_CACHE_HIT, CONNECTION_SATURATION, SEQUENCE_EXHAUSTION, XID_WRAPAROUND)

    def judge(self, snap: Snapshot, settings: PostgresSettings) -> Iterator[Finding | Skipped]:
        db = snap.database
        if db.name:
            yield from self._cache(snap)
            yield from self._connections(snap)
            yield from self._wraparound(snap)
        yield from self._sequences(snap)

    def _cache(self, snap: Snapshot) -> Iterator[Finding]:
        db = snap.database
        accesses = db.blks_hit + db.blks_read
        ratio = db.blks_hit / accesses if accesses else 1.0
        if accesses >= MIN_BLOCK_ACCESSES and ratio < MIN_CACHE_HIT:
            yield self.finding(
                LOW_CACHE_HIT,
                f"database {db.name} served {ratio:.1%} of {accesses:,} block accesses from shared buffers "
                f"(shared_buffers = {snap.setting('shared_buffers')} pages of {snap.server.block_size} bytes)",
                location(snap, f"database {db.name}"),
                evidence=ev(database=db.name, blks_hit=db.blks_hit, blks_read=db.blks_read, ratio=f"{ratio:.4f}"),
                remediation="Index the statements with the most shared_blks_read, then size shared_buffers to the "
                "working set.",
                identity=f"database:{db.name}:cache",
            )

    def _connections(self, snap: Snapshot) -> Iterator[Finding]:
        db = snap.database
        usable = db.max_connections - db.reserved_connections
        if usable <= 0 or db.connections < MAX_CONNECTION_USE * usable:
            return
        idle = sum(1 for s in snap.sessions if s.state == "idle")
        yield self.finding(
            CONNECTION_SATURATION,
            f"{db.connections} client connections use {db.connections / usable:.0%} of the {usable} available "
            f"(max_connections {db.max_connections}, {db.reserved_connections} reserved); {idle} of this "
            "database's sessions are idle",
            location(snap, f"database {db.name}"),
            evidence=ev(
                connections=db.connections,
                max_connections=db.max_connections,
                reserved=db.reserved_connections,
                idle=idle,
            ),
            remediation="Put a pooler in front (PgBouncer, transaction mode) and cap each application's pool.",
            identity=f"database:{db.name}:connections",
        )

    def _wraparound(self, snap: Snapshot) -> Iterator[Finding]:
        db = snap.database
        for kind, age in (("transaction id", db.xid_age), ("multixact id", db.mxid_age)):
            if age < XID_WARN_AGE:
                continue
            yield self.finding(
                XID_WRAPAROUND,
                f"database {db.name}'s oldest unfrozen {kind} is {age:,} old: {age / XID_LIMIT:.0%} of the way to "
                "the point where PostgreSQL refuses writes",
                location(snap, f"database {db.name}"),
                severity=Severity.CRITICAL if age >= 1.5e9 else None,
                evidence=ev(
                    database=db.name,
                    kind=kind,
                    age=age,
                    autovacuum_freeze_max_age=snap.setting("autovacuum_freeze_max_age"),
                ),
                remediation="Find what holds the horizon back (long transactions, prepared transactions, replication "
                "slots), then VACUUM (FREEZE) the tables with the oldest relfrozenxid.",
                identity=f"database:{db.name}:{kind}",
            )

    def _sequences(self, snap: Snapshot) -> Iterator[Finding]:
        for seq in snap.sequences:
            if seq.last_value is None or seq.increment <= 0 or seq.cycle:
                continue
            limit = sequence_limit(seq)
            span = limit - seq.min_value
            used = (seq.last_value - seq.min_value) / span if span > 0 else 1.0
            if used < MAX_SEQUENCE_USE:
                continue
            capped = f" (capped by column {seq.owner_column} of type {seq.owner_type})" if limit < seq.max_value else ""
            left = (limit - seq.last_value) // seq.increment
            yield self.finding(
                SEQUENCE_EXHAUSTION,
                f"sequence {seq.schema}.{seq.name} is at {seq.last_value:,} of {limit:,}{capped}: {used:.0%} used, "
                f"{left:,} values left",
                location(snap, f"sequence {seq.schema}.{seq.name}"),
                evidence=ev(
                    sequence=f"{seq.schema}.{seq.name}",
                    last_value=seq.last_value,
                    limit=limit,
                    data_type=seq.data_type,
                    column=seq.owner_column,
                    column_type=seq.owner_type,
                    used=f"{used:.3f}",
                ),
                remediation=(
                    f"Widen the column: ALTER TABLE … ALTER COLUMN … TYPE bigint, then ALTER SEQUENCE "
                    f"{seq.schema}.{seq.name} AS bigint"
                    if capped or seq.data_type != "bigint"
                    else "Plan an id scheme change before the range ends"
                ),
                identity=f"sequence:{seq.schema}.{seq.name}",
            )
