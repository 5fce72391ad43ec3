"""Work spawned once per item of data the caller or a table decides: ``executor.submit``,
``loop.run_in_executor``, ``asyncio.create_task`` and ``asyncio.gather(*[...])`` over a request's list or an
unsliced query result, with nothing that bounds how much is in flight at once."""

from __future__ import annotations

import ast
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from redline.checks.interface import CheckContext, FileCheck
from redline.checks.resilience.astutil import bound_calls, imports_any, location, method, parents, receiver
from redline.core.filekinds import linter_rule_fixture, looks_like_test_or_sample
from redline.core.model import Area, Confidence, Finding, Severity
from redline.core.rules import Rule, RuleDoc
from redline.sources.code.astwalk import dotted
from redline.sources.code.flow import FunctionFlow, expr_taint, function_flow
from redline.sources.python import PythonModule

UNBOUNDED_FAN_OUT = Rule(
    code="RES170",
    name="unbounded-fan-out-over-request-data",
    area=Area.RESILIENCE,
    severity=Severity.MEDIUM,
    summary="One executor job or asyncio task per item of request data or of an unsliced query, with no bound",
    tags=("CWE-770", "STRIDE:D"),
    doc=RuleDoc(
        what_it_does="Finds `executor.submit(...)` (on a `ThreadPoolExecutor`/`ProcessPoolExecutor` the module "
        "creates), `loop.run_in_executor(...)`, `asyncio.create_task`/`ensure_future`, `TaskGroup.create_task` "
        "and `asyncio.gather(*[... for x in xs])` run once per item of a loop or comprehension whose iterable "
        "is request data (a request body, query parameter or FastAPI handler parameter, through local names) "
        "or an unsliced database read (`Model.objects.all()`/`filter()`, `.fetchall()`, `.scalars().all()`). "
        "Not reported: a loop over a literal or a `range` of constants, a sliced iterable (`xs[:100]`), chunked "
        "loops (`chunks(xs, 100)`, `batched`, `islice`), a function that checks `len(xs)` (a validated size), "
        "work guarded by a semaphore or limiter (`async with sem:` around the spawn or inside the spawned "
        "coroutine, `sem.acquire()`), a loop that waits inside each iteration (`.result()`, `await task`, "
        "`asyncio.wait`), and `asyncio.gather` over a fixed list of calls.",
        why_bad="The caller decides how much work one request starts. A `ThreadPoolExecutor` bounds its "
        "threads, not its queue: submitting N items creates N futures at once and keeps every payload in "
        "memory until a thread gets to it, and everyone else's work waits behind them. `create_task` and "
        "`gather` have no bound at all: N coroutines run at once and open N connections to the database "
        "or the service they call, exhausting its pool or rate limit. A list of 100,000 ids becomes a "
        "memory spike and a self-inflicted burst on the dependency.",
        example="@app.post('/notify')\nasync def notify(body: Batch):\n"
        "    await asyncio.gather(*[send(u) for u in body.user_ids])",
        use_instead="SEND_LIMIT = asyncio.Semaphore(20)\n\nasync def send_bounded(u):\n"
        "    async with SEND_LIMIT:\n        await send(u)\n\n@app.post('/notify')\nasync def notify(body: Batch):\n"
        "    if len(body.user_ids) > 1000:\n        raise HTTPException(413)\n"
        "    await asyncio.gather(*[send_bounded(u) for u in body.user_ids])",
        references=(
            "https://docs.python.org/3/library/concurrent.futures.html#concurrent.futures.Executor.submit",
            "https://docs.python.org/3/library/asyncio-sync.html#asyncio.Semaphore",
            "https://docs.python.org/3/library/asyncio-task.html#asyncio.gather",
            "https://cwe.mitre.org/data/definitions/770.html",
        ),
    ),
)

_EXECUTORS = frozenset(
    {
        "concurrent.futures.ThreadPoolExecutor",
        "concurrent.futures.ProcessPoolExecutor",
        "concurrent.futures.thread.ThreadPoolExecutor",
        "concurrent.futures.process.ProcessPoolExecutor",
    }
)
_TASK_GROUPS = frozenset({"asyncio.TaskGroup", "asyncio.taskgroups.TaskGroup"})
_SPAWN_FUNCTIONS = frozenset({"asyncio.create_task", "asyncio.ensure_future"})
_GATHER = frozenset({"asyncio.gather"})
_EVENT_LOOPS = re.compile(r"(^|\.)_?(loop|event_loop)$")
#: wrappers whose result has as many items as their argument
_PASS_THROUGH = frozenset({"enumerate", "list", "sorted", "reversed", "iter", "tuple", "set", "zip"})
#: callees that cut an iterable into bounded pieces (``chunks(xs, 100)``, ``itertools.islice``)
_CHUNKING = re.compile(r"(?i)chunk|batch|islice|paginat|grouper|partition|window")
#: names of what bounds concurrency when entered or acquired
_LIMITER = re.compile(r"(?i)sem(aphore)?s?\b|sem_|_sem|semaphore|limiter|limit|throttl|slots?\b|capacity")
_WAITS = frozenset({"result", "wait", "as_completed", "wait_for", "join", "gather"})
_DJANGO_READS = frozenset({"all", "filter", "exclude", "iterator", "values", "values_list", "order_by"})


