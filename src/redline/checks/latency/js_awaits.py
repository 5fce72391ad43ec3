"""Independent reads awaited one after the other in JavaScript/TypeScript (LAT260): which awaited statements are
network reads (HTTP GET, ORM and pooled SQL reads, Redis reads), and the runs of consecutive ones where no call
uses what an earlier one bound. Writes are never part of a run: their order may be the point."""

from __future__ import annotations

import re
from collections.abc import Iterator
from itertools import groupby

from redline.checks.latency.js_awaits_rules import JS_SERIAL_AWAITS
from redline.checks.latency.js_http import JsHttpClients
from redline.checks.latency.js_per_item import JsReceivers, prisma_read, read_label
from redline.checks.latency.loop_items import constant_lists, per_item
from redline.checks.latency.per_item import LOCKING_SQL, Hit
from redline.checks.latency.serial_runs import independent_runs
from redline.sources.code.model import CallSite, CodeIndex

_HTTP_READS = frozenset({"get", "head", "options"})
_HTTP_VERBS = frozenset({"get", "post", "put", "patch", "delete", "del", "head", "options"})
_REDIS_READS = frozenset(
    {
        "get", "mget", "hget", "hmget", "hgetall", "hkeys", "hvals", "hlen", "hexists", "exists", "ttl", "pttl",
        "strlen", "smembers", "sismember", "smismember", "scard", "lrange", "llen", "lindex", "zscore", "zrange",
        "zrevrange", "zrangebyscore", "zrevrangebyscore", "zcard", "zcount", "zrank", "zrevrank", "json.get",
    }
)  # fmt: skip
_SELECT = re.compile(r"^\s*\(?\s*(SELECT|WITH)\b", re.IGNORECASE)
#: names a transaction's client goes by: its queries share one connection and run one at a time anyway
_TX_NAMES = frozenset({"tx", "trx", "txn", "transaction", "t", "transactionalEntityManager", "queryRunner", "session"})
_TX_METHODS = frozenset({"transaction", "$transaction", "withTransaction", "runInTransaction", "startSession"})
#: chain steps that bind a query to a transaction or a lock
_TX_STEPS = frozenset({"session", "transacting", "forUpdate", "forShare", "forNoKeyUpdate", "lock", "setLock"})
_TX_OPTIONS = ("transaction=", "session=", "lock=")
#: what a response is read with after the request (``got(url).json()``, ``fetch(url).then(...)``)
_BODY_STEPS = frozenset({"json", "text", "buffer", "blob", "arrayBuffer", "then"})
_CONTEXTS = frozenset({"ctx", "context", "requestContext"})
#: Sequelize steps that return the model itself, narrowed
_SCOPES = frozenset({"scope", "unscoped", "schema"})


class JsReads:
    """What each awaited call of one module reads over the network, if anything: a short label (``Prisma``,
    ``HTTP fetch``, ``Redis``), None for a write, a local function or anything else."""

    def __init__(self, index: CodeIndex, receivers: JsReceivers) -> None:
        self.index = index
        self.receivers = receivers
        self.http = JsHttpClients(index)
        #: anonymous functions passed to ``x.transaction(...)``: their queries share one connection
        self.tx_callbacks = {
            a.name
            for c in index.calls
            if c.raw.rpartition(".")[2] in _TX_METHODS
            for a in c.args
            if a.name and a.name.startswith("<anonymous:")
        }
        #: ``connection.getRepository(ctx, Product)`` (Vendure's TransactionalConnection): bound to the request's
        #: transaction when it has one, so its queries may share one connection
        self.ctx_repositories = [
            c
            for c in index.calls
            if c.raw.rpartition(".")[2] in {"getRepository", "getEntityManager"}
            and c.args
            and c.args[0].name in _CONTEXTS
        ]
        #: the calls of each function by how they are written: the inner call of a chain (``got(url).json()``)
        self.calls: dict[tuple[str, str], list[CallSite]] = {}
        for c in index.calls:
            self.calls.setdefault((c.function, c.raw), []).append(c)
        #: names bound to a pool the module makes (``const db = mysql.createPool(...)``)
        self.pools = {
            c.assigned_to for c in index.calls if c.assigned_to and (c.target or "").endswith(("Pool", "createPool"))
        }

    def label(self, call: CallSite) -> tuple[str, int] | None:
        """(label, the step of the call chain that reads), None when the call reads nothing over the network."""
        if self._transactional(call):
            return None
        last = call.raw.count(".")
        found = self._http(call) or self._sql(call) or self._redis(call)
        return (found, last) if found is not None else self._orm(call) or self._http_chain(call)

    def _transactional(self, call: CallSite) -> bool:
        parts = call.raw.split(".")
        if any(p in _TX_NAMES for p in parts[:-1]) or any(p in _TX_STEPS for p in parts[1:]):
            return True
        if any(item.startswith(_TX_OPTIONS) for a in call.args for item in a.items):
            return True
        if any(part in self.tx_callbacks for part in call.function.split(".")):
            return True
        return any(  # the repository's call ends on the line the chain's next call is written, or the one before
            c.function == call.function and call.line - 1 <= c.end_line <= call.line and c.line <= call.line
            for c in self.ctx_repositories
        )

    def _http(self, call: CallSite) -> str | None:
        client = self.http.client(call)
        if client is None:
            return None
        method = call.raw.rpartition(".")[2]
        if client == "octokit":
            return "HTTP octokit" if _octokit_read(call) else None
        if call.raw != client and method in _HTTP_VERBS:
            return f"HTTP {client}" if method in _HTTP_READS else None
        return f"HTTP {client}" if _options_read(call) else None

    def _http_chain(self, call: CallSite) -> tuple[str, int] | None:
        """``got(url).json()``, ``fetch(url).then((r) => r.json())``: the request is the chain's inner call."""
        head, _, step = call.raw.rpartition(".")
        if step not in _BODY_STEPS or not head:
            return None
        calls = self.calls.get((call.function, head), [])
        inner = next((c for c in calls if c.end_line <= call.line <= c.end_line + 1), None)
        found = self._http(inner) if inner is not None and not self._transactional(inner) else None
        return (found, head.count(".")) if found is not None else None

    def _orm(self, call: CallSite) -> tuple[str, int] | None:
        """A read at any step of the chain (``User.find(...).populate(...).lean()``)."""
        parts = call.raw.split(".")
        kind: str | None = None
        for at in range(1, len(parts)):
            owner, method = ".".join(parts[:at]), parts[at]
            scoped = kind if parts[at - 1] in _SCOPES else None  # ``Share.scope(...).findOne(...)``: the model's
            kind = self.receivers.kind(call.function, owner) or scoped
            label = prisma_read(self.receivers, call.function, owner, method) or read_label(kind, method)
            if label is not None:
                return label, at
        return None

    def _sql(self, call: CallSite) -> str | None:
        owner, _, method = call.raw.rpartition(".")
        if method not in {"query", "execute"} or not call.args or not self._pooled(call.function, owner):
            return None
        sql = call.args[0].literal
        if not isinstance(sql, str) or not _SELECT.match(sql) or LOCKING_SQL.search(sql):
            return None
        return "SQL"

    def _pooled(self, function: str, owner: str) -> bool:
        """A pool (one connection per query) rather than one client, which queues its queries anyway."""
        if self.receivers.kind(function, owner) != "sql":
            return False
        name = owner.rpartition(".")[2]
        return "pool" in name.lower() or name in self.pools

    def _redis(self, call: CallSite) -> str | None:
        owner, _, method = call.raw.rpartition(".")
        if method.lower() not in _REDIS_READS or self.receivers.kind(call.function, owner) != "redis":
            return None
        return "Redis"


