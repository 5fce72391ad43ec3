"""Consumers that let the broker push without limit, beyond pika (RES142): Celery workers acking late with
the default prefetch multiplier, kombu consumers with no ``prefetch_count``, amqplib (Node) channels that
never call ``prefetch``, and Go amqp091 channels that never call ``Qos``."""

from __future__ import annotations

import ast
import re
from collections.abc import Iterable, Iterator

from redline.checks.interface import CheckContext, FileCheck, ProjectCheck
from redline.checks.resilience.astutil import has_star, imports_any, kw, location, method
from redline.core.facts import Facts
from redline.core.filekinds import looks_like_test_or_sample
from redline.core.model import Area, Confidence, Finding, Location, Severity, Skipped, ToolError
from redline.core.rules import Rule, RuleDoc
from redline.sources.code.astwalk import dotted
from redline.sources.code.model import CallSite, CodeIndex
from redline.sources.code.ops_signals import OpsSignals
from redline.sources.python import PythonModule

_TAGS = ("CWE-770", "STRIDE:D")
_PREFETCH_DOC = "https://www.rabbitmq.com/docs/consumer-prefetch"

CELERY_ACKS_LATE_PREFETCH = Rule(
    code="RES171",
    name="celery-acks-late-with-default-prefetch",
    area=Area.RESILIENCE,
    severity=Severity.LOW,
    summary="Celery acks late but keeps the default prefetch multiplier (4 messages reserved per process)",
    tags=_TAGS,
    doc=RuleDoc(
        what_it_does="Reports a project that turns on late acknowledgement (`task_acks_late = True`, "
        "`CELERY_TASK_ACKS_LATE = True`, `conf.update(task_acks_late=True)`, `app.conf.task_acks_late = True` or a "
        "config class attribute) while no `worker_prefetch_multiplier` (`CELERY_WORKER_PREFETCH_MULTIPLIER`, "
        "`CELERYD_PREFETCH_MULTIPLIER`, the worker's `--prefetch-multiplier` option in a Procfile, compose file, "
        "Dockerfile or script) is set anywhere. One finding, at the setting. `acks_late=True` on single tasks is "
        "not judged (on Langflow it marks a ping task and a stub, where prefetch costs nothing). A "
        "multiplier set to any value, or read from the environment, is taken as a decision and not judged.",
        why_bad="Late acknowledgement is chosen for long or must-not-be-lost tasks. With the default multiplier "
        "of 4 each worker process still reserves four messages: they wait unacknowledged behind a long task "
        "while idle workers have nothing to do, and a worker restart redelivers all of them at once. Celery's "
        "own guide pairs `task_acks_late` with `worker_prefetch_multiplier = 1` for exactly this case.",
        example="# settings.py\nCELERY_TASK_ACKS_LATE = True",
        use_instead="# settings.py\nCELERY_TASK_ACKS_LATE = True\nCELERY_WORKER_PREFETCH_MULTIPLIER = 1",
        references=(
            "https://docs.celeryq.dev/en/stable/userguide/optimizing.html#reserve-one-task-at-a-time",
            "https://docs.celeryq.dev/en/stable/userguide/configuration.html#worker-prefetch-multiplier",
            _PREFETCH_DOC,
        ),
    ),
)

KOMBU_NO_PREFETCH = Rule(
    code="RES172",
    name="kombu-consumer-without-prefetch",
    area=Area.RESILIENCE,
    severity=Severity.LOW,
    summary="kombu Consumer without prefetch_count",
    tags=_TAGS,
    doc=RuleDoc(
        what_it_does="Finds `kombu.Consumer(...)`, `connection.Consumer(...)` and the `Consumer(...)` a "
        "`ConsumerMixin.get_consumers` receives, in a module importing kombu, built without `prefetch_count` "
        "when the module never calls `qos(prefetch_count=…)`/`basic_qos(…)` either. Calls passing `**options` "
        "are not judged.",
        why_bad="kombu's `prefetch_count` defaults to None: no limit. The broker delivers every ready message to "
        "this consumer, which holds them in memory unacknowledged; other consumers starve and a crash "
        "redelivers the whole backlog.",
        example="Consumer(channel, queues=[orders], callbacks=[handle])",
        use_instead="Consumer(channel, queues=[orders], callbacks=[handle], prefetch_count=20)",
        references=(
            "https://docs.celeryq.dev/projects/kombu/en/stable/reference/kombu.html#kombu.Consumer",
            _PREFETCH_DOC,
        ),
    ),
)