@dataclass(frozen=True)
class Spawn:
    call: ast.Call
    what: str  # rendered callee, ``executor.submit``
    kind: str  # pool / task


def _spawn(module: PythonModule, call: ast.Call, pools: set[str], groups: set[str]) -> Spawn | None:
    qual = module.qualname(call.func) or ""
    name = method(call)
    rec = receiver(call) or ""
    if qual in _SPAWN_FUNCTIONS:
        return Spawn(call, qual, "task")
    if name == "create_task" and (rec in groups or _EVENT_LOOPS.search(rec)):
        return Spawn(call, f"{rec}.create_task", "task")
    if name == "submit" and rec in pools:
        return Spawn(call, f"{rec}.submit", "pool")
    if name == "run_in_executor" and _EVENT_LOOPS.search(rec):
        return Spawn(call, f"{rec}.run_in_executor", "pool")
    return None


def _unwrap(node: ast.expr) -> ast.expr:
    while isinstance(node, ast.Await):
        node = node.value
    while (
        isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in _PASS_THROUGH and node.args
    ):
        node = node.args[0]
    return node


def _bounded_iterable(node: ast.expr) -> bool:
    """A literal, a constant ``range``, a slice, or a chunking call: the item count is known or capped."""
    node = _unwrap(node)
    if isinstance(node, ast.List | ast.Tuple | ast.Set | ast.Constant):
        return True
    if isinstance(node, ast.Subscript) and isinstance(node.slice, ast.Slice):
        return True
    if isinstance(node, ast.Call):
        callee = dotted(node.func) or ""
        if callee == "range" and all(isinstance(a, ast.Constant) for a in node.args):
            return True
        return bool(_CHUNKING.search(callee.rsplit(".", 1)[-1]))
    return False


def _db_read(node: ast.expr) -> str | None:
    """``Model.objects.filter(...)``, ``cursor.fetchall()``, ``session.scalars(q).all()``: rows, as many as
    the table holds (a slice or ``[:n]`` was already ruled out)."""
    node = _unwrap(node)
    if not isinstance(node, ast.Call) or not isinstance(node.func, ast.Attribute):
        return None
    text = ast.unparse(node.func)
    last = node.func.attr
    if ".objects." in f".{text}." and last in _DJANGO_READS:
        return text
    if last == "fetchall":
        return text
    if last == "all" and re.search(r"\b(scalars|query|execute)\(", ast.unparse(node.func.value)):
        return text
    return None


@dataclass
class _Function:
    node: ast.FunctionDef | ast.AsyncFunctionDef
    flow: FunctionFlow
    #: local names bound to a plain expression (``ids = body.ids``), to see through one assignment
    values: dict[str, ast.expr]
    #: names whose size the function checks (``len(ids) > 100``)
    measured: set[str]


def _function(module: PythonModule, fn: ast.FunctionDef | ast.AsyncFunctionDef) -> _Function:
    values: dict[str, ast.expr] = {}
    measured: set[str] = set()
    for node in ast.walk(fn):
        if isinstance(node, ast.Assign) and len(node.targets) == 1 and isinstance(node.targets[0], ast.Name):
            values[node.targets[0].id] = node.value
        elif _len_call(node) and (text := dotted(node.args[0])):  # type: ignore[attr-defined]
            measured.add(text)
    return _Function(fn, function_flow(fn, module.qualname), values, measured)


def _len_call(node: ast.AST) -> bool:
    return isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "len" and bool(node.args)


