"""Retries that never stop, retry in lockstep, or replay a payment: retry decorators (tenacity, backoff,
retrying, retry) and hand-written retry loops, read from the module's syntax tree."""

from __future__ import annotations

import ast
import re
from collections.abc import Iterable, Iterator

from redline.checks.interface import CheckContext, FileCheck
from redline.checks.resilience.astutil import Hit, has_star, hit_findings, imports_any, is_none, kw, method
from redline.core.filekinds import linter_rule_fixture, looks_like_test_or_sample
from redline.core.model import Area, Finding, Severity
from redline.core.rules import Rule, RuleDoc
from redline.sources.code.astwalk import dotted
from redline.sources.python import PythonModule

_TAGS = ("CWE-400", "STRIDE:D")
_BROOKER = "https://aws.amazon.com/builders-library/timeouts-retries-and-backoff-with-jitter/"
_JITTER_BLOG = "https://aws.amazon.com/blogs/architecture/exponential-backoff-and-jitter/"

RETRY_FOREVER = Rule(
    code="RES120",
    name="retry-decorator-without-stop",
    area=Area.RESILIENCE,
    severity=Severity.MEDIUM,
    summary="Retry decorator with no stop condition (retries forever)",
    tags=_TAGS,
    doc=RuleDoc(
        what_it_does="Finds `tenacity.retry`/`Retrying`/`AsyncRetrying` without `stop=`, `backoff.on_exception`/"
        "`on_predicate` without `max_tries` or `max_time`, `retrying.retry` without a `stop_max_*` limit and "
        "`retry.retry` without `tries`: every one of these libraries retries forever by default.",
        why_bad="A dependency that is down for good (a revoked key, a deleted bucket) turns each call into an "
        "endless loop: the caller never answers, the worker is lost, and every retry adds load to a "
        "dependency that is already failing.",
        example="@tenacity.retry(wait=tenacity.wait_random_exponential(max=10))\ndef charge(order): ...",
        use_instead="@tenacity.retry(stop=tenacity.stop_after_attempt(3) | tenacity.stop_after_delay(10),\n"
        "                wait=tenacity.wait_random_exponential(max=10))\ndef charge(order): ...",
        references=(
            "https://tenacity.readthedocs.io/en/latest/#stopping",
            "https://github.com/litl/backoff#readme",
            _BROOKER,
        ),
    ),
)

BACKOFF_WITHOUT_JITTER = Rule(
    code="RES121",
    name="exponential-backoff-without-jitter",
    area=Area.RESILIENCE,
    severity=Severity.LOW,
    summary="Exponential backoff without jitter",
    tags=_TAGS,
    doc=RuleDoc(
        what_it_does="Finds `tenacity` retries whose `wait=` is a bare `wait_exponential(...)` (nothing random "
        "added) and `backoff` decorators with `jitter=None`. A retry that polls the caller's own job "
        "(`retry_if_result`, or an exception named like `StatementNotFinished`/`NotReady`/`Pending`) is "
        "left alone: one client polling has nobody to fall into step with.",
        why_bad="Clients that failed together retry together: without jitter every caller wakes at the same "
        "1, 2, 4, 8 s marks, and the recovering dependency meets synchronised waves of load that knock it "
        "over again.",
        example="@retry(stop=stop_after_attempt(5), wait=wait_exponential(multiplier=1, max=30))",
        use_instead="@retry(stop=stop_after_attempt(5), wait=wait_random_exponential(multiplier=1, max=30))\n"
        "# or: wait=wait_exponential(multiplier=1, max=30) + wait_random(0, 1)",
        references=("https://tenacity.readthedocs.io/en/latest/#waiting-before-retrying", _JITTER_BLOG),
    ),
)

