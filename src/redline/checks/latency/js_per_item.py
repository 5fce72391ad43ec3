"""One round trip per item in JavaScript/TypeScript: Sequelize/Prisma/TypeORM/Mongoose reads (LAT250),
node-postgres/mysql queries (LAT251) and Redis commands (LAT252) inside loops and iteration callbacks."""

from __future__ import annotations

import re
from collections.abc import Iterator

from redline.checks.latency.js_clients import REPOSITORY_GETTERS, JsProject, constructed, outermost, typed_kind
from redline.checks.latency.jsgo_rules import (
    JS_LAZY_ASSOCIATION_IN_LOOP,
    JS_ORM_QUERY_IN_LOOP,
    JS_RAW_SQL_IN_LOOP,
    JS_REDIS_IN_LOOP,
)
from redline.checks.latency.loop_items import constant_lists, item_names, per_item, per_query, where
from redline.checks.latency.per_item import LOCKING_SQL, Hit, looks_up_cache
from redline.sources.code.model import CallSite, CodeIndex, Loop
from redline.sources.code.scopes import within
from redline.sources.code.treesitter.jsnames import module_id

_SEQUELIZE = frozenset(
    {"findOne", "findByPk", "findById", "findAll", "findAndCountAll", "count", "max", "min", "sum", "aggregate"}
)
_MONGOOSE = frozenset(
    {
        "find",
        "findOne",
        "findById",
        "countDocuments",
        "count",
        "exists",
        "aggregate",
        "distinct",
        "estimatedDocumentCount",
    }
)
_TYPEORM = frozenset(
    {
        "find", "findOne", "findOneBy", "findBy", "findOneOrFail", "findOneByOrFail", "findAndCount", "findAndCountBy",
        "findByIds", "count", "countBy", "exist", "exists", "existsBy", "sum", "average", "minimum", "maximum", "query",
    }
)  # fmt: skip
#: what a Prisma model delegate reads with (``prisma.user.findMany``)
_PRISMA = frozenset(
    {
        "findUnique", "findUniqueOrThrow", "findFirst", "findFirstOrThrow", "findMany", "count", "aggregate",
        "groupBy", "$queryRaw", "$queryRawUnsafe",
    }
)  # fmt: skip
_READS = {"model:sequelize": _SEQUELIZE, "model:mongoose": _MONGOOSE, "model:typeorm": _TYPEORM}
_LABEL = {
    "model:sequelize": "Sequelize",
    "model:mongoose": "Mongoose",
    "model:typeorm": "TypeORM",
    "repository": "TypeORM",
    "manager": "TypeORM",
    "prisma": "Prisma",
}
_REDIS = frozenset(
    {
        "get", "set", "setex", "setnx", "getset", "incr", "incrby", "decr", "decrby", "expire", "ttl", "exists",
        "del", "hget", "hset", "hgetall", "hmget", "hmset", "hincrby", "hdel", "hexists", "sadd", "srem",
        "smembers", "sismember", "scard", "lpush", "rpush", "lpop", "rpop", "lrange", "llen", "zadd", "zscore",
        "zrem", "zrange", "zrevrange", "zrangebyscore", "zincrby", "zcard", "zrank", "publish", "json.get",
        "lrem", "lindex", "hkeys", "hvals", "hlen", "strlen", "getdel", "pexpire", "expireat", "unlink",
        "zrevrank", "zcount", "zremrangebyscore",
    }
)  # fmt: skip
_MANAGERS = frozenset({"manager", "entityManager", "em"})
#: a property named like a Redis client, in a project that imports a Redis client package
_REDIS_NAMES = frozenset({"redis", "redisclient", "redis_client", "rediscluster"})
_REDIS_PACKAGES = frozenset({"ioredis", "redis", "@redis/client"})
#: a batch of keys handed to one query: ``{id: {$in: chunk}}``, ``Op.in``, ``In(chunk)``, Prisma ``{in: ids}``
_BATCH = re.compile(r"\$in\b|\bOp\.in\b|\bIn\(|[{,(]in=|\[Op\.in\]")
_WRITE_SQL = re.compile(r"^\s*(INSERT|UPDATE|DELETE|REPLACE|UPSERT|MERGE|CREATE|DROP|ALTER|BEGIN|COMMIT)\b", re.I)


