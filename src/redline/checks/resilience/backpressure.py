"""Work that can pile up without limit: in-process queues with no bound that a loop keeps filling, and
Celery tasks that may run forever (no per-task or global time limit)."""

from __future__ import annotations

import ast
from collections.abc import Iterable

from redline.checks.interface import CheckContext, FileCheck, ProjectCheck
from redline.checks.resilience.astutil import (
    enclosing_loops,
    has_star,
    imports_any,
    kw,
    location,
    method,
    parents,
    receiver,
    scope_of,
)
from redline.core.facts import Facts
from redline.core.filekinds import linter_rule_fixture, looks_like_test_or_sample
from redline.core.model import Area, Confidence, Finding, Location, Severity, Skipped, ToolError
from redline.core.rules import Rule, RuleDoc
from redline.sources.code.astwalk import dotted
from redline.sources.code.model import CodeIndex, Decorator, Definition
from redline.sources.python import PythonModule

UNBOUNDED_QUEUE = Rule(
    code="RES140",
    name="unbounded-queue-filled-in-loop",
    area=Area.RESILIENCE,
    severity=Severity.LOW,
    summary="Unbounded in-process queue that a stream or endless loop keeps filling",
    tags=("CWE-770", "STRIDE:D"),
    doc=RuleDoc(
        what_it_does="Finds `queue.Queue()`, `LifoQueue()`, `PriorityQueue()`, `SimpleQueue()`, "
        "`asyncio.Queue()` and `multiprocessing.Queue()` built without a positive `maxsize` and bound to a "
        "name whose `put`/`put_nowait` runs inside a `while` loop or an `async for` over a stream in the same "
        "function (or class, for `self.` queues). A queue filled once, or from a `for` loop over a "
        "collection (a pool of N connections), or one with a `maxsize`, is left alone.",
        why_bad="A producer that outruns its consumers fills an unbounded queue until the process runs out "
        "of memory, and every item waits longer than the last: latency grows without limit instead of the "
        "producer being slowed down (backpressure) or load being shed.",
        example="jobs = queue.Queue()\nwhile True:\n    jobs.put(sock.recv(4096))",
        use_instead="jobs = queue.Queue(maxsize=1000)  # put() blocks when consumers fall behind\n"
        "while True:\n    jobs.put(sock.recv(4096), timeout=5)",
        references=(
            "https://docs.python.org/3/library/queue.html#queue.Queue",
            "https://docs.python.org/3/library/asyncio-queue.html",
            "https://ferd.ca/queues-don-t-fix-overload.html",
        ),
    ),
)

CELERY_NO_TIME_LIMIT = Rule(
    code="RES141",
    name="celery-tasks-without-time-limit",
    area=Area.RESILIENCE,
    severity=Severity.LOW,
    summary="Celery tasks with no time limit, per task or global",
    tags=("CWE-400", "STRIDE:D"),
    #: opt-in: limits are also given per call (`apply_async(**options)`) or enforced inside the task
    #: (a `timeout` context), which the index cannot see; on Superset half the listed tasks had one
    opt_in=True,
    doc=RuleDoc(
        what_it_does="Lists the Celery tasks (`@shared_task`, `@app.task`) that set neither `time_limit` nor "
        "`soft_time_limit`, when the project sets no global `task_time_limit`/`task_soft_time_limit` "
        "(or the `CELERY_TASK_*` Django settings). One finding per project, at the first such task, "
        "with the count. Opt-in (`--select RES141`): limits passed per call through `apply_async(**options)` "
        "or enforced inside a task are invisible to it.",
        why_bad="Celery runs a task for as long as it takes by default. A task stuck on a dead socket or "
        "a lock holds its worker process forever; a few of them and the queue stops draining while the "
        "broker keeps accepting work.",
        example="@shared_task\ndef send_invoice(order_id): ...",
        use_instead="# settings: CELERY_TASK_SOFT_TIME_LIMIT = 60; CELERY_TASK_TIME_LIMIT = 90\n"
        "@shared_task(soft_time_limit=60, time_limit=90)\ndef send_invoice(order_id): ...",
        references=(
            "https://docs.celeryq.dev/en/stable/userguide/workers.html#time-limits",
            "https://docs.celeryq.dev/en/stable/userguide/configuration.html#task-time-limit",
        ),
    ),
)

