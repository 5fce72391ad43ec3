"""External calls made without a timeout, in Python source.

A call without a timeout waits as long as the peer (or a dead TCP
connection) lets it: one slow dependency then holds a worker forever and
the stall spreads to every caller. Each client library has its own way to be
wrong, so there is one rule per library.
"""

from __future__ import annotations

import ast
from collections.abc import Iterable, Iterator

from redline.checks.interface import CheckContext
from redline.checks.resilience.astutil import (
    assigned_values,
    bound_calls,
    has_star,
    is_none,
    kw,
    location,
    method,
    receiver,
    timeout_given,
)
from redline.checks.resilience.healthchecks import PythonTimeoutCheck
from redline.core.context import lower_in_context
from redline.core.filekinds import linter_rule_fixture, looks_like_test_or_sample
from redline.core.model import Area, Confidence, Finding, Severity
from redline.core.rules import Rule, RuleDoc
from redline.sources.code.astwalk import dotted
from redline.sources.python import PythonModule

_TAGS = ("CWE-400", "STRIDE:D")
_REF_RELEASE_IT = 'Michael T. Nygard, *Release It!*, 2nd ed., chapter 5 "Stability Patterns: Timeouts"'

REQUESTS_NO_TIMEOUT = Rule(
    code="RES101",
    name="requests-without-timeout",
    area=Area.RESILIENCE,
    severity=Severity.MEDIUM,
    summary="HTTP call through requests without a timeout",
    tags=_TAGS,
    doc=RuleDoc(
        what_it_does="Finds calls through `requests` (module functions and `Session` objects) "
        "that pass no `timeout`, or pass `timeout=None`. In a script run by hand (a program in a top-level "
        "`bin/`, `scripts/`, `tools/`, `hack/` or `dev/` folder that no module of the application imports and no "
        "start command runs) or at image build (a program a Dockerfile `RUN` line runs, imported by nothing of the "
        "application) the finding is kept "
        "apart, at low, as the timeout rules RES101–RES113 do there: it stalls a maintainer's terminal or a build, "
        "not a request.",
        why_bad="requests never times out by default. A peer that accepts the connection and then "
        "stops answering blocks the calling thread forever; under load every worker ends up "
        "waiting on the same dead dependency and the service stops serving.",
        example='import requests\n\nresp = requests.get("https://api.example.com/orders")',
        use_instead='resp = requests.get("https://api.example.com/orders", timeout=(3.05, 10))',
        references=(
            "https://requests.readthedocs.io/en/latest/user/advanced/#timeouts",
            "https://bandit.readthedocs.io/en/latest/plugins/b113_request_without_timeout.html",
            _REF_RELEASE_IT,
        ),
    ),
)

HTTPX_TIMEOUT_DISABLED = Rule(
    code="RES102",
    name="httpx-timeout-disabled",
    area=Area.RESILIENCE,
    severity=Severity.MEDIUM,
    summary="httpx call or client with its timeout disabled",
    tags=_TAGS,
    doc=RuleDoc(
        what_it_does="Finds httpx requests, `Client`/`AsyncClient` constructions and `Timeout` "
        "objects that set the timeout to `None`.",
        why_bad="httpx times out after 5 seconds by default; `timeout=None` switches that off and "
        "lets a stalled peer hold the connection and the caller forever.",
        example="client = httpx.Client(timeout=None)",
        use_instead="client = httpx.Client(timeout=httpx.Timeout(10.0, connect=3.0))",
        references=("https://www.python-httpx.org/advanced/timeouts/", _REF_RELEASE_IT),
    ),
)

URLOPEN_NO_TIMEOUT = Rule(
    code="RES103",
    name="urlopen-without-timeout",
    area=Area.RESILIENCE,
    severity=Severity.MEDIUM,
    summary="urllib.request.urlopen without a timeout",
    tags=_TAGS,
    doc=RuleDoc(
        what_it_does="Finds `urllib.request.urlopen` calls that pass no `timeout`.",
        why_bad="Without a timeout, urlopen falls back to the global socket default, which is "
        "no timeout at all unless something called `socket.setdefaulttimeout`; the call can block forever.",
        example="with urllib.request.urlopen(url) as resp:\n    body = resp.read()",
        use_instead="with urllib.request.urlopen(url, timeout=10) as resp:\n    body = resp.read()",
        references=("https://docs.python.org/3/library/urllib.request.html#urllib.request.urlopen", _REF_RELEASE_IT),
    ),
)