class JsReceivers:
    """What each receiver of one module is (``prisma``, ``model:sequelize``, ``sql``, ``redis``...)."""

    def __init__(self, index: CodeIndex, project: JsProject) -> None:
        self.index = index
        self.project = project
        self.facts = project.modules.get(module_id(index.path))
        self.orm = self.facts.orm if self.facts else None
        self._bound: dict[tuple[str, str], str] = {}
        for call in outermost(index.calls):
            if call.assigned_to and (kind := constructed(call, self.orm) or self._derived(call)):
                self._bound[(call.function, call.assigned_to)] = kind
        for d in index.definitions:
            for name, arg in d.param_defaults:
                if arg.call and arg.call.rsplit(".", 1)[-1] == "InjectRepository":  # NestJS
                    self._bound[(d.qualname.rpartition(".")[0], f"this.{name}")] = "repository"
            for name, declared in d.param_types:  # ``constructor(private readonly pool: Pool)``
                if kind := typed_kind(index, project, declared):
                    self._bound[(d.qualname, name)] = kind
                    if d.name == "constructor":
                        self._bound.setdefault((d.qualname.rpartition(".")[0], f"this.{name}"), kind)

    def _derived(self, call: CallSite) -> str | None:
        """``const client = await pool.connect()``: a connection of the pool's kind."""
        owner, _, method = call.raw.rpartition(".")
        kind = self.kind(call.function, owner) if owner else None
        if kind == "sql" and method in {"connect", "getConnection", "promise"}:
            return kind
        return None

    def kind(self, function: str, receiver: str) -> str | None:
        parts = receiver.split(".")
        size = 2 if parts[0] == "this" and len(parts) > 1 else 1
        root, tail = ".".join(parts[:size]), parts[size:]
        target = self.index.imported(parts[0]) or ""
        if target.split(".", 1)[0] == "mongoose" and tail == ["model"]:
            return "model:mongoose"  # ``mongoose.model('User').find(...)``
        if target in {"typeorm.getManager", "typeorm.getRepository"} and not tail:
            return "manager" if target.endswith("Manager") else "repository"
        found = self._local(function, root) or self._imported(root)
        if found is not None and found.startswith("models:"):
            return f"model:{found[7:]}" if len(tail) == 1 and tail[0][:1].isupper() else None
        if found is not None:
            return None if tail else found
        typeorm = self.orm == "typeorm" or "typeorm" in self.project.packages
        if typeorm and parts[-1] in _MANAGERS:
            return "manager"
        if typeorm and parts[-1] in REPOSITORY_GETTERS:
            return "repository"
        if "prisma" in parts[-1].lower() and "@prisma/client" in self.project.packages:
            return "prisma"
        if len(parts) > 1 and parts[-1].lower() in _REDIS_NAMES and self.project.packages & _REDIS_PACKAGES:
            return "redis"  # ``this.connection.redis``: a client made in another class of a Redis project
        return None

    def _local(self, function: str, name: str) -> str | None:
        scope = function
        while True:
            found = self._bound.get((scope, name))
            if found is None and name.startswith("this."):  # ``this.pool = new Pool()`` in the constructor
                owner = function.split(".", 1)[0]
                found = next((v for (f, n), v in self._bound.items() if n == name and f.startswith(owner)), None)
            if found is not None or not scope:
                return found
            scope = scope.rpartition(".")[0]

    def _imported(self, root: str) -> str | None:
        if root.startswith("this."):
            return None
        found = self.project.imported_kind(self.index, root)
        if found is None and self.facts is not None:
            found = self.facts.names.get(root)
        if (
            found is None
            and root in self.project.model_classes
            and any(d.name == root and d.kind == "class" for d in self.index.definitions)  # asked last: a scan
        ):
            found = f"model:{self.project.model_classes[root]}"  # the model's own module
        return found


def js_hits(index: CodeIndex, project: JsProject) -> Iterator[Hit]:
    receivers = JsReceivers(index, project)
    constants = constant_lists(index)
    for call in index.calls:
        loop = per_item(index, call, constants)
        if loop is None or not call.raw:
            continue
        hit = (
            (
                _orm(call, receivers, loop)
                or _sql(call, receivers, loop)
                or _redis(call, receivers, loop)
                or _lazy(call, receivers, loop)
            )
            if "." in call.raw
            else None
        ) or _through_helper(call, receivers, loop)
        if hit is not None:
            yield hit
    yield from _lazy_relations(index, receivers.project, constants)


def _batched(call: CallSite) -> bool:
    return any(_BATCH.search(text) for a in call.args for text in a.items)


def _orm(call: CallSite, receivers: JsReceivers, loop: Loop) -> Hit | None:
    label = orm_label(call, receivers)
    if label is None:
        return None
    return Hit(
        JS_ORM_QUERY_IN_LOOP,
        f"{label} {call.raw}(...) runs {where(loop)}: {per_query(loop)}",
        call.line,
        call.end_line,
        {"query": call.raw, "orm": label, "loop": f"line {loop.line}", "concurrent": str(loop.concurrent).lower()},
        _REMEDIATION[label],
    )