CONSUMER_NO_PREFETCH = Rule(
    code="RES142",
    name="amqp-consumer-without-prefetch-limit",
    area=Area.RESILIENCE,
    severity=Severity.LOW,
    summary="RabbitMQ consumer without a prefetch limit",
    tags=("CWE-770", "STRIDE:D"),
    doc=RuleDoc(
        what_it_does="Finds pika and aiormq `basic_consume` and aio-pika `consume`/`iterator` on a channel or "
        "queue the same module opens (`connection.channel()`), when the module never sets a prefetch limit "
        "(`basic_qos(prefetch_count=…)`, `set_qos(prefetch_count=…)`).",
        why_bad="Without a prefetch limit the broker pushes every ready message to the first consumer: its "
        "memory grows with the backlog, other consumers sit idle, and a crash redelivers the whole "
        "backlog at once. The consumer cannot push back on the broker.",
        example='channel = connection.channel()\nchannel.basic_consume(queue="orders", on_message_callback=handle)',
        use_instead="channel = connection.channel()\nchannel.basic_qos(prefetch_count=20)\n"
        'channel.basic_consume(queue="orders", on_message_callback=handle)',
        references=(
            "https://www.rabbitmq.com/docs/consumer-prefetch",
            "https://pika.readthedocs.io/en/stable/modules/channel.html#pika.channel.Channel.basic_qos",
        ),
    ),
)

_QUEUES = frozenset(
    {
        "queue.Queue",
        "queue.LifoQueue",
        "queue.PriorityQueue",
        "queue.SimpleQueue",
        "asyncio.Queue",
        "asyncio.LifoQueue",
        "asyncio.PriorityQueue",
        "asyncio.queues.Queue",
        "multiprocessing.Queue",
        "multiprocessing.JoinableQueue",
    }
)


def _unbounded(call: ast.Call, qual: str) -> bool:
    if qual.endswith("SimpleQueue"):
        return True
    size = call.args[0] if call.args else (k.value if (k := kw(call, "maxsize")) else None)
    if size is None:
        return not has_star(call)
    return isinstance(size, ast.Constant) and isinstance(size.value, int) and size.value <= 0


def _queue_bindings(module: PythonModule) -> list[tuple[str, ast.Call]]:
    """Every ``name = <queue constructor>(...)`` in the module, each binding on its own."""
    found: list[tuple[str, ast.Call]] = []
    for node in module.nodes:
        if isinstance(node, ast.Assign) and isinstance(node.value, ast.Call) and len(node.targets) == 1:
            name = dotted(node.targets[0])
            if name and module.qualname(node.value.func) in _QUEUES:
                found.append((name, node.value))
    return found


class UnboundedQueueCheck(FileCheck):
    name = "python-unbounded-queues"
    rules = (UNBOUNDED_QUEUE,)
    fact_types = (PythonModule,)

    def check_file(self, fact: PythonModule, ctx: CheckContext) -> Iterable[Finding]:
        if not imports_any(fact, ("queue", "asyncio", "multiprocessing")):
            return []
        if linter_rule_fixture(fact.lines) or looks_like_test_or_sample(fact.path):
            return []
        bindings = [(n, c) for n, c in _queue_bindings(fact) if _unbounded(c, fact.qualname(c.func) or "")]
        if not bindings:
            return []
        parent_of = parents(fact)
        queues = {(scope_of(call, parent_of, attribute="." in name), name): call for name, call in bindings}
        filled = {
            key
            for call in fact.calls
            if method(call) in {"put", "put_nowait"}
            and (rec := receiver(call)) is not None
            and (key := (scope_of(call, parent_of, attribute="." in rec), rec)) in queues
            and any(isinstance(loop, ast.While | ast.AsyncFor) for loop in enclosing_loops(call, parent_of))
        }
        return [
            self.finding(
                UNBOUNDED_QUEUE,
                f"`{name}` is an unbounded {fact.qualname(queues[key].func)} filled from an endless loop or stream: "
                "nothing slows the producer when consumers fall behind",
                location(fact, queues[key]),
                remediation=f"Give `{name}` a `maxsize` sized to what consumers can absorb, and decide what a "
                "full queue means: block with a timeout, or drop and count (`put_nowait` + `queue.Full`).",
            )
            for key in sorted(filled, key=lambda k: queues[k].lineno)
            for name in (key[1],)
        ]


class ConsumerPrefetchCheck(FileCheck):
    name = "amqp-consumer-prefetch"
    rules = (CONSUMER_NO_PREFETCH,)
    fact_types = (PythonModule,)

    def check_file(self, fact: PythonModule, ctx: CheckContext) -> Iterable[Finding]:
        if not imports_any(fact, ("pika", "aio_pika", "aiormq")):
            return []
        if looks_like_test_or_sample(fact.path) or any(method(c) in {"basic_qos", "set_qos"} for c in fact.calls):
            return []
        parent_of = parents(fact)
        opened = _opened_channels(fact, parent_of)
        return [
            self.finding(
                CONSUMER_NO_PREFETCH,
                f"`{receiver(call)}.{method(call)}` consumes with no prefetch limit: the broker pushes the whole "
                "backlog to this consumer",
                location(fact, call),
                remediation="Set a prefetch limit on the channel before consuming: `channel.basic_qos(prefetch_count"
                "=20)` (pika) or `await channel.set_qos(prefetch_count=20)` (aio-pika), sized to what one "
                "consumer processes in a few seconds.",
            )
            for call in fact.calls
            if method(call) in {"basic_consume", "consume", "iterator"}
            and (scope_of(call, parent_of), receiver(call)) in opened
        ]