AIOHTTP_NO_TIMEOUT = Rule(
    code="RES104",
    name="aiohttp-session-without-timeout",
    area=Area.RESILIENCE,
    severity=Severity.LOW,
    summary="aiohttp session or request without an explicit timeout",
    tags=_TAGS,
    doc=RuleDoc(
        what_it_does="Finds `aiohttp.ClientSession(...)` and `aiohttp.request(...)` without a "
        "`timeout`, and any of them with `timeout=None`.",
        why_bad="aiohttp's default total timeout is five minutes: far longer than any caller's "
        "budget, so a slow peer ties up the event loop's connections long after the user gave up. "
        "`timeout=None` removes the limit entirely.",
        example="async with aiohttp.ClientSession() as session:\n    ...",
        use_instead="timeout = aiohttp.ClientTimeout(total=10, sock_connect=3)\n"
        "async with aiohttp.ClientSession(timeout=timeout) as session:\n    ...",
        references=("https://docs.aiohttp.org/en/stable/client_quickstart.html#timeouts", _REF_RELEASE_IT),
    ),
)

SOCKET_NO_TIMEOUT = Rule(
    code="RES105",
    name="socket-connect-without-timeout",
    area=Area.RESILIENCE,
    severity=Severity.LOW,
    summary="socket.create_connection without a timeout",
    tags=_TAGS,
    doc=RuleDoc(
        what_it_does="Finds `socket.create_connection` calls that pass no timeout.",
        why_bad="The connection then uses the global default, normally blocking: a black-holed "
        "address waits for the kernel's SYN retries (minutes) and reads can block forever.",
        example='sock = socket.create_connection(("db", 5432))',
        use_instead='sock = socket.create_connection(("db", 5432), timeout=5)',
        references=("https://docs.python.org/3/library/socket.html#socket.create_connection", _REF_RELEASE_IT),
    ),
)

REQUESTS_SEND_NO_TIMEOUT = Rule(
    code="RES106",
    name="requests-session-send-without-timeout",
    area=Area.RESILIENCE,
    severity=Severity.MEDIUM,
    summary="Prepared request sent through a requests Session without a timeout",
    tags=_TAGS,
    doc=RuleDoc(
        what_it_does="Finds `Session.send(prepared)` calls (on a name bound to `requests.Session()`, or on "
        "`requests.Session()` itself) that pass no `timeout`, or `timeout=None`. Outbound webhooks and "
        "signed requests are sent this way. A session with a custom transport adapter mounted (the usual "
        "place for a session-wide timeout) is left alone.",
        why_bad="`send` ignores nothing and adds nothing: without `timeout` the prepared request waits "
        "forever on a receiver that accepts the connection and never answers. Webhook receivers are "
        "third-party servers you do not control, so one slow subscriber stalls every delivery worker.",
        example="session = requests.Session()\nprepared = session.prepare_request(req)\nresp = session.send(prepared)",
        use_instead="resp = session.send(prepared, timeout=(3.05, 10))",
        references=(
            "https://requests.readthedocs.io/en/latest/api/#requests.Session.send",
            "https://requests.readthedocs.io/en/latest/user/advanced/#timeouts",
            _REF_RELEASE_IT,
        ),
    ),
)