def orm_label(call: CallSite, receivers: JsReceivers) -> str | None:
    """The ORM a read is made through (``Sequelize``, ``Prisma``, ``TypeORM``, ``Mongoose``), None when the call
    is not a read of a model, repository or client (or hands over a batch of keys)."""
    owner, _, method = call.raw.rpartition(".")
    kind = receivers.kind(call.function, owner)
    label = prisma_read(receivers, call.function, owner, method) or read_label(kind, method)
    return None if label is None or _batched(call) else label


def read_label(kind: str | None, method: str) -> str | None:
    """The ORM (``Sequelize``, ``TypeORM``, ``Mongoose``) when ``method`` of a receiver of ``kind`` (a model,
    repository or entity manager) is a read, else None."""
    reads = _READS.get(kind or "") or (_TYPEORM if kind in {"repository", "manager"} else None)
    return _LABEL[kind] if kind is not None and reads is not None and method in reads else None


def prisma_read(receivers: JsReceivers, function: str, owner: str, method: str) -> str | None:
    """``Prisma`` when ``owner.method`` is a read through a model delegate (``prisma.user.findMany``: the
    delegate's owner is the client), else None."""
    if method in _PRISMA and "." in owner and receivers.kind(function, owner.rpartition(".")[0]) == "prisma":
        return _LABEL["prisma"]
    return None


_REMEDIATION = {
    "Sequelize": "Load the rows with the query the loop iterates (`include: [{ model: X, as: '...' }]`) or fetch "
    "every item in one query before the loop (`findAll({ where: { id: ids } })`) and map the rows by key.",
    "Prisma": "Ask for the relation with the query the loop iterates (`include: { x: true }` / `select`) or fetch "
    "every item in one `findMany({ where: { id: { in: ids } } })` and map the rows by key.",
    "TypeORM": "Load the relation with the query the loop iterates (`relations: [...]`, `leftJoinAndSelect`) or "
    "fetch every item in one `findBy({ id: In(ids) })` and map the rows by key.",
    "Mongoose": "Load the referenced documents with the query the loop iterates (`.populate('field')`) or fetch "
    "every item in one `find({ _id: { $in: ids } })` and map the documents by id.",
}


def _sql(call: CallSite, receivers: JsReceivers, loop: Loop) -> Hit | None:
    if not sql_read(call, receivers):
        return None
    return Hit(
        JS_RAW_SQL_IN_LOOP,
        f"SQL query {call.raw}(...) runs {where(loop)}: {per_query(loop)}",
        call.line,
        call.end_line,
        {"call": call.raw, "loop": f"line {loop.line}", "concurrent": str(loop.concurrent).lower()},
        "Fetch every item in one statement (`WHERE id = ANY($1)` with the array, or `IN (?)` with mysql2) and "
        "map the rows by key; for writes, one multi-row INSERT.",
    )


def sql_read(call: CallSite, receivers: JsReceivers) -> bool:
    """A node-postgres/mysql ``query``/``execute`` of one parameterised read (a write per item is a batching
    concern; no parameters: a statement per item of a fixed script, not one query per row)."""
    owner, _, method = call.raw.rpartition(".")
    if method not in {"query", "execute"} or receivers.kind(call.function, owner) != "sql" or _batched(call):
        return False
    first = call.args[0] if call.args else None
    if first is None or len(call.args) < 2:
        return False
    return not (
        isinstance(first.literal, str) and (_WRITE_SQL.match(first.literal) or LOCKING_SQL.search(first.literal))
    )


def _redis(call: CallSite, receivers: JsReceivers, loop: Loop) -> Hit | None:
    owner, _, method = call.raw.rpartition(".")
    if method.lower() not in _REDIS or receivers.kind(call.function, owner) != "redis":
        return None
    batch = {"get": "MGET", "set": "MSET", "hget": "HMGET"}.get(method.lower(), "a pipeline")
    return Hit(
        JS_REDIS_IN_LOOP,
        f"Redis {method.upper()} through {owner} runs {where(loop)}",
        call.line,
        call.end_line,
        {"command": method, "client": owner, "loop": f"line {loop.line}"},
        f"Send the commands in one round trip: {batch} (`{owner}.pipeline()` / `multi()`, queue every command, "
        "one `exec()`).",
    )