def _opened_channels(module: PythonModule, parent_of: dict[int, ast.AST]) -> set[tuple[int, str | None]]:
    """Names bound to ``….channel()`` and aio-pika queues declared on such a channel, with their scope (a
    parameter named ``channel`` in another function is someone else's channel)."""
    names: set[tuple[int, str | None]] = set()
    for node in module.nodes:
        if isinstance(node, ast.Assign) and len(node.targets) == 1:
            value = node.value.value if isinstance(node.value, ast.Await) else node.value
            target = dotted(node.targets[0])
            if target and isinstance(value, ast.Call) and method(value) in {"channel", "declare_queue"}:
                names.add((scope_of(node, parent_of), target))
    return names


_LIMIT_KEYS = frozenset({"time_limit", "soft_time_limit"})
_GLOBAL_LIMITS = frozenset(
    {
        "task_time_limit",
        "task_soft_time_limit",
        "CELERY_TASK_TIME_LIMIT",
        "CELERY_TASK_SOFT_TIME_LIMIT",
        "CELERYD_TASK_TIME_LIMIT",
        "CELERYD_TASK_SOFT_TIME_LIMIT",
        "CELERYD_TIME_LIMIT",
    }
)


def _task_decorator(index: CodeIndex, deco: Decorator) -> bool:
    target = deco.target or ""
    if target in {"celery.shared_task", "celery.task"}:
        return True
    if not deco.raw.endswith(".task"):
        return False
    return "celery" in target.lower() or any("celery" in name.lower() for _, name in index.imports)


def _global_limit(indexes: list[CodeIndex]) -> bool:
    """A global time limit set anywhere: a settings constant, a ``conf.update(task_time_limit=…)``."""
    for index in indexes:
        if any(a.name in _GLOBAL_LIMITS for a in index.assignments):
            return True
        for call in index.calls:
            if call.assigned_to in _GLOBAL_LIMITS or (
                call.assigned_to and call.assigned_to.endswith(tuple(f".{name}" for name in _GLOBAL_LIMITS))
            ):
                return True
            if any(
                arg.keyword in _GLOBAL_LIMITS or any(i.split("=", 1)[0] in _GLOBAL_LIMITS for i in arg.items)
                for arg in call.args
            ):
                return True
    return False


def _hidden(path: str) -> bool:
    """``.semgrep/``, ``.github/``: tooling, not the application's tasks."""
    return any(part.startswith(".") for part in path.split("/")[:-1])


class CeleryTimeLimitCheck(ProjectCheck):
    name = "celery-time-limits"
    rules = (CELERY_NO_TIME_LIMIT,)
    fact_types = (CodeIndex,)

    def check(self, facts: Facts, ctx: CheckContext) -> Iterable[Finding | Skipped | ToolError]:
        indexes = sorted(facts.of(CodeIndex), key=lambda i: i.path)
        unlimited: list[tuple[CodeIndex, Definition]] = [
            (index, definition)
            for index in indexes
            if not looks_like_test_or_sample(index.path) and not _hidden(index.path)
            for definition in index.definitions
            for deco in definition.decorators
            if _task_decorator(index, deco) and not any(a.keyword in _LIMIT_KEYS for a in deco.args)
        ]
        if not unlimited or _global_limit(indexes):
            return []
        index, first = unlimited[0]
        names = ", ".join(d.qualname for _, d in unlimited[:5]) + (" …" if len(unlimited) > 5 else "")
        return [
            self.finding(
                CELERY_NO_TIME_LIMIT,
                f"{len(unlimited)} Celery task(s) have no time limit and no global task_time_limit is set ({names})",
                Location(path=index.path, start_line=first.line, end_line=first.line, snippet=f"def {first.name}"),
                confidence=Confidence.MEDIUM,
                evidence={"tasks": str(len(unlimited)), "first": names},
                remediation="Set a global limit (`task_soft_time_limit`/`task_time_limit`, or "
                "`CELERY_TASK_SOFT_TIME_LIMIT`/`CELERY_TASK_TIME_LIMIT` in Django settings) above the slowest "
                "task's normal run time, and per-task `soft_time_limit=`/`time_limit=` where a task needs more.",
            )
        ]