RETRY_LOOP_UNBOUNDED = Rule(
    code="RES122",
    name="retry-loop-without-bound",
    area=Area.RESILIENCE,
    severity=Severity.MEDIUM,
    summary="Hand-written `while True` retry loop that never gives up",
    tags=_TAGS,
    doc=RuleDoc(
        what_it_does="Finds `while True:` loops that retry: a `try` whose body leaves the loop on success "
        "(`return`/`break`), an `except` that sleeps and goes round again, and no `raise`, `return` or "
        "`break` on any failure path (no attempt counter, no deadline). Loops in a stream's `__next__`/"
        "`__anext__` or a service's `run`/`serve`, which reconnect for as long as they live by contract, "
        "are left alone.",
        why_bad="When the dependency stays down the loop spins forever: the request never completes, its "
        "worker is gone, and the failure is never reported to anyone who could act on it.",
        example="while True:\n    try:\n        return client.fetch(key)\n    except ConnectionError:\n"
        "        time.sleep(1)",
        use_instead="for attempt in range(5):\n    try:\n        return client.fetch(key)\n"
        "    except ConnectionError:\n        if attempt == 4:\n            raise\n"
        "        time.sleep(random.uniform(0, 2 ** attempt))",
        references=(_BROOKER, "https://sre.google/sre-book/addressing-cascading-failures/"),
    ),
)

RETRY_LOOP_NO_JITTER = Rule(
    code="RES123",
    name="retry-loop-without-jitter",
    area=Area.RESILIENCE,
    severity=Severity.LOW,
    summary="Hand-written retry loop whose backoff grows without jitter",
    tags=_TAGS,
    doc=RuleDoc(
        what_it_does="Finds hand-written retry loops (a `try` that leaves the loop on success, an `except` "
        "that sleeps) whose sleep grows exponentially (`2 ** attempt`, `delay *= 2`) with nothing random "
        "in it. Fixed short pauses are left alone.",
        why_bad="Callers that failed at the same moment back off on the same schedule and hit the "
        "recovering dependency in synchronised waves; jitter spreads them out.",
        example="for attempt in range(5):\n    try:\n        return send(batch)\n    except TimeoutError:\n"
        "        time.sleep(2 ** attempt)",
        use_instead="        time.sleep(random.uniform(0, 2 ** attempt))  # full jitter",
        references=(_JITTER_BLOG, _BROOKER),
    ),
)

RETRIED_POST = Rule(
    code="RES124",
    name="post-retried-without-idempotency-key",
    area=Area.RESILIENCE,
    severity=Severity.MEDIUM,
    summary="Non-idempotent POST retried without an idempotency key",
    tags=("CWE-837", "STRIDE:T"),
    doc=RuleDoc(
        what_it_does="Finds urllib3 `Retry` policies that retry `POST` (`allowed_methods` naming it, or "
        "`allowed_methods=None`/`method_whitelist=False`, which retry every method), and functions under a "
        "retry decorator that send a `.post(...)`, in modules that never mention an idempotency key (or a "
        "delivery id / deduplication key the receiver can use as one).",
        why_bad="A POST that timed out may have succeeded: the server charged the card, then the answer was "
        "lost. Retrying it without an idempotency key the server deduplicates on charges twice, ships "
        "twice, or creates duplicate rows.",
        example="@retry(stop=stop_after_attempt(3))\ndef charge(order):\n"
        "    return session.post(url, json=order.payload(), timeout=10)",
        use_instead="@retry(stop=stop_after_attempt(3))\ndef charge(order):\n"
        '    headers = {"Idempotency-Key": order.charge_key}  # the same key on every attempt\n'
        "    return session.post(url, json=order.payload(), headers=headers, timeout=10)",
        references=(
            "https://datatracker.ietf.org/doc/draft-ietf-httpapi-idempotency-key-header/",
            "https://stripe.com/docs/api/idempotent_requests",
            "https://urllib3.readthedocs.io/en/stable/reference/urllib3.util.html#urllib3.util.Retry",
        ),
    ),
)

_TENACITY = frozenset({"tenacity.retry", "tenacity.Retrying", "tenacity.AsyncRetrying"})
_BACKOFF = frozenset({"backoff.on_exception", "backoff.on_predicate"})
_RETRYING = frozenset({"retrying.retry"})
_RETRY_PKG = frozenset({"retry.retry", "retry.api.retry"})
_EXPONENTIAL = frozenset({"tenacity.wait_exponential", "tenacity.wait.wait_exponential"})
_URLLIB3_RETRY = frozenset(
    {"urllib3.Retry", "urllib3.util.Retry", "urllib3.util.retry.Retry", "requests.adapters.Retry"}
)
_SLEEPS = frozenset({"time.sleep", "asyncio.sleep", "gevent.sleep", "trio.sleep", "anyio.sleep"})
#: an idempotency key, or a per-delivery id the receiver deduplicates on (mlflow's webhook delivery id)
_IDEMPOTENCY = re.compile(r"idempoten|delivery[_-]?id|dedup(?:e|lication)?[_-]?(?:key|id)", re.IGNORECASE)
_RANDOM_HINT = re.compile(r"random|jitter|uniform", re.IGNORECASE)
_ALL_RETRY_DECORATORS = _TENACITY | _BACKOFF | _RETRYING | _RETRY_PKG