_SESSION_METHODS = {"get", "post", "put", "patch", "delete", "head", "options", "request"}
_REQUESTS_FUNCS = {f"requests.{m}" for m in _SESSION_METHODS} | {f"requests.api.{m}" for m in _SESSION_METHODS}
_SESSION_FACTORIES = {"requests.Session", "requests.session", "requests.sessions.Session"}
_PLAIN_ADAPTERS = {"requests.adapters.HTTPAdapter", "requests.HTTPAdapter"}
_HTTPX_FUNCS = {f"httpx.{m}" for m in ("get", "post", "put", "patch", "delete", "head", "options", "request", "stream")}
_HTTPX_OBJECTS = {"httpx.Client", "httpx.AsyncClient", "httpx.Timeout"}
_URLOPEN = {"urllib.request.urlopen", "urllib2.urlopen"}
_AIOHTTP = {"aiohttp.ClientSession", "aiohttp.request", "aiohttp.client.ClientSession"}
_CREATE_CONNECTION = {"socket.create_connection"}


_TIMEOUT_ARG = {
    "RES101": "timeout=(3.05, 10)",
    "RES102": "timeout=httpx.Timeout(10.0, connect=3.0)",
    "RES103": "timeout=10",
    "RES104": "timeout=aiohttp.ClientTimeout(total=10, sock_connect=3)",
    "RES105": "timeout=5",
    "RES106": "timeout=(3.05, 10)",
}


def _fix(rule: Rule, call: ast.Call) -> str:
    """The argument to add to this very call, then the rule's worked example."""
    return (
        f"Pass `{_TIMEOUT_ARG[rule.code]}` to this `{_callee(call)}(…)` call (seconds: pick what the caller "
        f"can wait). For example:\n{rule.doc.use_instead}"
    )


def _session_names(module: PythonModule) -> set[str]:
    """Names and ``self.x`` attributes bound to a ``requests.Session()`` in this module, except sessions
    with a custom transport adapter mounted (where a session-wide timeout usually lives)."""
    names = set(bound_calls(module, frozenset(_SESSION_FACTORIES)))
    return names - _adapted_sessions(module)


def _adapted_sessions(module: PythonModule) -> set[str]:
    """Receivers of ``x.mount(prefix, adapter)`` where the adapter is not requests' own ``HTTPAdapter``
    (which has no timeout setting): a ``TimeoutHTTPAdapter`` subclass applies one to every request."""
    values = assigned_values(module)
    adapted: set[str] = set()
    for call in module.calls:
        if method(call) != "mount" or len(call.args) < 2 or (rec := receiver(call)) is None:
            continue
        adapter = call.args[1]
        if isinstance(adapter, ast.Name) and adapter.id in values:
            adapter = values[adapter.id]
        if isinstance(adapter, ast.Call) and module.qualname(adapter.func) in _PLAIN_ADAPTERS:
            continue
        if is_none(adapter):
            continue
        adapted.add(rec)
    return adapted


