"""Work done once per loop item that one batched call would do: N+1 ORM queries, lazy relations read per
row, raw SQL, Redis commands and HTTP/gRPC calls per item."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass

from redline.checks.interface import Check
from redline.checks.latency.clients import Bindings, http_kind, method, receiver
from redline.checks.latency.lazy_querysets import never_evaluated
from redline.checks.latency.loop_items import constant_lists, iterates_constant, where
from redline.checks.latency.orm import DJANGO_MANAGERS, Catalogue, iterated, module_orm
from redline.checks.latency.rules import (
    HTTP_IN_LOOP,
    LAZY_RELATION_IN_LOOP,
    QUERY_IN_LOOP,
    RAW_SQL_IN_LOOP,
    REDIS_IN_LOOP,
)
from redline.core.model import Finding, Location
from redline.core.rules import Rule
from redline.sources.code.model import CallSite, CodeIndex, Loop

#: QuerySet methods that read (a custom manager method may cache, like ``ContentType.objects.get_for_model``)
_DJANGO_READS = frozenset(
    {
        "get", "filter", "exclude", "all", "first", "last", "count", "exists", "aggregate", "values", "values_list",
        "in_bulk", "latest", "earliest", "using", "select_related", "prefetch_related", "order_by", "annotate",
        "only", "defer", "distinct", "contains", "get_or_create",
    }
)  # fmt: skip
_WRITES = frozenset(
    {"create", "bulk_create", "bulk_update", "update", "delete", "update_or_create", "save", "insert", "replace"}
)
_SQLA_READS = frozenset({"query", "execute", "get", "scalars", "scalar", "scalar_one", "scalar_one_or_none", "get_one"})
_PEEWEE_READS = frozenset({"get", "get_or_none", "get_by_id", "select", "filter"})
_TORTOISE_READS = frozenset({"get", "get_or_none", "filter", "all", "exclude", "first", "exists", "count"})
_SESSION = re.compile(r"(^|[._])(session|db_session|Session)$")
_CURSOR = re.compile(r"(^|[._])(cur|cursor|conn|connection|db)$", re.IGNORECASE)
WRITE_SQL = re.compile(r"^\s*(INSERT|UPDATE|DELETE|REPLACE|UPSERT|MERGE|CREATE|DROP|ALTER)\b", re.IGNORECASE)
#: a read that locks its rows (``SELECT … FOR UPDATE``/``FOR SHARE``, MySQL's ``LOCK IN SHARE MODE``): taken once
#: per item inside a transaction it is a locking protocol (each row checked and locked in turn), not a read to
#: batch; Django's ``select_for_update()`` and SQLAlchemy's ``with_for_update()`` are the same in a query chain
LOCKING_SQL = re.compile(r"\bFOR\s+(?:NO\s+KEY\s+)?(?:UPDATE|SHARE)\b|\bLOCK\s+IN\s+SHARE\s+MODE\b", re.IGNORECASE)
LOCKING_STEPS = frozenset({"select_for_update", "with_for_update"})
#: a cache or a store of objects fetched before (``cache``, ``self._cache``, ``object_storage``, ``this.memo``)
_CACHE_RECEIVER = re.compile(r"(^|[._])_*\w*(cache|storage|memo)\w*$", re.IGNORECASE)


def looks_up_cache(raw: str, lookups: frozenset[str]) -> bool:
    """``cache.get(key)``: a call that asks a cache first (one of ``lookups``), so the query near it runs on a
    miss (Python helpers and JavaScript/TypeScript helpers each name their lookups)."""
    owner, _, method = raw.rpartition(".")
    return method in lookups and bool(_CACHE_RECEIVER.search(owner))


def not_a_batchable_read(sql: str) -> bool:
    """One write, or one row lock, per item: the batching rules' concern or a locking protocol, not N+1."""
    return bool(WRITE_SQL.match(sql) or LOCKING_SQL.search(sql))