def _decorator_calls(module: PythonModule) -> Iterator[tuple[ast.expr, str]]:
    """Retry decorators and policy objects: ``@retry`` bare or called, ``Retrying(...)`` anywhere."""
    for node in module.nodes:
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            for deco in node.decorator_list:
                qual = module.qualname(deco)
                if qual in _TENACITY | _RETRYING | _RETRY_PKG:  # bare ``@retry``: every default applies
                    yield deco, qual
    for call in module.calls:
        qual = module.qualname(call.func)
        if qual in _ALL_RETRY_DECORATORS:
            yield call, qual


def _stop_missing(node: ast.expr, qual: str) -> str | None:
    """Why this retry never stops, or None when it does (or when ``**kwargs`` may hold the limit)."""
    if not isinstance(node, ast.Call):
        return f"`@{qual.rsplit('.', 1)[-1]}` with no arguments retries forever"
    if has_star(node):
        return None
    if qual in _TENACITY and kw(node, "stop") is None:
        return "tenacity retries forever without `stop=`"
    if qual in _BACKOFF and kw(node, "max_tries") is None and kw(node, "max_time") is None:
        return "backoff retries forever without `max_tries` or `max_time`"
    limits = ("stop_max_attempt_number", "stop_max_delay", "stop_func", "stop")
    if qual in _RETRYING and not any(kw(node, name) is not None for name in limits):
        return "retrying retries forever without `stop_max_attempt_number` or `stop_max_delay`"
    if qual in _RETRY_PKG and kw(node, "tries") is None and len(node.args) < 2:
        return "retry's `tries` defaults to -1: it retries forever"
    return None


def _forever(module: PythonModule) -> Iterator[Hit]:
    for node, qual in _decorator_calls(module):
        why = _stop_missing(node, qual)
        if why:
            yield Hit(
                RETRY_FOREVER,
                node,
                why,
                "Bound the retries by attempts and by time, within the caller's budget: tenacity "
                "`stop=stop_after_attempt(3) | stop_after_delay(10)`, backoff `max_tries=3, max_time=10`.",
            )


def _no_jitter(module: PythonModule) -> Iterator[Hit]:
    for node, qual in _decorator_calls(module):
        if not isinstance(node, ast.Call):
            continue
        wait = kw(node, "wait")
        wait_call = wait.value if wait is not None and isinstance(wait.value, ast.Call) else None
        exponential = wait_call is not None and module.qualname(wait_call.func) in _EXPONENTIAL
        if qual in _TENACITY and wait_call is not None and exponential and not _polls(node):
            yield Hit(
                BACKOFF_WITHOUT_JITTER,
                wait_call,
                "exponential backoff without jitter: failed callers retry in lockstep",
                "Use `wait_random_exponential(multiplier=…, max=…)` (full jitter), or add "
                "`+ wait_random(0, 1)` to the exponential wait.",
            )
        jitter = kw(node, "jitter")
        if qual in _BACKOFF and jitter is not None and is_none(jitter.value):
            yield Hit(
                BACKOFF_WITHOUT_JITTER,
                jitter.value,
                "backoff with `jitter=None`: failed callers retry in lockstep",
                "Drop `jitter=None` (backoff's default is full jitter) or pass `jitter=backoff.full_jitter`.",
            )


#: a retry on "not finished yet" polls the caller's own job: one client, nothing to de-synchronise
_POLLING = re.compile(r"not_?finished|not_?ready|not_?done|pending|in_?progress|still_?running", re.IGNORECASE)


def _polls(decorator: ast.Call) -> bool:
    """``retry=retry_if_exception_type(StatementNotFinishedError)`` or ``retry=retry_if_result(...)``."""
    predicate = kw(decorator, "retry")
    if predicate is None or not isinstance(predicate.value, ast.Call):
        return False
    if (dotted(predicate.value.func) or "").endswith("retry_if_result"):
        return True
    return any(
        isinstance(a, ast.Name | ast.Attribute) and _POLLING.search(dotted(a) or "") for a in predicate.value.args
    )


