"""One round trip per item in Go: database/sql, sqlx and pgx queries (LAT253, prepared statements too), GORM
reads (LAT254), go-redis commands (LAT255) and INSERTs (LAT266) inside ``for`` loops over data."""

from __future__ import annotations

import re
from collections.abc import Iterator

from redline.checks.latency.go_statements import GoStatements, Statement, embedded_database
from redline.checks.latency.jsgo_rules import GO_INSERT_IN_LOOP, GO_REDIS_IN_LOOP, GO_SQL_IN_LOOP, GORM_QUERY_IN_LOOP
from redline.checks.latency.loop_items import per_item, per_query, where
from redline.checks.latency.per_item import Hit, not_a_batchable_read
from redline.sources.code.model import CallSite, CodeIndex, Loop
from redline.sources.code.scopes import nearest

_SQL_PACKAGES = ("database/sql", "github.com/jmoiron/sqlx", "github.com/jackc/pgx")
_GORM_PACKAGES = ("gorm.io/gorm", "github.com/jinzhu/gorm")
_REDIS_PACKAGES = ("github.com/redis/go-redis", "github.com/go-redis/redis")
_SQL_READS = frozenset({"Query", "QueryContext", "QueryRow", "QueryRowContext"})
_SQLX_READS = frozenset(
    {"Queryx", "QueryxContext", "QueryRowx", "QueryRowxContext", "Get", "GetContext", "Select", "SelectContext"}
)
_SQL_TYPES = frozenset(
    {"sql.DB", "sql.Tx", "sql.Conn", "sql.Stmt", "sqlx.DB", "sqlx.Tx", "pgxpool.Pool", "pgx.Conn", "pgx.Tx"}
)
_GORM_READS = frozenset(
    {"First", "Find", "Take", "Last", "Count", "Scan", "Pluck", "Row", "Rows", "FirstOrInit", "Related"}
)  # Related: jinzhu/gorm v1 association lookup
#: GORM chain steps that build a query (a chain through one of them is a GORM query)
_GORM_BUILDERS = frozenset(
    {
        "Where", "Model", "Table", "Preload", "Joins", "Select", "Order", "Limit", "Offset", "Unscoped", "Raw",
        "WithContext", "Debug", "Association", "Not", "Or", "Group", "Having", "Distinct", "Omit", "Scopes", "Session",
    }
)  # fmt: skip
_REDIS_COMMANDS = frozenset(
    {
        "Get", "Set", "SetEX", "SetNX", "GetSet", "Incr", "IncrBy", "Decr", "DecrBy", "Expire", "TTL", "Exists",
        "Del", "HGet", "HSet", "HGetAll", "HMGet", "HMSet", "HIncrBy", "HDel", "HExists", "SAdd", "SRem",
        "SMembers", "SIsMember", "SCard", "LPush", "RPush", "LPop", "RPop", "LRange", "LLen", "ZAdd", "ZScore",
        "ZRem", "ZRange", "ZRevRange", "ZRangeByScore", "ZIncrBy", "ZCard", "Publish",
    }
)  # fmt: skip
#: statements that write what they are given: one INSERT per item (LAT266)
_EXECS = frozenset({"Exec", "ExecContext", "NamedExec", "NamedExecContext", "MustExec", "MustExecContext"})
_INSERT = re.compile(r"^\s*INSERT\b", re.IGNORECASE)
_REDIS_TYPES = frozenset({"redis.Client", "redis.UniversalClient", "redis.ClusterClient", "redis.Ring"})
_DB_NAME = re.compile(r"(?i)^(db|tx|conn|pool|database|sqldb|gormdb|gdb|orm|dbconn|dbpool|stmt)$|db$|^db|Db$")
_REDIS_NAME = re.compile(r"(?i)^(rdb|redis|rds|rc|redisclient|redisdb|cache|client)$|redis")