def _options_read(call: CallSite) -> bool:
    """``fetch(url)``, ``fetch(url, { headers })``, ``axios({ url })``: no method, or GET/HEAD; an options
    object the index cannot see (a variable, a spread) may carry any method."""
    objects = [a for a in call.args if a.items and a.literal is None and a.call is None]
    if any(a.name for a in call.args[1:]):
        return False  # ``fetch(url, options)``
    for arg in objects:
        if any(item.startswith("...") for item in arg.items):
            return False
        methods = [item.split("=", 1)[1] for item in arg.items if item.startswith("method=")]
        if any(m.upper() not in {"GET", "HEAD", "OPTIONS"} for m in methods):
            return False
    return True


def _octokit_read(call: CallSite) -> bool:
    method = call.raw.rpartition(".")[2]
    if method == "request":
        route = call.args[0].literal if call.args else None
        return isinstance(route, str) and route.upper().startswith(("GET ", "HEAD "))
    return ".rest." in f".{call.raw}." and (method.startswith(("get", "list")) or method == "paginate")


def serial_await_hits(index: CodeIndex, receivers: JsReceivers) -> Iterator[Hit]:
    reads = JsReads(index, receivers)
    constants = constant_lists(index)
    statements: list[tuple[CallSite, str, str]] = []
    for call in index.calls:
        if call.block < 0 or not call.function or (call.assigned_to or "").startswith("this."):
            continue  # a field assigned here may be read through ``this`` by the next call, unseen
        if per_item(index, call, constants) is not None:
            continue  # one query per loop item: LAT250-LAT257's
        found = reads.label(call)
        if found is not None:
            statements.append((call, found[0], _shown(call.raw, found[1])))
    statements.sort(key=lambda s: (s[0].block, s[0].position))
    for _, group in groupby(statements, key=lambda s: s[0].block):
        for run in independent_runs(list(group), _call_of):
            yield _hit(run)


def _shown(raw: str, step: int) -> str:
    """``User.find.lean`` read at step 1 -> ``User.find(...).lean()``."""
    parts = raw.split(".")
    return ".".join(parts[: step + 1]) + "(...)" + "".join(f".{p}()" for p in parts[step + 1 :])


Statement = tuple[CallSite, str, str]  # the call, what it reads through, how it is shown


def _hit(run: list[Statement]) -> Hit:
    first, last = run[0][0], run[-1][0]
    lines = ", ".join(str(c.line) for c, _, _ in run)
    kinds = sorted({label for _, label, _ in run})
    calls = ", ".join(shown for _, _, shown in run)
    return Hit(
        JS_SERIAL_AWAITS,
        f"{len(run)} independent {' and '.join(kinds)} reads awaited one after the other (lines {lines}) in "
        f"{_function(first.function)}: the waits add up",
        first.line,
        last.end_line,
        {"calls": "; ".join(shown for _, _, shown in run), "lines": lines, "clients": ", ".join(kinds)},
        f"Start them together and await once: `const [{', '.join(_target(c) for c, _, _ in run)}] = await "
        f"Promise.all([{calls}])` (`Promise.allSettled` when one failure must not discard the others); the "
        "wait becomes the slowest call, not the sum.",
    )


def _function(qualname: str) -> str:
    """``listUsers``, or ``the function at line 6`` for an inline handler (``<anonymous:6>``)."""
    last = qualname.rpartition(".")[2]
    if last.startswith("<anonymous:"):
        return f"the function at line {last[11:-1]}"
    return qualname


def _target(call: CallSite) -> str:
    """What the statement bound, as an element of the array pattern (empty when it bound nothing)."""
    if call.assigned_to:
        return call.assigned_to
    return "{ " + ", ".join(call.binds) + " }" if call.binds else ""


def _call_of(statement: Statement) -> CallSite:
    return statement[0]