class MissingTimeoutCheck(PythonTimeoutCheck):
    name = "python-missing-timeout"
    rules = (
        REQUESTS_NO_TIMEOUT,
        HTTPX_TIMEOUT_DISABLED,
        URLOPEN_NO_TIMEOUT,
        AIOHTTP_NO_TIMEOUT,
        SOCKET_NO_TIMEOUT,
        REQUESTS_SEND_NO_TIMEOUT,
    )

    def check_module(self, fact: PythonModule, ctx: CheckContext) -> Iterable[Finding]:
        if not any(
            lib in name
            for name in fact.imports.values()
            for lib in ("requests", "httpx", "urllib", "aiohttp", "socket")
        ):
            return []
        if linter_rule_fixture(fact.lines):
            return []  # a semgrep rule's test target holds the pattern on purpose (saleor's .semgrep/)
        sessions = _session_names(fact)
        return list(self._scan(fact, sessions, in_tests=looks_like_test_or_sample(fact.path)))

    def _scan(self, module: PythonModule, sessions: set[str], *, in_tests: bool) -> Iterator[Finding]:
        for node in module.calls:
            if has_star(node):
                continue
            qual = module.qualname(node.func)
            found = self._judge(node, qual, sessions | _inline_session(module, node))
            if found is not None:
                rule, message = found
                confidence = Confidence.LOW if in_tests else Confidence.HIGH if qual else Confidence.MEDIUM
                finding = self.finding(
                    rule,
                    message,
                    location(module, node),
                    confidence=confidence,
                    severity=Severity.LOW if in_tests else None,
                    remediation=_fix(rule, node),
                )
                # a test's client talks to a test server: low and in the context section, as every family lists
                # what it finds in tests (plane's tests/smoke/test_auth_smoke.py was on the main list)
                yield lower_in_context(finding, confidence_lowered=True) if in_tests else finding

    def _judge(self, call: ast.Call, qual: str | None, sessions: set[str]) -> tuple[Rule, str] | None:
        timeout = kw(call, "timeout")
        if self._is_send(call, sessions):
            if timeout is None or is_none(timeout.value):
                name = dotted(call.func) or "requests.Session().send"
                return REQUESTS_SEND_NO_TIMEOUT, f"`{name}` sends the prepared request without a timeout"
            return None
        if qual in _REQUESTS_FUNCS or self._is_session_call(call, sessions):
            return _judge_requests(call, timeout)
        if qual in _HTTPX_FUNCS or qual in _HTTPX_OBJECTS:
            return _judge_httpx(call, qual, timeout)
        if qual in _URLOPEN:
            if not timeout_given(call, "timeout", 2):
                return URLOPEN_NO_TIMEOUT, f"`{qual}` is called without a timeout"
            return None
        if qual in _AIOHTTP:
            return _judge_aiohttp(qual, timeout)
        if qual in _CREATE_CONNECTION and not timeout_given(call, "timeout", 1):
            return SOCKET_NO_TIMEOUT, "`socket.create_connection` is called without a timeout"
        return None

    @staticmethod
    def _is_send(call: ast.Call, sessions: set[str]) -> bool:
        """``session.send(prepared)`` on a known session, or ``requests.Session().send(...)``."""
        func = call.func
        if not isinstance(func, ast.Attribute) or func.attr != "send" or not call.args:
            return False
        return dotted(func.value) in sessions or (_INLINE in sessions and isinstance(func.value, ast.Call))

    @staticmethod
    def _is_session_call(call: ast.Call, sessions: set[str]) -> bool:
        func = call.func
        return isinstance(func, ast.Attribute) and func.attr in _SESSION_METHODS and dotted(func.value) in sessions


#: stands for "this call's receiver is ``requests.Session()`` itself" in the set of session names
_INLINE = "<requests.Session()>"


def _inline_session(module: PythonModule, call: ast.Call) -> set[str]:
    func = call.func
    factory = func.value.func if isinstance(func, ast.Attribute) and isinstance(func.value, ast.Call) else None
    return {_INLINE} if factory is not None and module.qualname(factory) in _SESSION_FACTORIES else set()


def _judge_requests(call: ast.Call, timeout: ast.keyword | None) -> tuple[Rule, str] | None:
    if timeout is None:
        return REQUESTS_NO_TIMEOUT, f"`{_callee(call)}` is called without a timeout"
    if is_none(timeout.value):
        return REQUESTS_NO_TIMEOUT, f"`{_callee(call)}` is called with timeout=None"
    return None


def _judge_httpx(call: ast.Call, qual: str | None, timeout: ast.keyword | None) -> tuple[Rule, str] | None:
    if timeout is not None and is_none(timeout.value):
        return HTTPX_TIMEOUT_DISABLED, f"`{qual}` disables the timeout (timeout=None)"
    if qual == "httpx.Timeout" and call.args and is_none(call.args[0]) and not call.keywords:
        return HTTPX_TIMEOUT_DISABLED, "`httpx.Timeout(None)` disables every timeout"
    return None


def _judge_aiohttp(qual: str, timeout: ast.keyword | None) -> tuple[Rule, str] | None:
    if timeout is None:
        return AIOHTTP_NO_TIMEOUT, f"`{qual}` relies on aiohttp's five-minute default timeout"
    if is_none(timeout.value):
        return AIOHTTP_NO_TIMEOUT, f"`{qual}` disables the timeout (timeout=None)"
    return None


def _callee(call: ast.Call) -> str:
    return dotted(call.func) or "call"