AMQPLIB_NO_PREFETCH = Rule(
    code="RES173",
    name="amqplib-consume-without-prefetch",
    area=Area.RESILIENCE,
    severity=Severity.LOW,
    summary="amqplib channel.consume without channel.prefetch",
    tags=_TAGS,
    doc=RuleDoc(
        what_it_does="Finds `channel.consume(...)` in JavaScript/TypeScript modules importing `amqplib`, on a "
        "channel the module opens (`createChannel()`/`createConfirmChannel()`), when the module never calls "
        "`prefetch(n)`.",
        why_bad="A channel without prefetch lets RabbitMQ push every ready message to this process: the "
        "Node heap fills with unacknowledged messages, the event loop falls behind, other consumers idle and a "
        "restart redelivers the whole backlog. With `noAck: true` there is no flow control at all.",
        example="const ch = await conn.createChannel();\nch.consume('orders', handle);",
        use_instead="const ch = await conn.createChannel();\nawait ch.prefetch(20);\nch.consume('orders', handle);",
        references=("https://amqp-node.github.io/amqplib/channel_api.html#channel_prefetch", _PREFETCH_DOC),
    ),
)

GO_AMQP_NO_QOS = Rule(
    code="RES174",
    name="go-amqp-consume-without-qos",
    area=Area.RESILIENCE,
    severity=Severity.LOW,
    summary="Go amqp091 Consume without Channel.Qos",
    tags=_TAGS,
    doc=RuleDoc(
        what_it_does="Finds `ch.Consume(...)`/`ch.ConsumeWithContext(...)` in Go files importing "
        "`github.com/rabbitmq/amqp091-go` (or `streadway/amqp`) that open a channel (`conn.Channel()`) and never "
        "call `Qos(prefetchCount, …)`.",
        why_bad="Without `Qos` the broker delivers every ready message to this consumer's Go channel: memory "
        "grows with the backlog, other consumers idle, and a crash redelivers everything unacknowledged. With "
        "`autoAck` true, prefetch does not apply at all and delivery is limited only by the network (the rule "
        "does not tell the two apart in Go: its remediation covers both).",
        example='ch, _ := conn.Channel()\nmsgs, _ := ch.Consume("orders", "", false, false, false, false, nil)',
        use_instead="ch, _ := conn.Channel()\nif err := ch.Qos(20, 0, false); err != nil { return err }\n"
        'msgs, _ := ch.Consume("orders", "", false, false, false, false, nil)',
        references=("https://pkg.go.dev/github.com/rabbitmq/amqp091-go#Channel.Qos", _PREFETCH_DOC),
    ),
)

_ACKS_LATE = frozenset({"task_acks_late", "CELERY_TASK_ACKS_LATE", "CELERY_ACKS_LATE"})
_MULTIPLIER = frozenset(
    {"worker_prefetch_multiplier", "CELERY_WORKER_PREFETCH_MULTIPLIER", "CELERYD_PREFETCH_MULTIPLIER"}
)


def _named(text: str | None, names: frozenset[str]) -> bool:
    return bool(text) and (text in names or text.rsplit(".", 1)[-1] in names)  # type: ignore[union-attr]


def _acks_late_sites(index: CodeIndex) -> Iterator[tuple[int, str]]:
    """(line, what) for each place the module turns late acknowledgement on."""
    for a in index.assignments:
        if a.name in _ACKS_LATE and a.values == (True,):
            yield a.line, f"{a.name} = True"
    for call in index.calls:
        for arg in call.args:
            if arg.keyword in _ACKS_LATE and arg.literal is True:
                yield call.line, f"{call.raw}({arg.keyword}=True)"
    for _, target, line in index.writes:
        if _named(target, _ACKS_LATE):
            yield line, f"{target} = …"


