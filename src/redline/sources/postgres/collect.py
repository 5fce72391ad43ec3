"""Take a snapshot over a read-only session: one query per view, each allowed to fail on its own.

A query refused for lack of privilege, or skipped because an extension is absent, becomes a ``Gap`` with
the fix, and the rest of the snapshot is still taken: a least-privilege role with ``pg_monitor`` gets
every check it can, and the report says which were skipped and why.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any

from redline.core.redact import redact_url
from redline.sources.postgres import queries as q
from redline.sources.postgres.connect import ConnectError
from redline.sources.postgres.model import (
    ColumnStats,
    DatabaseStats,
    ForeignKey,
    Gap,
    Index,
    ServerInfo,
    Session,
    Snapshot,
    Statement,
    Table,
)
from redline.sources.postgres.model import (
    Sequence as Seq,
)
from redline.sources.postgres.predicates import extract_predicates
from redline.sources.postgres.settings import PostgresSettings

if TYPE_CHECKING:
    import psycopg

log = logging.getLogger("redline")
Row = tuple[Any, ...]
PGSTATINDEX_LIMIT = 20  # pgstatindex reads the whole index: only the largest few
PGSTATINDEX_MIN_BYTES = 1024 * 1024
PGSTATINDEX_MAX_BYTES = 2 * 1024**3


@dataclass
class Reader:
    """Runs one query at a time; a failure becomes a gap, never an exception."""

    conn: psycopg.Connection[Any]
    gaps: list[Gap] = field(default_factory=list)

    def rows(self, section: str, sql: str, params: Sequence[Any] = (), *, fix: str = "") -> list[Row] | None:
        import psycopg  # noqa: PLC0415 - only loaded with a live server

        try:
            return list(self.conn.execute(sql, tuple(params)).fetchall())  # type: ignore[arg-type]
        except psycopg.errors.InsufficientPrivilege as exc:
            self.gaps.append(
                Gap(section, f"permission denied: {_first_line(exc)}", fix or "GRANT pg_monitor TO the audit role")
            )
        except psycopg.errors.QueryCanceled:
            self.gaps.append(
                Gap(section, "the query hit statement_timeout", "raise [postgres] statement_timeout_ms for this audit")
            )
        except psycopg.Error as exc:
            self.gaps.append(Gap(section, f"query failed: {_first_line(exc)}", fix or "see the server log"))
        return None


_PLANNABLE = re.compile(
    r"^\s*(?:/\*.*?\*/\s*|--[^\n]*\n\s*)*(select|insert|update|delete|with|values|merge|table)\b",
    re.IGNORECASE | re.DOTALL,
)
_FIRST_WORDS = re.compile(r"[A-Za-z]+(?:\s+[A-Za-z]+)?")


def safe_text(query: str) -> str:
    """The statement text, unless it is a utility statement: pg_stat_statements replaces the constants of
    plannable statements with $n but keeps utility statements verbatim (CREATE ROLE … PASSWORD '…')."""
    if _PLANNABLE.match(query):
        return query
    words = _FIRST_WORDS.search(query)
    return f"<{words.group(0).upper() if words else 'utility'} statement; text withheld>"


def _first_line(exc: BaseException) -> str:
    return (str(exc).strip().splitlines() or [type(exc).__name__])[0]


def take_snapshot(conn: psycopg.Connection[Any], settings: PostgresSettings) -> Snapshot:
    reader = Reader(conn)
    server = _server(reader, settings)
    stmts, all_ms = _statements(reader, server, settings)
    database = _database(reader, all_ms)  # before pgstatindex reads pages and moves the buffer counters
    tables = _tables(reader)
    columns = _columns(reader, tables)
    indexes = _indexes(reader, server, settings)
    snap = Snapshot(
        server=server,
        settings=tuple((r[0], str(r[1])) for r in reader.rows("settings", q.SETTINGS, (list(q.SETTING_NAMES),)) or ()),
        statements=stmts,
        tables=tables,
        indexes=indexes,
        columns=columns,
        sessions=_sessions(reader, server),
        sequences=_sequences(reader),
        database=database,
        foreign_keys=tuple(
            ForeignKey(r[0], r[1], r[2], tuple(r[3])) for r in reader.rows("foreign-keys", q.FOREIGN_KEYS) or ()
        ),
        predicates=(),
        whatifs=(),
        gaps=(),
    )
    predicates, unparsed = extract_predicates(snap.statements)
    if unparsed:
        reader.gaps.append(
            Gap(
                "statements",
                f"{unparsed} statement(s) could not be parsed and were not analysed for indexes",
                "none needed; usually utility or truncated statements",
            )
        )
    return replace(snap, predicates=predicates, gaps=tuple(reader.gaps))


def _server(reader: Reader, settings: PostgresSettings) -> ServerInfo:
    rows = reader.rows("server", q.SERVER)
    if not rows:
        why = reader.gaps[-1].reason if reader.gaps else "no answer"
        raise ConnectError(f"{redact_url(settings.url)}: cannot read the server's basic catalog: {why}")
    r = rows[0]
    address = redact_url(settings.url).split("@")[-1].split("://")[-1].split("?")[0]
    return ServerInfo(
        version_num=r[0],
        version=r[1],
        database=r[2],
        user=r[3],
        address=address,
        captured_at=r[8],
        stats_reset=r[9],
        is_superuser=bool(r[4]),
        roles=tuple(r[5]),
        extensions=tuple(r[6]),
        block_size=r[7],
    )


def _extension_schema(reader: Reader, name: str) -> str | None:
    rows = reader.rows("extensions", q.EXTENSION_SCHEMA, (name,))
    return _ident(rows[0][0]) if rows else None


def _ident(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _statements(reader: Reader, server: ServerInfo, settings: PostgresSettings) -> tuple[tuple[Statement, ...], float]:
    schema = _extension_schema(reader, "pg_stat_statements")
    if schema is None:
        reader.gaps.append(
            Gap(
                "statements",
                "pg_stat_statements is not installed in this database",
                "add pg_stat_statements to shared_preload_libraries, restart, then CREATE EXTENSION pg_stat_statements",
            )
        )
        return (), 0.0
    cols = {r[0] for r in reader.rows("statements", q.VIEW_COLUMNS, (f"{schema}.pg_stat_statements",)) or ()}
    sql = statements_sql(schema, cols)
    rows = reader.rows(
        "statements",
        sql,
        (settings.max_statements,),
        fix="GRANT pg_read_all_stats TO the audit role (pg_monitor includes it)",
    )
    if rows is None:
        return (), 0.0
    hidden = sum(1 for r in rows if r[1] == "<insufficient privilege>")
    if hidden:
        reader.gaps.append(
            Gap(
                "statements",
                f"the text of {hidden} statement(s) is hidden from {server.user}",
                "GRANT pg_read_all_stats TO the audit role (pg_monitor includes it)",
            )
        )
    stmts = tuple(
        Statement(
            queryid=r[0] or "",
            query=safe_text(r[1] or ""),
            calls=int(r[2]),
            total_ms=round(float(r[3]), 3),
            mean_ms=round(float(r[3]) / r[2], 3) if r[2] else 0.0,
            rows=int(r[4]),
            shared_blks_hit=int(r[5]),
            shared_blks_read=int(r[6]),
        )
        for r in rows
        if r[1] != "<insufficient privilege>"
    )
    return stmts, round(float(rows[0][7]), 3) if rows else 0.0


def statements_sql(schema: str, columns: set[str]) -> str:
    """The pg_stat_statements query for the columns this server's version of the view has: total time is
    ``total_exec_time + total_plan_time`` from 1.8 (PostgreSQL 13), ``total_time`` before; ``toplevel``
    (1.9, PostgreSQL 14) keeps statements run inside functions from being counted twice."""
    total = "s.total_exec_time + s.total_plan_time" if "total_exec_time" in columns else "s.total_time"
    toplevel = "AND s.toplevel" if "toplevel" in columns else ""
    return q.STATEMENTS.format(schema=schema, total=total, toplevel=toplevel)


def _tables(reader: Reader) -> tuple[Table, ...]:
    rows = reader.rows("tables", q.TABLES) or []
    tables = tuple(
        Table(
            schema=r[0],
            name=r[1],
            kind="partitioned" if r[2] == "p" else "table",
            parent=r[3],
            partition_key=tuple(r[4]),
            partition_strategy=r[5],
            live_tuples=int(r[6]),
            dead_tuples=int(r[7]),
            seq_scan=int(r[8]),
            seq_tup_read=int(r[9]),
            idx_scan=int(r[10]),
            updates=int(r[11]),
            hot_updates=int(r[12]),
            table_bytes=int(r[13]),
            total_bytes=int(r[14]),
            heap_blks_hit=int(r[15]),
            heap_blks_read=int(r[16]),
            last_vacuum=r[17],
            readable=bool(r[18]),
            autovacuum_enabled=bool(r[19]),
            key_defaults=tuple(r[20]),
        )
        for r in rows
    )
    hidden = [t.qualified for t in tables if not t.readable]
    if hidden:
        reader.gaps.append(
            Gap(
                "column-stats",
                f"pg_stats hides the columns of {len(hidden)} table(s) the role "
                f"may not SELECT ({', '.join(hidden[:5])}{' …' if len(hidden) > 5 else ''}): no "
                "index proposals or bloat estimates for them",
                "GRANT SELECT ON those tables TO the audit role (read-only, statistics only)",
            )
        )
    return tables


def _columns(reader: Reader, tables: tuple[Table, ...]) -> tuple[ColumnStats, ...]:
    rows = reader.rows("column-stats", q.COLUMN_STATS) or []
    return tuple(
        ColumnStats(
            schema=r[0],
            table=r[1],
            column=r[2],
            null_frac=float(r[3]),
            n_distinct=float(r[4]),
            most_common_freqs=tuple(float(x) for x in r[5]),
            avg_width=int(r[6]),
            correlation=None if r[7] is None else float(r[7]),
        )
        for r in rows
    )


def _indexes(reader: Reader, server: ServerInfo, settings: PostgresSettings) -> tuple[Index, ...]:
    rows = reader.rows("indexes", q.INDEXES) or []
    indexes = [
        Index(
            schema=r[0],
            table=r[1],
            name=r[2],
            columns=tuple(r[3]),
            include=tuple(r[4]),
            method=r[5],
            unique=bool(r[6]),
            primary=bool(r[7]),
            constraint=r[8],
            predicate=r[9],
            valid=bool(r[10]),
            idx_scan=int(r[11]),
            bytes=int(r[12]),
            pages=int(r[13]),
            tuples=float(r[14]),
            definition=r[15],
        )
        for r in rows
    ]
    if settings.pgstattuple:
        indexes = _measure_bloat(reader, server, indexes)
    return tuple(indexes)


def _measure_bloat(reader: Reader, server: ServerInfo, indexes: list[Index]) -> list[Index]:
    schema = _extension_schema(reader, "pgstattuple") if "pgstattuple" in server.extensions else None
    if schema is None:
        reader.gaps.append(
            Gap(
                "pgstattuple",
                "pgstattuple is not installed: btree bloat is estimated from pg_stats widths instead of measured",
                "CREATE EXTENSION pgstattuple",
            )
        )
        return indexes
    wanted = sorted(
        (
            i
            for i in indexes
            if i.method == "btree" and i.valid and PGSTATINDEX_MIN_BYTES <= i.bytes <= PGSTATINDEX_MAX_BYTES
        ),
        key=lambda i: (-i.bytes, i.qualified),
    )[:PGSTATINDEX_LIMIT]
    measured: dict[str, float] = {}
    sql = q.PGSTATINDEX.format(schema=schema)
    for index in wanted:
        rows = reader.rows(
            "pgstattuple",
            sql,
            (f"{_ident(index.schema)}.{_ident(index.name)}",),
            fix="GRANT pg_stat_scan_tables TO the audit role (pg_monitor includes it)",
        )
        if rows is None:
            break  # one refusal means all would be refused
        measured[index.qualified] = float(rows[0][0])
    return [replace(i, leaf_density=measured[i.qualified]) if i.qualified in measured else i for i in indexes]


def _sessions(reader: Reader, server: ServerInfo) -> tuple[Session, ...]:
    query_id = "coalesce(a.query_id::text, '')" if server.version_num >= 140000 else "''"
    rows = reader.rows("activity", q.SESSIONS.format(query_id=query_id)) or []
    if rows and "pg_read_all_stats" not in server.roles and not server.is_superuser:
        reader.gaps.append(
            Gap(
                "activity",
                "other roles' sessions show no state or wait information",
                "GRANT pg_read_all_stats TO the audit role (pg_monitor includes it)",
            )
        )
    return tuple(
        Session(
            pid=int(r[0]),
            user=r[1],
            application=r[2],
            state=r[3],
            xact_age_s=_age(r[4]),
            state_age_s=_age(r[5]),
            wait_event_type=r[6],
            wait_event=r[7],
            blocked_by=tuple(int(p) for p in r[8] or ()),
            query_id=r[9] or "",
            waiting_lock=r[10],
        )
        for r in rows
    )


def _age(value: object) -> float | None:
    return None if value is None else round(float(value), 1)  # type: ignore[arg-type]


def _sequences(reader: Reader) -> tuple[Seq, ...]:
    rows = reader.rows("sequences", q.SEQUENCES) or []
    hidden = [f"{r[0]}.{r[1]}" for r in rows if not r[9]]
    if hidden:
        reader.gaps.append(
            Gap(
                "sequences",
                f"the role may not read {len(hidden)} sequence(s) "
                f"({', '.join(hidden[:5])}{' …' if len(hidden) > 5 else ''})",
                "GRANT SELECT ON ALL SEQUENCES IN SCHEMA … TO the audit role",
            )
        )
    out = []
    for r in rows:
        column, _, ctype = (r[8] or "").partition("|")
        out.append(
            Seq(
                schema=r[0],
                name=r[1],
                data_type=r[2],
                last_value=None if r[3] is None else int(r[3]),
                min_value=int(r[4]),
                max_value=int(r[5]),
                increment=int(r[6]),
                cycle=bool(r[7]),
                owner_column=column,
                owner_type=ctype,
            )
        )
    return tuple(out)


def _database(reader: Reader, statements_ms: float) -> DatabaseStats:
    rows = reader.rows("database", q.DATABASE)
    if not rows:
        return DatabaseStats("", 0, 0, 0, 0, 0, 0, 0, 0, statements_ms)
    r = rows[0]
    return DatabaseStats(
        name=r[0],
        xid_age=int(r[1]),
        mxid_age=int(r[2]),
        blks_hit=int(r[3]),
        blks_read=int(r[4]),
        deadlocks=int(r[5]),
        connections=int(r[6]),
        max_connections=int(r[7]),
        reserved_connections=int(r[8]),
        statements_total_ms=statements_ms,
    )