def _rows_of(receivers: JsReceivers, loop: Loop) -> tuple[str, str] | None:
    """(model kind, query) when the loop iterates the rows of a model query, directly or through a local."""
    index = receivers.index
    chain = loop.iter
    if "." not in chain:  # ``const posts = await Post.findAll(...)`` before the loop
        bound = [c for c in index.calls if c.assigned_to == chain and c.line < loop.line and "." in c.raw]
        bound = [c for c in bound if within(loop.function, c.function)]
        if not bound:
            return None
        chain, function = max(bound, key=lambda c: c.line).raw, bound[0].function
    else:
        function = loop.function
    owner, _, method = chain.rpartition(".")
    kind = receivers.kind(function, owner) if owner else None
    if kind in _READS and method in _READS[kind] and method not in {"count", "max", "min", "sum", "exists"}:
        return kind, chain
    return None


def _lazy(call: CallSite, receivers: JsReceivers, loop: Loop) -> Hit | None:
    owner, _, method = call.raw.rpartition(".")
    if owner not in loop.targets or not loop.targets:
        return None
    getter = method.startswith("get") and method[3:4].isupper() and method[3:].lower() in receivers.project.associations
    getter = getter or method == "$get"
    if not (getter or method == "populate"):
        return None
    rows = _rows_of(receivers, loop)
    if rows is None or rows[0] != ("model:sequelize" if getter else "model:mongoose"):
        return None
    label = "Sequelize" if getter else "Mongoose"
    fix = (
        f"load the association with the query (`{rows[1]}({{ include: ... }})`) and read the property instead of "
        "calling the getter"
        if getter
        else f"populate the field on the query (`{rows[1]}(...).populate(...)`)"
    )
    return Hit(
        JS_LAZY_ASSOCIATION_IN_LOOP,
        f"{label} {call.raw}() queries once per row of `{rows[1]}` (loop at line {loop.line}): N+1 queries",
        call.line,
        call.end_line,
        {"call": call.raw, "query": rows[1], "orm": label, "loop": f"line {loop.line}"},
        f"Load the rows with their association in one query: {fix}.",
    )


def _lazy_relations(index: CodeIndex, project: JsProject, constants: frozenset[str]) -> Iterator[Hit]:
    """``await post.author`` on the item of a loop, where ``author`` is a relation a TypeORM entity of the project
    declares lazy: the first read of each row's relation is one query, unless the rows were loaded with it."""
    if not project.lazy_relations:
        return
    for loop_id, loop in enumerate(index.loops):
        if loop.exits or not loop.attrs or not set(loop.targets) & item_names(index, loop_id, constants):
            continue
        loaded: str | None = None
        for attr, at in loop.attrs:
            item, _, name = attr.partition(".")
            entities = project.lazy_relations.get(name)
            if item not in loop.targets or not entities:
                continue
            loaded = loaded if loaded is not None else " ".join(_loaded_with(index, loop))
            if re.search(rf"\b{re.escape(name)}\b", loaded):
                continue  # ``relations: ['author']``, ``leftJoinAndSelect('post.author', ...)``: joined with the rows
            yield _lazy_hit(loop, attr, at, sorted(entities))


def _loaded_with(index: CodeIndex, loop: Loop) -> list[str]:
    """What the query of the loop's rows was given: the iterated expression's arguments, and those of every call
    bound to the iterated name before the loop (the index binds each call of a fluent chain to the chain's name:
    ``const posts = await repo.createQueryBuilder('p').leftJoinAndSelect('p.author', 'a').getMany()``)."""
    texts = list(loop.iter_args)
    name = loop.iter.split(".", 1)[0] if loop.iter else ""
    scope = loop.function
    for call in index.calls:
        inside = within(scope, call.function)
        if name and call.assigned_to == name and call.line < loop.line and inside:
            texts += [t for a in call.args for t in (a.name, a.literal, *a.items, *a.call_args) if isinstance(t, str)]
    return texts


def _lazy_hit(loop: Loop, attr: str, at: int, entities: list[str]) -> Hit:
    item, _, name = attr.partition(".")
    return Hit(
        JS_LAZY_ASSOCIATION_IN_LOOP,
        f"TypeORM lazy relation {attr} ({'/'.join(entities)}.{name}) is loaded {where(loop)}: {per_query(loop)}",
        at,
        at,
        {"relation": name, "entity": ", ".join(entities), "orm": "TypeORM", "loop": f"line {loop.line}"},
        f"Load the relation with the rows the loop iterates (`relations: ['{name}']` in the find options, or "
        f"`.leftJoinAndSelect('{item}.{name}', '{name}')`): `await {attr}` then resolves without a query. Or "
        "fetch the related rows in one `findBy({ id: In(ids) })` and map them by key.",
    )