def _multiplier_set(index: CodeIndex) -> bool:
    if any(a.name in _MULTIPLIER for a in index.assignments):
        return True
    if any(_named(target, _MULTIPLIER) for _, target, _ in index.writes):
        return True
    return any(
        _named(call.assigned_to, _MULTIPLIER)
        or any(
            arg.keyword in _MULTIPLIER or any(i.split("=", 1)[0] in _MULTIPLIER for i in arg.items) for arg in call.args
        )
        for call in index.calls
    )


class CeleryPrefetchCheck(ProjectCheck):
    name = "celery-prefetch"
    rules = (CELERY_ACKS_LATE_PREFETCH,)
    fact_types = (CodeIndex, OpsSignals)

    def check(self, facts: Facts, ctx: CheckContext) -> Iterable[Finding | Skipped | ToolError]:
        indexes = sorted(
            (i for i in facts.of(CodeIndex) if i.language == "python" and not looks_like_test_or_sample(i.path)),
            key=lambda i: i.path,
        )
        if not any(module.split(".", 1)[0] == "celery" for i in indexes for _, module in i.imports):
            return []
        signals = [s for found in facts.of(OpsSignals) for s in found.signals if not looks_like_test_or_sample(s.path)]
        sites = {
            (s.path, s.line): f"task_acks_late = True at {s.path.rsplit('/', 1)[-1]}:{s.line}"
            for s in signals
            if s.kind == "celery-acks-late"
        }
        sites |= {(index.path, line): what for index in indexes for line, what in _acks_late_sites(index)}
        outside = [s for s in signals if s.kind == "celery-prefetch"]
        if not sites or outside or any(_multiplier_set(i) for i in indexes):
            return []
        path, line = min(sites)
        what = sites[path, line]
        return [
            self.finding(
                CELERY_ACKS_LATE_PREFETCH,
                f"late acknowledgement is on ({what}) but no worker_prefetch_multiplier is set anywhere: each "
                "worker process reserves 4 messages that wait behind a long task and are all redelivered on restart",
                Location(path=path, start_line=line, end_line=line, snippet=what),
                confidence=Confidence.MEDIUM,
                evidence={"acks_late": what, "sites": str(len(sites))},
                remediation="Set `worker_prefetch_multiplier = 1` (`CELERY_WORKER_PREFETCH_MULTIPLIER = 1` in "
                "Django settings, or `--prefetch-multiplier=1` on the worker) so a process reserves only the task "
                "it runs; keep a higher value only for queues of short tasks, on their own workers.",
            )
        ]


def _kombu_consumer(module: PythonModule, call: ast.Call) -> bool:
    name = (dotted(call.func) or "").rsplit(".", 1)[-1]
    if name != "Consumer":
        return False
    qual = module.qualname(call.func)
    if qual is not None:
        return qual.startswith("kombu.")
    # ``conn.Consumer(...)`` or the ``Consumer`` parameter of ``get_consumers``: not resolved to another library
    local_class = any(isinstance(n, ast.ClassDef) and n.name == "Consumer" for n in module.nodes)
    return not local_class


class KombuPrefetchCheck(FileCheck):
    name = "kombu-consumer-prefetch"
    rules = (KOMBU_NO_PREFETCH,)
    fact_types = (PythonModule,)

    def check_file(self, fact: PythonModule, ctx: CheckContext) -> Iterable[Finding]:
        if not imports_any(fact, ("kombu",)) or looks_like_test_or_sample(fact.path):
            return []
        if any(method(c) in {"qos", "basic_qos"} for c in fact.calls):
            return []
        return [
            self.finding(
                KOMBU_NO_PREFETCH,
                f"`{dotted(call.func)}(...)` sets no prefetch_count: the broker pushes every ready message to it",
                location(fact, call),
                remediation="Pass `prefetch_count=` (a few seconds of work per consumer, e.g. 10-50) to the "
                "Consumer, or call `consumer.qos(prefetch_count=…)` before consuming.",
            )
            for call in fact.calls
            if _kombu_consumer(fact, call) and kw(call, "prefetch_count") is None and not has_star(call)
        ]