def _exits(nodes: Iterable[ast.stmt], kinds: tuple[type, ...]) -> bool:
    """Does any statement here (not inside a nested loop or function) leave by one of ``kinds``?"""
    stack: list[ast.AST] = list(nodes)
    while stack:
        node = stack.pop()
        if isinstance(node, kinds):
            return True
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda | ast.ClassDef):
            continue
        if isinstance(node, ast.For | ast.AsyncFor | ast.While):
            leaving = tuple(k for k in kinds if k is not ast.Break)  # a nested break stays in our loop
            if leaving and any(isinstance(n, leaving) for n in ast.walk(node)):
                return True
            continue
        stack.extend(ast.iter_child_nodes(node))
    return False


def _retry_try(loop: ast.While | ast.For) -> ast.Try | None:
    """The ``try`` that makes this loop a retry loop: its body leaves on success, it has a handler."""
    for stmt in loop.body:
        leaves = isinstance(stmt, ast.Try) and (
            _exits(stmt.body, (ast.Return, ast.Break)) or _exits(stmt.orelse, (ast.Return, ast.Break))
        )
        if isinstance(stmt, ast.Try) and stmt.handlers and leaves:
            return stmt
    return None


def _sleeps(module: PythonModule, nodes: Iterable[ast.AST]) -> list[ast.Call]:
    return [
        n for stmt in nodes for n in ast.walk(stmt) if isinstance(n, ast.Call) and module.qualname(n.func) in _SLEEPS
    ]


def _is_forever(loop: ast.While) -> bool:
    return isinstance(loop.test, ast.Constant) and bool(loop.test.value) is True


#: a stream's next item or a long-running service loop reconnects for as long as it lives, by contract
#: (prefect's subscription ``__anext__``): not a call that should give up
_STREAM_METHODS = frozenset({"__next__", "__anext__", "__iter__", "__aiter__", "run", "serve", "serve_forever"})


def _stream_methods(module: PythonModule) -> set[int]:
    """``id`` of every loop inside a stream or service method."""
    return {
        id(n)
        for fn in module.nodes
        if isinstance(fn, ast.FunctionDef | ast.AsyncFunctionDef) and fn.name in _STREAM_METHODS
        for n in ast.walk(fn)
        if isinstance(n, ast.While)
    }


def _unbounded_loops(module: PythonModule) -> Iterator[Hit]:
    streams = _stream_methods(module)
    for loop in module.nodes:
        if not isinstance(loop, ast.While) or not _is_forever(loop) or id(loop) in streams:
            continue
        attempt = _retry_try(loop)
        if attempt is None or not _sleeps(module, loop.body):
            continue
        others = [s for s in loop.body if s is not attempt]
        failure_paths = [*(s for h in attempt.handlers for s in h.body), *attempt.finalbody, *others]
        if _exits(failure_paths, (ast.Raise, ast.Return, ast.Break)):
            continue
        yield Hit(
            RETRY_LOOP_UNBOUNDED,
            loop,
            "retry loop with no attempt limit or deadline: it spins for as long as the dependency is down",
            "Retry a bounded number of times (`for attempt in range(5)`) or until a deadline, re-raise the "
            "last error, and sleep `random.uniform(0, base * 2 ** attempt)` between attempts.",
        )


def _grows(arg: ast.expr, loop: ast.While | ast.For) -> bool:
    """``2 ** attempt``, ``base * 2 ** n``, or a name the loop multiplies (``delay *= 2``)."""
    if any(isinstance(n, ast.BinOp) and isinstance(n.op, ast.Pow) for n in ast.walk(arg)):
        return True
    names = {n.id for n in ast.walk(arg) if isinstance(n, ast.Name)}
    return any(
        isinstance(n, ast.AugAssign)
        and isinstance(n.op, ast.Mult | ast.Pow | ast.LShift)
        and isinstance(n.target, ast.Name)
        and n.target.id in names
        for n in ast.walk(loop)
    )