class GoTypes:
    """The declared type of each parameter (``db *sql.DB``) of a file's functions, by (function, name)."""

    def __init__(self, index: CodeIndex) -> None:
        self.types: dict[tuple[str, str], str] = {}
        for d in index.definitions:
            for name, arg in d.param_defaults:
                if arg.name:
                    self.types[(d.qualname, name)] = arg.name
        self.pipelines = {
            (c.function, c.assigned_to)
            for c in index.calls
            if c.assigned_to and c.raw.rsplit(".", 1)[-1] in {"Pipeline", "TxPipeline"}
        }

    def of(self, function: str, name: str) -> str | None:
        return nearest(self.types, function, name)


def _imports(index: CodeIndex, prefixes: tuple[str, ...]) -> bool:
    return any(path.startswith(prefixes) for _, path in index.imports)


def go_hits(index: CodeIndex) -> Iterator[Hit]:
    uses = (_imports(index, _SQL_PACKAGES), _imports(index, _GORM_PACKAGES), _imports(index, _REDIS_PACKAGES))
    if not any(uses):
        return
    types = GoTypes(index)
    # SQLite: the database is in the process, a query or an INSERT per item costs no round trip
    sql = _Sql(index, types) if uses[0] and not embedded_database(index) else None
    packages = {local for local, _ in index.imports}
    seen: set[int] = set()
    for call in index.calls:
        loop = per_item(index, call, frozenset())
        parts = call.raw.split(".")
        if loop is None or len(parts) < 2 or parts[0] in packages or call.line in seen:
            continue
        hit = (
            (sql.hit(call, loop) if sql is not None else None)
            or (_gorm(call, types, loop) if uses[1] else None)
            or (_redis(call, types, loop) if uses[2] else None)
        )
        if hit is not None:
            seen.add(call.line)  # a chain is one query: its outermost finisher
            yield hit


def _receiver_is(call: CallSite, types: GoTypes, known: frozenset[str], name: re.Pattern[str]) -> bool:
    parts = call.raw.split(".")
    declared = types.of(call.function, parts[0])
    if declared is not None:
        return declared in known
    return bool(name.search(parts[-2])) or bool(name.search(parts[0]))


class _Sql:
    """database/sql, sqlx and pgx calls of one file: reads per item (LAT253) and INSERTs per item (LAT266)."""

    def __init__(self, index: CodeIndex, types: GoTypes) -> None:
        self.index = index
        self.types = types
        self.sqlx = _imports(index, ("github.com/jmoiron/sqlx",))
        self.pgx = _imports(index, ("github.com/jackc/pgx",))
        self.statements = GoStatements(index, types.types, _DB_NAME)

    def hit(self, call: CallSite, loop: Loop) -> Hit | None:
        owner, _, method = call.raw.rpartition(".")
        read = method in _SQL_READS or (self.sqlx and method in _SQLX_READS)
        if not read and method not in _EXECS:
            return None
        statement = self.statements.of(call.function, owner) if "." not in owner else None
        return self._read(call, loop, statement) if read else self._insert(call, loop, statement)

    def _read(self, call: CallSite, loop: Loop, statement: Statement | None) -> Hit | None:
        if statement is None and not _receiver_is(call, self.types, _SQL_TYPES, _DB_NAME):
            return None
        if not call.args:
            return None
        sql = statement.sql if statement is not None else None
        sql = sql or next((a.literal for a in call.args if isinstance(a.literal, str)), None)
        if sql is not None and not_a_batchable_read(sql):
            return None
        evidence = _evidence(call, loop, statement)
        prepared = (
            " through a prepared statement (it saves the parse, not the round trip)" if statement is not None else ""
        )
        return Hit(
            GO_SQL_IN_LOOP,
            f"SQL query {call.raw}(...){prepared} runs {where(loop)}: {per_query(loop)}",
            call.line,
            call.end_line,
            evidence,
            "Fetch every item in one statement (`WHERE id = ANY($1)` with `pq.Array(ids)`, or `sqlx.In` for "
            "`IN (?)`) before the loop and map the rows by key.",
        )

    def _id_used(self, call: CallSite, loop: Loop) -> bool:
        """``res, err := stmt.Exec(...); id, _ := res.LastInsertId()``: the loop goes on with each new row's id,
        which a multi-row INSERT does not give back (MySQL, SQLite): not a drop-in batch."""
        result = call.assigned_to or call.first_assigned
        return bool(result) and any(
            c.raw == f"{result}.LastInsertId" and c.function == call.function and call.line < c.line <= loop.end_line
            for c in self.index.calls
        )

    def _insert(self, call: CallSite, loop: Loop, statement: Statement | None) -> Hit | None:
        if statement is not None:
            sql = statement.sql
        elif _receiver_is(call, self.types, _SQL_TYPES, _DB_NAME):
            sql = next((t for a in call.args if (t := self.statements.text(call.function, a)) is not None), None)
        else:
            return None
        if sql is None or not _INSERT.match(sql) or self._id_used(call, loop):
            return None
        evidence = _evidence(call, loop, statement)
        how = "an INSERT"
        if statement is not None:
            where_prepared = f" at line {statement.line}" if statement.line else ""
            how = f"a prepared INSERT (prepared{where_prepared}: parsed once, but each row is still one round trip)"
        fix = (
            "Send the rows together: pgx `CopyFrom` (COPY, the fastest) or a `pgx.Batch` queued in the loop and "
            "sent once with `SendBatch`"
            if self.pgx
            else "Insert the rows in one statement: a multi-row `INSERT ... VALUES (...), (...)` per batch of "
            "rows, PostgreSQL `INSERT ... SELECT * FROM unnest($1::text[], $2::int[])` with `pq.Array`, or "
            "`pq.CopyIn`; sqlx `NamedExec` with the slice"
        )
        return Hit(
            GO_INSERT_IN_LOOP,
            f"{call.raw}(...) runs {how} {where(loop)}: one round trip per row",
            call.line,
            call.end_line,
            evidence,
            fix + ".",
        )