def _source(module: PythonModule, fn: _Function, iterable: ast.expr) -> tuple[str, Confidence] | None:
    """What decides the item count: request data (high confidence) or a database read (medium)."""
    iterable = _unwrap(iterable)
    if _bounded_iterable(iterable):
        return None
    text = dotted(iterable)
    if text and (text in fn.measured or text.split(".", 1)[0] in fn.measured):
        return None
    bound = fn.values.get(iterable.id) if isinstance(iterable, ast.Name) else None
    if bound is not None and (_bounded_iterable(bound) or (dotted(_unwrap(bound)) or "") in fn.measured):
        return None
    taint = expr_taint(iterable, fn.flow, module.qualname) if fn.flow.reads_request else None
    if taint is not None:
        return f"request data ({taint[0]})", Confidence.HIGH
    read = _db_read(iterable)
    if read is None and isinstance(iterable, ast.Name) and iterable.id in fn.values:
        read = _db_read(fn.values[iterable.id])
    return (f"an unsliced query ({read})", Confidence.MEDIUM) if read else None


def _limited(node: ast.AST) -> bool:
    """``async with sem:``/``with limiter:`` or ``sem.acquire()`` somewhere under ``node``."""
    for inner in ast.walk(node):
        if isinstance(inner, ast.With | ast.AsyncWith):
            for item in inner.items:
                ctx = item.context_expr
                text = dotted(ctx.func if isinstance(ctx, ast.Call) else ctx) or ""
                if _LIMITER.search(text):
                    return True
        elif isinstance(inner, ast.Call) and method(inner) == "acquire" and _LIMITER.search(receiver(inner) or ""):
            return True
    return False


def _waits_each_time(loop: ast.AST) -> bool:
    """The loop body waits for what it started (a window, or plain serial work)."""
    body = loop.body if isinstance(loop, ast.For | ast.AsyncFor) else []
    for stmt in body:
        for inner in ast.walk(stmt):
            if isinstance(inner, ast.Await) and isinstance(inner.value, ast.Name):
                return True
            if isinstance(inner, ast.Call) and (method(inner) or dotted(inner.func) or "").rsplit(".", 1)[-1] in _WAITS:
                return True
    return False


def _iterables(loop: ast.AST) -> list[ast.expr]:
    if isinstance(loop, ast.For | ast.AsyncFor):
        return [loop.iter]
    if isinstance(loop, ast.ListComp | ast.SetComp | ast.GeneratorExp | ast.DictComp):
        return [g.iter for g in loop.generators]
    return []


class _Module:
    """The module's functions by name and node, built once per file that spawns anything."""

    def __init__(self, module: PythonModule) -> None:
        self.module = module
        self.parent_of = parents(module)
        self.defs = {n.name: n for n in module.nodes if isinstance(n, ast.FunctionDef | ast.AsyncFunctionDef)}
        self._functions: dict[int, _Function] = {}

    def function_of(self, node: ast.AST) -> _Function | None:
        current = self.parent_of.get(id(node))
        while current is not None and not isinstance(current, ast.FunctionDef | ast.AsyncFunctionDef):
            current = self.parent_of.get(id(current))
        if current is None:
            return None
        if id(current) not in self._functions:
            self._functions[id(current)] = _function(self.module, current)
        return self._functions[id(current)]

    def loops_of(self, node: ast.AST) -> Iterator[ast.AST]:
        child: ast.AST = node
        current = self.parent_of.get(id(node))
        while current is not None and not isinstance(current, ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda):
            if (isinstance(current, ast.For | ast.AsyncFor) and child is not current.iter) or isinstance(
                current, ast.ListComp | ast.SetComp | ast.GeneratorExp | ast.DictComp
            ):
                yield current
            child, current = current, self.parent_of.get(id(current))

    def guarded(self, work: ast.expr | None, fn: _Function) -> bool:
        """A limiter around the spawn (in the function) or inside the spawned coroutine's own body."""
        if _limited(fn.node):
            return True
        if isinstance(work, ast.Call):
            callee = dotted(work.func) or ""
            target = self.defs.get(callee.rsplit(".", 1)[-1])
            if target is not None and _limited(target):
                return True
        return False


def _work(spawn: Spawn) -> ast.expr | None:
    """The coroutine or function a spawn runs (``send(u)`` of ``create_task(send(u))``)."""
    args = spawn.call.args
    if spawn.kind == "task":
        return args[0] if args else None
    if spawn.what.endswith("run_in_executor"):
        return args[1] if len(args) > 1 else None
    return ast.Call(func=args[0], args=[], keywords=[]) if args else None