def _random(arg: ast.expr) -> bool:
    return any(
        (isinstance(n, ast.Name) and _RANDOM_HINT.search(n.id))
        or (isinstance(n, ast.Attribute) and _RANDOM_HINT.search(n.attr))
        for n in ast.walk(arg)
    )


def _jitterless_loops(module: PythonModule) -> Iterator[Hit]:
    for loop in module.nodes:
        if not isinstance(loop, ast.While | ast.For) or (attempt := _retry_try(loop)) is None:
            continue
        for sleep in _sleeps(module, [*(s for h in attempt.handlers for s in h.body), *loop.body]):
            arg = sleep.args[0] if sleep.args else None
            if arg is not None and _grows(arg, loop) and not _random(arg) and not _jitter_nearby(loop):
                yield Hit(
                    RETRY_LOOP_NO_JITTER,
                    sleep,
                    "retry backoff grows exponentially with no jitter: failed callers retry in lockstep",
                    "Sleep a random share of the backoff (full jitter): "
                    "`time.sleep(random.uniform(0, base * 2 ** attempt))`.",
                )
                break


def _jitter_nearby(loop: ast.While | ast.For) -> bool:
    """A name like ``jitter``/``random`` computed in the loop feeds the delay some other way."""
    return any(isinstance(n, ast.Name | ast.Attribute) and _random(n) for n in ast.walk(loop))


def _retried_posts(module: PythonModule) -> Iterator[Hit]:
    if any(_IDEMPOTENCY.search(line) for line in module.lines):
        return
    for call in module.calls:
        if module.qualname(call.func) in _URLLIB3_RETRY and _retries_post(call):
            yield Hit(
                RETRIED_POST,
                call,
                "this Retry policy retries POST, and the module never sends an idempotency key",
                "Leave POST out of `allowed_methods` (urllib3's default already does), or send an "
                "`Idempotency-Key` header the server deduplicates on.",
            )
    for node in module.nodes:
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef) and _retry_decorated(module, node):
            posts = [n for n in ast.walk(node) if isinstance(n, ast.Call) and method(n) == "post"]
            for post in posts[:1]:
                yield Hit(
                    RETRIED_POST,
                    post,
                    f"`{dotted(post.func) or 'post'}` runs under a retry decorator with no idempotency key",
                    "Send an `Idempotency-Key` header (the same value on every attempt) that the server "
                    "deduplicates on, or retry only errors that prove the request was not processed.",
                )


def _retries_post(call: ast.Call) -> bool:
    for name in ("allowed_methods", "method_whitelist"):
        found = kw(call, name)
        if found is None:
            continue
        value = found.value
        if is_none(value) or (isinstance(value, ast.Constant) and value.value is False):
            return True
        return any(isinstance(n, ast.Constant) and n.value == "POST" for n in ast.walk(value))
    return False


def _retry_decorated(module: PythonModule, fn: ast.FunctionDef | ast.AsyncFunctionDef) -> bool:
    for deco in fn.decorator_list:
        target = deco.func if isinstance(deco, ast.Call) else deco
        if module.qualname(target) in _ALL_RETRY_DECORATORS:
            return True
    return False


def _sleeps_anywhere(module: PythonModule) -> bool:
    """A hand-written retry loop waits: a module that never sleeps has none."""
    return any(module.qualname(c.func) in _SLEEPS for c in module.calls)


class RetryCheck(FileCheck):
    name = "python-retries"
    rules = (RETRY_FOREVER, BACKOFF_WITHOUT_JITTER, RETRY_LOOP_UNBOUNDED, RETRY_LOOP_NO_JITTER, RETRIED_POST)
    fact_types = (PythonModule,)

    def check_file(self, fact: PythonModule, ctx: CheckContext) -> Iterable[Finding]:
        if looks_like_test_or_sample(fact.path):
            return []  # a retry in a test exercises the code under test; it runs against no real dependency
        judges = [_unbounded_loops, _jitterless_loops] if _sleeps_anywhere(fact) else []
        if imports_any(fact, ("tenacity", "backoff", "retrying", "retry", "urllib3", "requests")):
            judges += [_forever, _no_jitter, _retried_posts]
        if not judges or linter_rule_fixture(fact.lines):
            return []
        return hit_findings(self, fact, (hit for judge in judges for hit in judge(fact)), ctx.enabled)