_REDIS_RECEIVER = re.compile(r"(^|[._])(redis|\w+_redis|redis_\w+|rds)$", re.IGNORECASE)
_REDIS_COMMANDS = frozenset(
    {
        "get", "set", "setex", "setnx", "getset", "incr", "incrby", "decr", "decrby", "expire", "ttl", "exists",
        "delete", "hget", "hset", "hgetall", "hmget", "hincrby", "hdel", "sadd", "srem", "smembers", "sismember",
        "lpush", "rpush", "lpop", "rpop", "lrange", "zadd", "zscore", "zrem", "zrange", "zincrby", "publish",
    }
)  # fmt: skip


@dataclass(frozen=True)
class Hit:
    rule: Rule
    message: str
    line: int
    end_line: int
    evidence: dict[str, str]
    remediation: str

    def finding(self, check: Check, path: str, rule: Rule | None = None) -> Finding:
        """What ``check`` reports for this hit in the module at ``path``; ``rule``: the check's own declaration of
        the hit's rule, when the hit came from a worker with a pickled copy."""
        location = Location(path, self.line, self.end_line)
        return check.finding(
            self.rule if rule is None else rule,
            self.message,
            location,
            evidence=self.evidence,
            remediation=self.remediation,
        )


def _item_names(index: CodeIndex, loop_id: int, constants: frozenset[str]) -> set[str]:
    """The names the enclosing for-loops and comprehensions bind over data (a while loop polls, it has no
    items; ``for family in [4, 6]`` runs a fixed number of times, whatever the data, and so does a loop over a
    module-level literal, wger's ``for key, app_label, model in TRACKED_MODELS``, as in JavaScript and Go).
    ``constants``: the module's ``constant_lists``, computed once per module."""
    names: set[str] = set()
    while loop_id >= 0:
        loop = index.loops[loop_id]
        if loop.kind != "while" and loop.iter_size < 0 and not _over_module_literal(index, loop, constants):
            names |= set(loop.targets)
        loop_id = loop.parent
    return names


def _over_module_literal(index: CodeIndex, loop: Loop, constants: frozenset[str]) -> bool:
    """The loop iterates a module-level name bound to a literal list, tuple or string (``TRACKED_MODELS``, one of
    ``constants``), which its function neither takes as a parameter nor binds from a call (a local of that name)."""
    if not iterates_constant(loop, constants):
        return False
    root = loop.iter.split(".", 1)[0]
    if root in ("self", "cls"):  # a class's literal attribute, read through the instance
        return True
    if any(c.assigned_to == root for c in index.calls_in(loop.function)):
        return False
    return not any(d.qualname == loop.function and root in d.params for d in index.definitions)


def per_item_hits(index: CodeIndex, cat: Catalogue, bindings: Bindings) -> Iterator[Hit]:
    yield from _loop_calls(index, cat, bindings)
    yield from _lazy_relations(index, cat)


#: chain steps that make the statement one write or a locking protocol, whatever its reads
_ONE_STATEMENT = _WRITES | LOCKING_STEPS


def _loop_calls(index: CodeIndex, cat: Catalogue, bindings: Bindings) -> Iterator[Hit]:
    orm = module_orm(index)
    in_process = embedded_database(index)
    # a chain that ends in a write (``X.objects.filter(pk=x).update(...)``) is one write, whatever its reads; one
    # that locks its row (``.filter(pk=x)\n.select_for_update().get()``) a locking protocol
    looped = [c for c in index.calls if c.loop >= 0]  # the only calls that can run once per item
    constants = constant_lists(index)
    items_of: dict[int, set[str]] = {}  # loop -> its item names: the same for every call made in it (read-only)

    def item_names(loop_id: int) -> set[str]:
        if loop_id not in items_of:
            items_of[loop_id] = _item_names(index, loop_id, constants)
        return items_of[loop_id]

    seen: set[int] = {c.line for c in looped if not _ONE_STATEMENT.isdisjoint(c.raw.split(".")[1:])}
    # ``filter(pk__in=batch)`` anywhere in a chain: one query per batch of keys is the fix itself
    seen |= {c.line for c in looped if _batched(c, item_names(c.loop))}
    seen |= _batched_statements(looped, item_names)
    for call in looped:
        loop = None if call.line in seen else per_item_loop(index, call, constants)
        if loop is None:
            continue  # not per item; a search that stops at its hit
        items = item_names(call.loop)
        hit = (
            (
                None
                if writes_statement(index, call) or never_evaluated(index, call)
                else _orm_query(call, cat, orm, loop)
            )
            or (None if in_process else _raw_sql(call, orm, loop, items))
            or _redis(call, bindings, loop)
            or _http(call, bindings, loop)
        )
        if hit is not None:
            seen.add(call.line)
            yield hit