class FanOutCheck(FileCheck):
    name = "python-unbounded-fan-out"
    rules = (UNBOUNDED_FAN_OUT,)
    fact_types = (PythonModule,)

    def check_file(self, fact: PythonModule, ctx: CheckContext) -> Iterable[Finding]:
        if not imports_any(fact, ("asyncio", "concurrent")):
            return []
        if linter_rule_fixture(fact.lines) or looks_like_test_or_sample(fact.path):
            return []
        pools = set(bound_calls(fact, _EXECUTORS))
        groups = set(bound_calls(fact, _TASK_GROUPS))
        spawns = [s for call in fact.calls if (s := _spawn(fact, call, pools, groups)) is not None]
        gathers = [c for c in fact.calls if fact.qualname(c.func) in _GATHER and _starred(c)]
        if not spawns and not gathers:
            return []
        mod = _Module(fact)
        found = [f for s in spawns if (f := self._per_item(mod, s)) is not None]
        found += [f for c in gathers if (f := self._gather(mod, c)) is not None]
        return sorted(found, key=lambda f: f.location.start_line)

    def _per_item(self, mod: _Module, spawn: Spawn) -> Finding | None:
        fn = mod.function_of(spawn.call)
        if fn is None:
            return None
        for loop in mod.loops_of(spawn.call):
            if isinstance(loop, ast.For | ast.AsyncFor) and _waits_each_time(loop):
                return None
            for iterable in _iterables(loop):
                source = _source(mod.module, fn, iterable)
                if source is not None and not mod.guarded(_work(spawn), fn):
                    return self._report(mod.module, spawn.call, spawn, iterable, source)
        return None

    def _gather(self, mod: _Module, call: ast.Call) -> Finding | None:
        fn = mod.function_of(call)
        if fn is None:
            return None
        for star in (a.value for a in call.args if isinstance(a, ast.Starred)):
            comp = fn.values.get(star.id) if isinstance(star, ast.Name) else star
            if isinstance(comp, ast.ListComp | ast.GeneratorExp | ast.SetComp):
                work: ast.expr | None = comp.elt
                iterables = [g.iter for g in comp.generators]
            elif isinstance(comp, ast.Call) and dotted(comp.func) == "map" and len(comp.args) > 1:
                work, iterables = ast.Call(func=comp.args[0], args=[], keywords=[]), comp.args[1:]
            elif isinstance(star, ast.Name) and (filled := _appended_in_loop(fn.node, star.id)) is not None:
                work, iterables = filled
            else:
                continue
            for iterable in iterables:
                source = _source(mod.module, fn, iterable)
                if source is not None and not mod.guarded(work, fn):
                    return self._report(mod.module, call, Spawn(call, "asyncio.gather", "task"), iterable, source)
        return None

    def _report(
        self, module: PythonModule, node: ast.Call, spawn: Spawn, iterable: ast.expr, source: tuple[str, Confidence]
    ) -> Finding:
        over = ast.unparse(iterable)
        if len(over) > 60:
            over = over[:57] + "..."
        what, confidence = source
        unit = "job" if spawn.kind == "pool" else "task"
        if spawn.kind == "pool":
            why = (
                "the pool bounds its threads but not its queue: every item becomes a pending future holding "
                "its arguments until a thread is free, and other callers' work waits behind them"
            )
            fix = (
                "Bound the work: cap the item count (reject or paginate above a limit), submit in chunks and "
                "wait for each chunk, or gate `submit` with a `threading.BoundedSemaphore` released in a "
                "done-callback so at most N items are queued."
            )
        else:
            why = (
                "every item starts at once: nothing bounds how many coroutines and downstream connections are in flight"
            )
            fix = (
                "Bound the concurrency: wrap the per-item work in `async with asyncio.Semaphore(N)`, or process "
                "the items in fixed-size chunks (`gather` one chunk at a time); and cap how many items one "
                "request may send."
            )
        return self.finding(
            UNBOUNDED_FAN_OUT,
            f"`{spawn.what}` starts one {unit} per item of `{over}`, {what}: {why}",
            location(module, node),
            confidence=confidence,
            evidence={"spawn": spawn.what, "iterable": over, "source": what},
            remediation=fix,
        )


def _appended_in_loop(fn: ast.AST, name: str) -> tuple[ast.expr, list[ast.expr]] | None:
    """``for x in xs: tasks.append(work(x))`` before ``gather(*tasks)``: the work and the loop's iterable
    (a loop that also waits inside is a window, judged by ``_waits_each_time``)."""
    for loop in ast.walk(fn):
        if not isinstance(loop, ast.For | ast.AsyncFor) or _waits_each_time(loop):
            continue
        for stmt in loop.body:
            call = stmt.value if isinstance(stmt, ast.Expr) else None
            if isinstance(call, ast.Call) and method(call) == "append" and receiver(call) == name and call.args:
                return call.args[0], [loop.iter]
    return None


def _starred(call: ast.Call) -> bool:
    return any(isinstance(a, ast.Starred) for a in call.args)