_JS_CHANNEL = re.compile(r"(?i)(^|\.)(ch|chan|channel|\w*channel)$")
_GO_AMQP = ("github.com/rabbitmq/amqp091-go", "github.com/streadway/amqp")


def _js_consumes(index: CodeIndex) -> Iterator[tuple[CallSite, bool]]:
    """(consume call, whether it is auto-acked) on channels the module opens, when it never prefetches."""
    if not any(module.startswith("amqplib") for _, module in index.imports):
        return
    opens = [c for c in index.calls if c.raw.endswith((".createChannel", ".createConfirmChannel"))]
    if not opens or any(c.raw.endswith(".prefetch") for c in index.calls):
        return
    opened = {c.assigned_to for c in opens if c.assigned_to}
    for call in index.calls:
        rec, _, name = call.raw.rpartition(".")
        if name == "consume" and (rec in opened or _JS_CHANNEL.search(rec)):
            options = call.args[2].items if len(call.args) > 2 else ()
            yield call, any(i.replace(" ", "") in {"noAck=true", "noAck:true"} for i in options)


def _go_consumes(index: CodeIndex) -> Iterator[tuple[CallSite, bool]]:
    """Consume calls with the full amqp091 argument list, in a module that opens a channel and never sets Qos."""
    if not any(module in _GO_AMQP for _, module in index.imports):
        return
    if not any(c.raw.endswith(".Channel") for c in index.calls) or any(c.raw.endswith(".Qos") for c in index.calls):
        return
    for call in index.calls:
        name = call.raw.rpartition(".")[2]
        ack = {"Consume": 2, "ConsumeWithContext": 3}.get(name)
        if ack is not None and len(call.args) >= ack + 5:
            yield call, False  # the Go index keeps no boolean literals: autoAck is not told apart


class AmqpPrefetchJsGoCheck(ProjectCheck):
    name = "amqp-prefetch-js-go"
    rules = (AMQPLIB_NO_PREFETCH, GO_AMQP_NO_QOS)
    fact_types = (CodeIndex,)

    def check(self, facts: Facts, ctx: CheckContext) -> Iterable[Finding | Skipped | ToolError]:
        found: list[Finding] = []
        for index in sorted(facts.of(CodeIndex), key=lambda i: i.path):
            if looks_like_test_or_sample(index.path):
                continue
            if index.language in {"javascript", "typescript"}:
                found += [self._report(AMQPLIB_NO_PREFETCH, index, c, auto) for c, auto in _js_consumes(index)]
            elif index.language == "go":
                found += [self._report(GO_AMQP_NO_QOS, index, c, auto) for c, auto in _go_consumes(index)]
        return found

    def _report(self, rule: Rule, index: CodeIndex, call: CallSite, auto_ack: bool) -> Finding:
        js = rule is AMQPLIB_NO_PREFETCH
        limit = "`prefetch(n)`" if js else "`Qos(n, 0, false)`"
        if auto_ack:
            message = f"`{call.raw}(...)` auto-acknowledges and the module sets no {limit}: no flow control at all"
            fix = (
                f"Consume with manual acknowledgement and set {limit} on the channel first, so the broker stops "
                "at n unacknowledged messages."
            )
        else:
            message = f"`{call.raw}(...)` runs on a channel with no {limit}: the broker pushes the whole backlog here"
            fix = (
                f"Call {limit} on the channel before consuming (n: what one consumer handles in a few seconds, "
                "e.g. 10-50)."
            )
            if not js:  # autoAck is not visible in the Go index: say what holds either way
                fix += " Prefetch applies only to manual acks: consume with autoAck false and ack each delivery."
        return self.finding(
            rule,
            message,
            Location(index.path, call.line, call.end_line),
            evidence={"call": call.raw, "auto_ack": str(auto_ack).lower()},
            remediation=fix,
        )