def writes_statement(index: CodeIndex, call: CallSite) -> bool:
    """``session.execute(sa.delete(...))``: the statement it runs is a SQLAlchemy write (batching rules)."""
    if method(call) != "execute":
        return False
    return any(
        c.target
        and c.target.startswith("sqlalchemy")
        and c.target.rsplit(".", 1)[-1] in {"insert", "update", "delete"}
        and call.line <= c.line <= call.end_line
        for c in index.calls
    )


def _batched(call: CallSite, items: set[str]) -> bool:
    """``filter(pk__in=batch)``: the loop hands over a batch of keys, one query per batch is the fix itself."""
    return any(a.keyword and a.keyword.endswith("__in") and a.name and a.name.split(".")[0] in items for a in call.args)


def _batched_statements(looped: list[CallSite], item_names: Callable[[int], set[str]]) -> set[int]:
    """The lines of statements that take the loop's item as SQLAlchemy's ``column.in_(chunk)``: one query per batch
    of keys (privacyIDEA's ``for chunk in _chunked(token_ids): db.session.scalars(select(...).where(
    TokenOwner.token_id.in_(chunk)))``), as Django's ``filter(pk__in=batch)`` is."""
    batches = [
        c
        for c in looped
        if c.raw.endswith(".in_")
        and any(a.keyword is None and a.name and a.name.split(".")[0] in item_names(c.loop) for a in c.args)
    ]
    return {c.line for c in looped for b in batches if c.loop == b.loop and c.line <= b.line <= c.end_line}


def _orm_query(call: CallSite, cat: Catalogue, orm: str | None, loop: Loop) -> Hit | None:
    query = orm_read(call, cat, orm)
    if query is None:
        return None
    return Hit(
        QUERY_IN_LOOP,
        f"{query}(...) runs {where(loop)}: one query per item (N+1)",
        call.line,
        call.end_line,
        {"query": query, "loop": f"line {loop.line}"},
        QUERY_REMEDIATION,
    )


QUERY_REMEDIATION = (
    "Fetch what the loop needs in one query before it: `select_related`/`prefetch_related` (Django), "
    "`selectinload`/`joinedload` (SQLAlchemy), `prefetch()` (Peewee), or one `filter(id__in=ids)`/"
    "`in_bulk(ids)` mapped by key."
)


def orm_read(call: CallSite, cat: Catalogue, orm: str | None) -> str | None:
    """The ORM read a call is (``Book.objects.get``, ``session.get``), None for anything else: a write per
    item is the batching rules' concern, a row lock per item is a protocol."""
    parts = call.raw.split(".")
    model = cat.models.get(parts[0])
    if _WRITES & set(parts[1:]) or LOCKING_STEPS & set(parts[1:]):
        return None
    if len(parts) >= 3 and parts[1] in DJANGO_MANAGERS and parts[2] in _DJANGO_READS:
        if (model and model.orm == "django") or (orm == "django" and parts[0][:1].isupper()):
            return ".".join(parts[:3])
    elif model and model.orm == "sqlalchemy" and len(parts) >= 3 and parts[1] == "query":
        return ".".join(parts[:3])
    elif model and model.orm == "peewee" and len(parts) == 2 and parts[1] in _PEEWEE_READS:
        return call.raw
    elif model and model.orm == "tortoise" and len(parts) >= 2 and parts[1] in _TORTOISE_READS:
        return ".".join(parts[:2])
    elif orm == "sqlalchemy" and len(parts) >= 2 and parts[-1] in _SQLA_READS and _SESSION.search(receiver(call)):
        return call.raw
    return None


