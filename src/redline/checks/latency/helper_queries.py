"""Queries the project's own functions run on every call, and the loops that call them once per item.

``for o in orders: total += price_of(o)`` where ``price_of`` runs ``Product.objects.get(pk=o.product_id)`` is
N+1 as surely as the query written in the loop body. Each function's summary says which ORM read or raw SQL
read it runs outside any loop of its own with one of its parameters (the same judges as the direct rules, so
writes and row locks stay exempt), found directly or through up to ``DEPTH`` calls of other project functions.
A call in a loop that passes the item to one of those parameters is reported at the call, naming the helper
and the query's line. A memoised helper (``functools.cache``, a ``cache.get`` on the way) is not summarised:
a repeated key costs no query; nor is a queued task (huey's ``@task``): the call enqueues a job, the query
runs in the consumer."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from functools import cached_property

from redline.checks.latency.loop_items import constant_lists, where
from redline.checks.latency.orm import Catalogue, iterated, module_orm
from redline.checks.latency.per_item import (
    LOCKING_SQL,
    LOCKING_STEPS,
    QUERY_REMEDIATION,
    RAW_SQL_REMEDIATION,
    Hit,
    embedded_database,
    item_names,
    looks_up_cache,
    orm_read,
    per_item_loop,
    raw_read,
    write_lines,
    writes_statement,
)
from redline.checks.latency.queued import queued_tasks
from redline.checks.latency.rules import QUERY_IN_LOOP, RAW_SQL_IN_LOOP
from redline.sources.code.callees import Callee, Callees
from redline.sources.code.model import Arg, CallSite, CodeIndex, Definition, Loop

#: how many calls deep a helper's query is followed from the call in the loop
DEPTH = 3
#: decorators that memoise a function's result: a repeated argument is answered without a query
_MEMOISED = frozenset(
    {
        "cache", "lru_cache", "cached", "memoize", "memoized", "cached_property", "cachedmethod", "ttl_cache",
        "alru_cache", "cache_memoize", "memoize_function", "cache_result",
    }
)  # fmt: skip
#: what a cache is asked before the query (``cache.get``, ``object_storage.get(key) or Model.objects...``)
_CACHE_LOOKUPS = frozenset({"get", "get_or_set", "get_many", "has_key", "has", "fetch"})


#: the last step of a chain that runs the query (Django, SQLAlchemy, Peewee, Tortoise)
_FETCHES = frozenset(
    {
        "get", "first", "last", "count", "exists", "aggregate", "in_bulk", "latest", "earliest", "get_or_create",
        "contains", "one", "one_or_none", "scalar", "scalars", "scalar_one", "scalar_one_or_none",
        "execute", "get_one", "get_or_none", "get_by_id", "fetchall", "fetchone",
    }
)  # fmt: skip
#: builtins that evaluate a queryset they are given
_WRAPPERS = frozenset({"list", "tuple", "set", "sorted", "len", "bool", "any", "all", "next", "sum", "dict"})


@dataclass(frozen=True)
class Issued:
    """A read a function runs on every call: what it is, where, through which calls, and the parameters
    whose value reaches it."""

    sql: bool  # a raw cursor ``execute`` (LAT104) rather than an ORM read (LAT101)
    query: str  # as written (``Product.objects.get``, ``cursor.execute``)
    path: str
    line: int
    params: frozenset[str]
    via: tuple[str, ...] = ()  # the helpers between the called function and the query, outermost first


class _Module:
    """What the summaries need of one module, computed the first time a summary asks for it."""

    def __init__(self, index: CodeIndex) -> None:
        self.index = index
        self.defs = {d.qualname: d for d in index.definitions if d.kind != "class"}
        #: functions a call does not run here: memoised (a repeated key costs no query) or queued as a job
        self.memoised = _memoised(index) | queued_tasks(index)
        #: each function's calls, in source order (what its chains and statements are looked up in)
        self.calls: dict[str, list[CallSite]] = {}
        #: each function's calls outside its loops, in source order
        self.outside: dict[str, list[CallSite]] = {}
        for call in index.calls:
            self.calls.setdefault(call.function, []).append(call)
            if call.loop < 0 and call.function:
                self.outside.setdefault(call.function, []).append(call)

    @cached_property
    def locking(self) -> set[str]:
        return _locking(self.index)

    @cached_property
    def orm(self) -> str | None:
        return module_orm(self.index)

    @cached_property
    def in_process(self) -> bool:
        """Its statements run on SQLite or DuckDB in this process: no round trip per call, as in a loop."""
        return embedded_database(self.index)

    @cached_property
    def writes(self) -> set[int]:
        return write_lines(self.index)


class HelperQueries:
    """The project functions that issue a read per call, by (path, qualified name), summarised when a loop's
    call asks: only the functions called with an item, and what they call up to ``DEPTH`` deep, are read.

    A function's summary is its own query, else that of its first call (in source order) whose callee has one,
    reached with one of its parameters, through at most ``DEPTH - 1`` calls in all. Each (function, calls left)
    is worked out once; the budget bounds the recursion, whatever the order of the modules."""

    def __init__(self, indexes: list[CodeIndex], cat: Catalogue, callees: Callees | None = None) -> None:
        #: the run's resolver seen through ``indexes``, else one of ``indexes`` alone
        self.callees = Callees.of(indexes) if callees is None else callees
        self.cat = cat
        self._indexes = indexes
        self._by_path = {index.path: index for index in indexes}
        self._modules: dict[str, _Module] = {}
        #: ((path, qualname), calls it may go through) -> its summary, None: it has none
        self._summaries: dict[tuple[tuple[str, str], int], Issued | None] = {}
        self._locks: dict[tuple[tuple[str, str], int], bool] = {}
        self._methods: dict[tuple[str, str], tuple[CodeIndex, Definition] | None] | None = None

    def _module(self, path: str) -> _Module:
        found = self._modules.get(path)
        if found is None:
            found = self._modules[path] = _Module(self._by_path[path])
        return found

    def issued(self, path: str, qualname: str) -> Issued | None:
        """The read the function runs on every call with one of its parameters, directly or through calls."""
        return self._summary((path, qualname), DEPTH - 1)

    def _summary(self, key: tuple[str, str], calls: int) -> Issued | None:
        """The function's read, its own or through up to ``calls`` calls; None when it takes row locks itself or
        through its callees (a locking protocol, taken in turn per item, not reads to batch)."""
        memo = (key, calls)
        if memo not in self._summaries:
            module = self._module(key[0])
            definition = module.defs.get(key[1])
            found = None
            if definition is not None and key[1] not in module.memoised:  # memoised: a repeated key costs no query
                found = (
                    self._direct(module, key[1], definition)
                    if calls == 0
                    else self._summary(key, 0) or self._through_calls(module, key, calls)
                )
            self._summaries[memo] = None if found is None or self._locking(key, DEPTH) else found
        return self._summaries[memo]

    def _through_calls(self, module: _Module, key: tuple[str, str], calls: int) -> Issued | None:
        """The read of the function's first call that hands one of its parameters to a callee whose read, through
        up to ``calls - 1`` further calls, is made with it."""
        definition = self.callees.definitions[key[0]].get(key[1])
        if definition is None or definition.kind == "class":  # a class of the same name defined after it
            return None
        for call in module.outside.get(key[1], []):
            args = _own_args(call, definition)
            callee = self.callees.resolve(module.index, call) if args else None
            if callee is None or (callee.index.path, callee.definition.qualname) == key:
                continue
            inner = self._summary((callee.index.path, callee.definition.qualname), calls - 1)
            found = _one_deeper(call, definition, args, callee, inner)
            if found is not None:
                return found
        return None

    def _locking(self, key: tuple[str, str], depth: int) -> bool:
        """Whether the function takes row locks itself or through up to ``depth`` calls: its reads are a locking
        protocol, taken in turn per item, not reads to batch (asked only of a function that has a summary)."""
        memo = (key, depth)
        if memo not in self._locks:
            module = self._module(key[0])
            found = key[1] in module.locking
            if not found and depth > 0:
                for call in module.outside.get(key[1], []):
                    callee = self.callees.resolve(module.index, call)
                    if callee is not None and self._locking((callee.index.path, callee.definition.qualname), depth - 1):
                        found = True
                        break
            self._locks[memo] = found
        return self._locks[memo]

    def _direct(self, module: _Module, function: str, definition: Definition) -> Issued | None:
        """The first read the function runs itself, outside its loops, with one of its parameters."""
        index, cat, calls = module.index, self.cat, module.calls.get(function, [])
        for call in module.outside.get(function, []):
            if call.line in module.writes:
                continue  # the read of a chain that writes
            query = orm_read(call, cat, module.orm)
            sql = (
                query is None
                and not module.in_process
                and raw_read(call, module.orm, set(definition.params))
                and not writes_statement(index, call)
            )
            if query is None and not sql:
                continue
            params = frozenset().union(*(_parameters_read(c, definition) for c in _chain(calls, call)))
            if not params:
                continue  # a constant query: not what the item changes
            if query is not None and not _evaluated(calls, call, sqlalchemy=module.orm == "sqlalchemy"):
                continue  # a lazy queryset handed back to the caller: it queries where it is evaluated
            if _fills_in(calls, call, definition) or call.when_none in definition.params:
                continue  # ``if channel is None: channel = Channel.objects...``: fetched when not given
            return Issued(sql, query or call.raw, index.path, call.line, params)
        return None

    def _method(self, model: str, method: str) -> tuple[CodeIndex, Definition] | None:
        """Where a model class of the project defines a method (None: nowhere, or two classes do)."""
        if self._methods is None:
            self._methods = {}
            for index in self._indexes:
                for d in index.definitions:
                    owner, _, name = d.qualname.rpartition(".")
                    if owner in self.cat.models and d.kind != "class" and "." not in owner:
                        key = (owner, name)
                        self._methods[key] = None if key in self._methods else (index, d)  # two classes: unknown
        return self._methods.get((model, method))

    def row_method(self, index: CodeIndex, call: CallSite, loop: Loop) -> tuple[Callee, Issued] | None:
        """``order.total()`` on a loop over ``Order.objects...``: the model's method, when it queries with
        ``self`` on every call (a prefetch of the loop's query does not help a query the method makes)."""
        item, _, method = call.raw.partition(".")
        if not method or "." in method or item not in loop.targets:
            return None
        rows = iterated(self.cat, index, loop)
        where_defined = self._method(rows.model.name, method) if rows is not None else None
        if where_defined is None:
            return None
        owner, definition = where_defined
        issued = self.issued(owner.path, definition.qualname)
        if issued is None or not definition.params or definition.params[0] not in issued.params:
            return None
        return Callee(owner, definition, shift=1), issued

    def reached(self, index: CodeIndex, call: CallSite, args: list[tuple[str, Arg]]) -> tuple[Callee, Issued] | None:
        """The function ``call`` runs and its query, when one of ``args`` binds a parameter that reaches it."""
        if not args:
            return None
        callee = self.callees.resolve(index, call)
        if callee is None or (callee.index.path, callee.definition.qualname) == (index.path, call.function):
            return None
        issued = self.issued(callee.index.path, callee.definition.qualname)
        if issued is None or not any(callee.parameter(k) in issued.params for k, _ in args):
            return None
        return callee, issued


def _one_deeper(
    call: CallSite, definition: Definition, args: list[tuple[str, Arg]], callee: Callee, inner: Issued | None
) -> Issued | None:
    """The summary ``call`` gives its function: its callee's, when an argument carrying one of the function's
    parameters reaches the callee's query, one call deeper."""
    if inner is None or not any(callee.parameter(k) in inner.params for k, _ in args):
        return None
    params = frozenset(_parameters_read(call, definition))
    step = f"{callee.definition.qualname} ({callee.index.path}:{callee.definition.line})"
    return Issued(inner.sql, inner.query, inner.path, inner.line, params, (step, *inner.via))


def helper_hits(index: CodeIndex, helpers: HelperQueries) -> Iterator[Hit]:
    """A call in a loop that hands the item to a project function that queries with it."""
    constants = constant_lists(index)
    for call in index.calls:
        loop = per_item_loop(index, call, constants) if call.loop >= 0 else None  # most calls run in no loop
        if loop is None:
            continue
        items = item_names(index, call, constants)
        found = helpers.reached(index, call, [(k, a) for k, a in _keyed(call) if _roots(a) & items])
        found = found or helpers.row_method(index, call, loop)
        if found is None:
            continue
        callee, issued = found
        helper = callee.definition.qualname
        through = f", through {' -> '.join(step.split(' ', 1)[0] for step in issued.via)}" if issued.via else ""
        evidence = {
            "helper": f"{helper} ({callee.index.path}:{callee.definition.line})",
            "query": issued.query,
            "query_at": f"{issued.path}:{issued.line}",
            "loop": f"line {loop.line}",
        }
        if issued.via:
            evidence["via"] = " -> ".join(issued.via)
        yield Hit(
            RAW_SQL_IN_LOOP if issued.sql else QUERY_IN_LOOP,
            f"{call.raw}(...) is called {where(loop)} and runs {issued.query}(...) every time "
            f"({issued.path}:{issued.line}{through}): one query per item (N+1)",
            call.line,
            call.end_line,
            evidence,
            f"Give `{helper}` what it needs fetched once for all items (a dict from one query before the loop), "
            "or make a batch version that takes every item. "
            + (RAW_SQL_REMEDIATION if issued.sql else QUERY_REMEDIATION),
        )


def _keyed(call: CallSite) -> Iterator[tuple[str, Arg]]:
    """Each argument with the key a summary uses: its keyword, or its position among the positional ones."""
    position = 0
    for arg in call.args:
        if arg.keyword is None:
            yield str(position), arg
            position += 1
        else:
            yield arg.keyword, arg


def _roots(arg: Arg) -> set[str]:
    """The local names an argument is built from, when the index says (``o``, ``o.product_id``, ``str(o)``)."""
    texts = [arg.name or "", *arg.call_args, *arg.items]
    return {t.split(".", 1)[0] for t in texts if t}


def _parameters_read(call: CallSite, definition: Definition) -> frozenset[str]:
    """The function's own parameters whose value reaches one of the call's arguments (through its locals when
    the index followed them, else written in the argument: ``get(pk=order.product_id)``)."""
    found = {source.removeprefix("arg:") for _, source, _ in call.param_tainted}
    found |= {root for _, arg in _keyed(call) for root in _roots(arg)}
    return frozenset(found & set(definition.params) - {"cls"})


def _fills_in(calls: Sequence[CallSite], call: CallSite, definition: Definition) -> bool:
    """The query's result is bound to one of the function's own parameters: it fetches what the caller did not
    pass (``channel = channel or Channel.objects.get(...)``), and a caller in a loop usually passes it (so is
    a query in the branch a parameter's None takes, ``CallSite.when_none``: pretalx's bulk ``get_talk_warnings``
    passes the overlaps it computed once). ``calls``
    are those of the function ``call`` is in (a scan of the module's per call would be quadratic)."""
    params = set(definition.params)
    return any(c.assigned_to in params for c in calls if c.line <= call.line <= c.end_line and c.assigned_to)


def _chain(calls: Sequence[CallSite], call: CallSite) -> list[CallSite]:
    """The calls of the fluent chain ``call`` starts (``session.query(Book).filter(Book.id == x).first()``):
    one statement, one start line; ``calls`` are those of its function."""
    return [c for c in calls if c.line == call.line and c.raw.startswith(call.raw)]


def _evaluated(calls: Sequence[CallSite], call: CallSite, *, sqlalchemy: bool) -> bool:
    """Whether the ORM chain ``call`` starts runs its query here: it ends in a method that fetches
    (``.get()``, ``.first()``, ``.count()``, ``session.execute``), or ``list()``/``len()``... wrap it. A
    queryset returned as it is (``Book.objects.filter(...)``) queries where the caller evaluates it; a
    SQLAlchemy ``Query`` runs at ``.all()``, a Django one does not. ``calls`` are those of its function."""
    last = max((c.raw for c in _chain(calls, call)), key=len, default=call.raw).rsplit(".", 1)[-1]
    if last in _FETCHES or (sqlalchemy and last == "all"):
        return True
    return any(
        c.raw in _WRAPPERS and any(a.call is not None for a in c.args)
        for c in calls
        if c.line <= call.line <= c.end_line
    )


def _own_args(call: CallSite, definition: Definition) -> list[tuple[str, Arg]]:
    """The call's arguments that carry one of the function's parameters."""
    params = set(definition.params) - {"cls"}
    keys = {key for key, source, _ in call.param_tainted if source.removeprefix("arg:") in params}
    return [(k, a) for k, a in _keyed(call) if k in keys or _roots(a) & params]


def _memoised(index: CodeIndex) -> set[str]:
    """Functions whose reads are not one per call: memoised by a decorator or behind a cache lookup."""
    found = {d.qualname for d in index.definitions if any(x.raw.rsplit(".", 1)[-1] in _MEMOISED for x in d.decorators)}
    return found | {call.function for call in index.calls if looks_up_cache(call.raw, _CACHE_LOOKUPS)}


def _locking(index: CodeIndex) -> set[str]:
    """Functions that lock rows (``select_for_update``, ``with_for_update``, ``SELECT ... FOR UPDATE``)."""
    found: set[str] = set()
    for call in index.calls:
        sql = next((a.literal for a in call.args if a.keyword is None), None)
        if LOCKING_STEPS & set(call.raw.split(".")[1:]) or (isinstance(sql, str) and LOCKING_SQL.search(sql)):
            found.add(call.function)
    return found