def _evidence(call: CallSite, loop: Loop, statement: Statement | None) -> dict[str, str]:
    """The call and its loop, and where the statement it runs was prepared (``parameter``: handed in)."""
    evidence = {"call": call.raw, "loop": f"line {loop.line}"}
    if statement is not None:
        evidence["prepared"] = f"line {statement.line}" if statement.line else "parameter"
    return evidence


def _gorm(call: CallSite, types: GoTypes, loop: Loop) -> Hit | None:
    parts = call.raw.split(".")
    if parts[-1] not in _GORM_READS:
        return None
    declared = types.of(call.function, parts[0])
    if declared is not None and declared != "gorm.DB":
        return None
    head = next((parts[:i] for i, p in enumerate(parts) if p in _GORM_BUILDERS or i == len(parts) - 1), parts)
    if declared is None and not any(_DB_NAME.search(p) for p in head):
        return None  # ``rows.Scan``, ``cache.Find``: not a database handle
    association = "Association" in parts
    return Hit(
        GORM_QUERY_IN_LOOP,
        f"GORM {call.raw}(...) runs {where(loop)}: {per_query(loop)}",
        call.line,
        call.end_line,
        {"query": call.raw, "loop": f"line {loop.line}", "association": str(association).lower()},
        'Load the relation with the query the loop iterates (`db.Preload("Author").Find(&items)`, or `Joins` for '
        'a to-one relation), or fetch every item in one `db.Where("id IN ?", ids).Find(&rows)` and map by key.',
    )


def _redis(call: CallSite, types: GoTypes, loop: Loop) -> Hit | None:
    parts = call.raw.split(".")
    if len(parts) != 2 or parts[1] not in _REDIS_COMMANDS or (call.function, parts[0]) in types.pipelines:
        return None
    declared = types.of(call.function, parts[0])
    if declared is not None and declared not in _REDIS_TYPES:
        return None  # a Pipeliner, a cache of the project's own
    if declared is None and not _REDIS_NAME.search(parts[0]):
        return None
    batch = {"Get": "MGet", "Set": "MSet", "HGet": "HMGet"}.get(parts[1], "a pipeline")
    return Hit(
        GO_REDIS_IN_LOOP,
        f"Redis {parts[1]} through {parts[0]} runs {where(loop)}",
        call.line,
        call.end_line,
        {"command": parts[1], "client": parts[0], "loop": f"line {loop.line}"},
        f"Send the commands in one round trip: {batch}, or `pipe := {parts[0]}.Pipeline()`, queue every command, "
        "one `pipe.Exec(ctx)`.",
    )