#: drivers of databases that run inside the process: a statement per item costs no network round trip
_EMBEDDED_DRIVERS = frozenset({"sqlite3", "aiosqlite", "apsw", "duckdb", "pysqlite2"})
#: drivers of database servers: a module importing one of these too may send its statements over the network
_SERVER_DRIVERS = frozenset(
    {
        "psycopg", "psycopg2", "asyncpg", "pg8000", "pymysql", "MySQLdb", "mysql", "aiomysql", "asyncmy",
        "oracledb", "cx_Oracle", "pyodbc", "pymssql", "aioodbc", "clickhouse_driver", "snowflake",
    }
)  # fmt: skip


def embedded_database(index: CodeIndex) -> bool:
    """The module's cursors reach an in-process database (SQLite, DuckDB) and no server driver is imported:
    per-item statements cost no round trip there (the Go SQL rules judge SQLite files the same way)."""
    found = {q.split(".", 1)[0] for _, q in index.imports}
    return bool(found & _EMBEDDED_DRIVERS) and not found & _SERVER_DRIVERS


def _raw_sql(call: CallSite, orm: str | None, loop: Loop, items: set[str]) -> Hit | None:
    if not raw_read(call, orm, items):
        return None
    return Hit(
        RAW_SQL_IN_LOOP,
        f"{call.raw}(...) runs {where(loop)}",
        call.line,
        call.end_line,
        {"call": call.raw, "loop": f"line {loop.line}"},
        RAW_SQL_REMEDIATION,
    )


RAW_SQL_REMEDIATION = (
    "Fetch every item in one statement (`WHERE id = ANY(%s)` / `IN (...)`) and map the rows by key; "
    "for writes use `executemany` or a multi-row statement."
)


def raw_read(call: CallSite, orm: str | None, items: set[str]) -> bool:
    """A cursor ``execute`` of one parameterised read (``items``: names whose value is a statement of its own)."""
    if method(call) != "execute" or not _CURSOR.search(receiver(call)):
        return False
    if orm == "sqlalchemy" and _SESSION.search(receiver(call)):
        return False
    positional = [a for a in call.args if a.keyword is None]
    has_params = len(positional) >= 2 or any(a.keyword in {"params", "parameters", "args", "vars"} for a in call.args)
    if not positional or not has_params or positional[0].name in items:
        return False  # each item is its own statement (a list of DDL, a PRAGMA per table), not one query per row
    sql = positional[0].literal
    built = (positional[0].call or "").rsplit(".", 1)[-1]
    # one write per item is the batching rules' concern
    return not ((isinstance(sql, str) and not_a_batchable_read(sql)) or built in {"insert", "update", "delete"})


def _redis(call: CallSite, bindings: Bindings, loop: Loop) -> Hit | None:
    owner = receiver(call)
    if method(call) not in _REDIS_COMMANDS or not owner or "pipe" in owner.lower():
        return None
    holder = bindings.of(call.function, owner)
    if holder is not None:
        if not (holder.startswith(("redis.", "aioredis.")) and "pipeline" not in holder):
            return None
    elif not _REDIS_RECEIVER.search(owner):
        return None
    batch = {"get": "MGET", "set": "MSET", "hget": "HMGET"}.get(method(call), "a pipeline")
    return Hit(
        REDIS_IN_LOOP,
        f"Redis {method(call).upper()} through {owner} runs {where(loop)}",
        call.line,
        call.end_line,
        {"command": method(call), "client": owner, "loop": f"line {loop.line}"},
        f"Send the commands in one round trip: {batch} (`{owner}.pipeline()`, queue every command, one `execute()`).",
    )


def _http(call: CallSite, bindings: Bindings, loop: Loop) -> Hit | None:
    kind = http_kind(call, bindings)
    if kind is None or call.awaited:
        return None
    what = "gRPC call" if kind == "rpc" else "HTTP request"
    return Hit(
        HTTP_IN_LOOP,
        f"{what} {call.raw}(...) made {where(loop)} (chatty RPC)",
        call.line,
        call.end_line,
        {"call": call.raw, "loop": f"line {loop.line}"},
        "Ask for all items in one call (a batch or list endpoint); when there is none, fan out concurrently "
        "with a bound (a ThreadPoolExecutor with a few workers) and one overall deadline.",
    )