def _through_helper(call: CallSite, receivers: JsReceivers, loop: Loop) -> Hit | None:
    """``await priceOf(order)`` in a loop, where ``priceOf`` (this module's, a method on ``this``, or imported
    from a project module) runs a database read with one of its parameters outside any loop of its own."""
    target = _helper_of(call, receivers)
    if target is None:
        return None
    module, qualname = target
    found = helper_reads(module, receivers).get(qualname)
    if found is None or (module, qualname) == (module_id(receivers.index.path), call.function):
        return None
    line, query, label = found
    path = receivers.project.sources[module].path
    return Hit(
        JS_RAW_SQL_IN_LOOP if label == "SQL" else JS_ORM_QUERY_IN_LOOP,
        f"{call.raw}(...) is called {where(loop)} and runs {label} {query}(...) every time ({path}:{line}): "
        f"{per_query(loop)}",
        call.line,
        call.end_line,
        {
            "query": query,
            "orm": label,
            "helper": qualname,
            "query_at": f"{path}:{line}",
            "loop": f"line {loop.line}",
            "concurrent": str(loop.concurrent).lower(),
        },
        f"Give `{qualname}` the rows it needs fetched once for all items (one query before the loop, mapped by "
        "key), or write a batch version that takes every item. "
        + _REMEDIATION.get(label, "Fetch every item in one statement (`WHERE id = ANY($1)`)."),
    )


def _helper_of(call: CallSite, receivers: JsReceivers) -> tuple[str, str] | None:
    """(module id, qualified name) of the project function a call runs, when the module or an import says."""
    index, project = receivers.index, receivers.project
    head, _, rest = call.raw.partition(".")
    if head == "this" and rest and "." not in rest:
        owner = call.function.split(".", 1)[0]
        return (module_id(index.path), f"{owner}.{rest}") if owner else None
    if not rest:
        own = any(d.qualname == head and d.kind != "class" for d in index.definitions)
        if own:
            return module_id(index.path), head
    imported = index.imported(head)
    if imported is None or "." in rest:
        return None
    if rest:  # ``pricing.priceOf(o)`` through ``import * as pricing``
        module = project.module(imported)
        return (module, rest) if module is not None else None
    owner, _, member = imported.rpartition(".")
    module = project.module(owner)
    return (module, member) if module is not None else None


def helper_reads(module: str, receivers: JsReceivers) -> dict[str, tuple[int, str, str]]:
    """The functions of a project module that read the database with one of their parameters, outside any
    loop of their own, summarised once per module: qualname -> (line, query, ORM label or ``SQL``)."""
    project = receivers.project
    if module not in project.helper_reads:
        index = project.sources.get(module)
        if index is None:
            return {}
        own = receivers if index is receivers.index else JsReceivers(index, project)
        project.helper_reads[module] = _module_reads(index, own)
    return project.helper_reads[module]


def _module_reads(index: CodeIndex, receivers: JsReceivers) -> dict[str, tuple[int, str, str]]:
    params = {d.qualname: set(d.params) for d in index.definitions if d.kind != "class" and d.params}
    cached = {c.function for c in index.calls if looks_up_cache(c.raw, _CACHE_LOOKUPS)}
    found: dict[str, tuple[int, str, str]] = {}
    for call in index.calls:
        own = params.get(call.function)
        if not own or call.loop >= 0 or call.function in found or call.function in cached:
            continue  # a lookup in a cache first (``cache.get(key)``, ``this.memo.get(id)``): a read on a miss
        if not _names_in(call) & own:
            continue
        label = orm_label(call, receivers) or ("SQL" if sql_read(call, receivers) else None)
        if label is not None:
            found[call.function] = (call.line, call.raw, label)
    return found


_NAME = re.compile(r"(?<![.\w$])[A-Za-z_$][\w$]*")
#: what a cache is asked before the query (a Prisma model named ``...Cache`` written with ``deleteMany`` is not)
_CACHE_LOOKUPS = frozenset({"get", "has", "getOrSet", "get_or_set", "get_many", "wrap", "fetch", "mget"})


def _names_in(call: CallSite) -> set[str]:
    """The local names a call's arguments are built from (``order.productId``, ``{ id: o.id }``)."""
    texts = [t for a in call.args for t in (a.name, *a.call_args) if t]
    texts += [item.split("=", 1)[-1] for a in call.args for item in a.items]
    return {m.group(0) for text in texts for m in _NAME.finditer(text)}