def _lazy_relations(index: CodeIndex, cat: Catalogue) -> Iterator[Hit]:
    if not cat.models:
        return
    #: (function, query, relation): a second loop over the same evaluated queryset finds the relation cached
    reported: set[tuple[str, str, str]] = set()
    for loop in index.loops:
        if loop.kind == "while" or not loop.attrs or not 1 <= len(loop.targets) <= 2:
            continue
        found = iterated(cat, index, loop)
        if found is None or found.opaque or (found.model.orm == "peewee" and "join" in found.steps):
            continue  # a Peewee join selects the related rows with the query
        item = loop.targets[-1]
        for attr, line in loop.attrs:
            root, _, name = attr.partition(".")
            relation = found.model.relations.get(name)
            key = (loop.function, found.query, name)
            if root != item or relation is None or relation.eager or name in found.loaded or key in reported:
                continue
            if _only_written(index, loop, attr):
                continue
            reported.add(key)
            yield _relation_hit(found.model.name, found.model.orm, found.query, loop, attr=attr, line=line)


#: the related manager's writes: ``obj.tags.add(t)`` inserts rows and never loads the relation (no eager load
#: saves it); one write per item is the batching rules' concern
_MANAGER_WRITES = frozenset({"add", "remove", "set", "clear"})


def _only_written(index: CodeIndex, loop: Loop, attr: str) -> bool:
    """Whether every call on ``attr`` in the loop's body is a related manager's write (nautobot's data migrations:
    ``for cf in CustomField.objects.filter(...): cf.content_types.add(new_ct)``), so nothing is loaded lazily."""
    inside = [
        c
        for c in index.calls
        if c.function == loop.function and loop.line <= c.line <= loop.end_line and c.raw.startswith(attr + ".")
    ]
    return bool(inside) and all(c.raw[len(attr) + 1 :] in _MANAGER_WRITES for c in inside)


def _relation_hit(model: str, orm: str, query: str, loop: Loop, *, attr: str, line: int) -> Hit:
    name = attr.partition(".")[2]
    fix = {
        "django": f'`select_related("{name}")` for a foreign key, `prefetch_related("{name}")` for a many side',
        "sqlalchemy": f"`.options(selectinload({model}.{name}))` (or `joinedload` for a many-to-one)",
        "peewee": f"a `.join()` selecting the related model, or `prefetch(query, {name.title()})`",
    }.get(orm, "an eager load of the relation")
    return Hit(
        LAZY_RELATION_IN_LOOP,
        f"{attr} loads {model}.{name} lazily, once per item of `{query}` (loop at line {loop.line}): N+1 queries",
        line,
        line,
        {"model": model, "relation": name, "query": query, "loop": f"line {loop.line}"},
        f"Load the relation with the query: {fix}.",
    )


def per_item_loop(index: CodeIndex, call: CallSite, constants: frozenset[str]) -> Loop | None:
    """The loop ``call`` runs in once per data item (it reads an item; the loop is not a search, the call is not
    memoised per key: ``if key not in cache: cache[key] = ...``), else None. ``constants``: ``constant_lists(index)``.
    """
    if call.loop < 0 or call.keyed_memo:
        return None
    loop = index.loops[call.loop]
    if loop.exits or not _item_names(index, call.loop, constants) & set(call.reads):
        return None
    return loop


def item_names(index: CodeIndex, call: CallSite, constants: frozenset[str]) -> set[str]:
    """The names the loops around ``call`` bind over data."""
    return _item_names(index, call.loop, constants) if call.loop >= 0 else set()


def write_lines(index: CodeIndex) -> set[int]:
    """Lines with a chain that ends in a write (``X.objects.filter(pk=x).update(...)``): one write, whatever
    its reads."""
    return {c.line for c in index.calls if _WRITES & set(c.raw.split(".")[1:])}
