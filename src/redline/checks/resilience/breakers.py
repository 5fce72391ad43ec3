"""Third-party dependencies called straight from a request handler with no circuit breaker around them,
from the code index (calls, string literals, decorators) and the route inventory."""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable, Iterator
from urllib.parse import urlsplit

from redline.checks.interface import CheckContext, ProjectCheck
from redline.core.facts import Facts
from redline.core.filekinds import looks_like_test_or_sample
from redline.core.model import Area, Confidence, Finding, Location, Severity, Skipped, ToolError
from redline.core.rules import Rule, RuleDoc
from redline.sources.code.model import CallSite, CodeIndex
from redline.sources.code.routes import RouteInventory
from redline.sources.code.routes.model import Route
from redline.sources.code.scopes import within

NO_BREAKER = Rule(
    code="RES130",
    name="third-party-call-without-circuit-breaker",
    area=Area.RESILIENCE,
    severity=Severity.INFO,
    summary="Request handler calls a third-party dependency with no circuit breaker",
    tags=("STRIDE:D",),
    doc=RuleDoc(
        what_it_does="For every route handler (Flask, FastAPI/Starlette, Django, aiohttp), names the third-"
        "party dependencies it calls inline: an HTTP call whose URL literal points at an outside host, or "
        "a call into a hosted-service SDK (Stripe, OpenAI, Twilio, SendGrid, Slack …). It stays quiet when "
        "the handler or its module uses a circuit breaker (`pybreaker`, `circuitbreaker`, `aiobreaker`, "
        "`purgatory`) or a decorator named like one, on a route a scheduler calls (a `cron` or `qstash` path "
        "word: no user waits on it), and on a sign-in callback (`/oauth/callback`: exchanging the provider's code "
        "is its work).",
        why_bad="When the provider slows down or fails, every request keeps trying it and waits for its "
        "timeout: the handler's latency becomes the provider's worst case and the worker pool drains. A "
        "breaker notices the failures, fails fast (or serves a fallback) while the provider recovers, and "
        "probes it again later.",
        example='@app.post("/checkout")\ndef checkout():\n'
        '    stripe.PaymentIntent.create(amount=total, currency="eur")',
        use_instead="import pybreaker\n\nstripe_breaker = pybreaker.CircuitBreaker(fail_max=5, reset_timeout=30)\n\n"
        '@app.post("/checkout")\ndef checkout():\n'
        '    stripe_breaker.call(stripe.PaymentIntent.create, amount=total, currency="eur")',
        references=(
            "https://martinfowler.com/bliki/CircuitBreaker.html",
            'Michael T. Nygard, *Release It!*, 2nd ed., chapter 5 "Stability Patterns: Circuit Breaker"',
            "https://github.com/danielfm/pybreaker",
        ),
    ),
)

_BREAKER_LIBS = ("pybreaker", "circuitbreaker", "aiobreaker", "purgatory")
#: hosted-service SDKs: a call into one is a call to that provider over the network
_SDKS = (
    "stripe",
    "openai",
    "anthropic",
    "twilio",
    "sendgrid",
    "slack_sdk",
    "braintree",
    "paypalrestsdk",
    "algoliasearch",
    "googlemaps",
    "mailchimp_marketing",
    "postmarker",
    "cohere",
)
_HTTP_VERBS = frozenset({"get", "post", "put", "patch", "delete", "head", "options", "request", "urlopen", "fetch"})
_INTERNAL_SUFFIXES = (".local", ".internal", ".svc", ".cluster.local", ".lan", ".localhost", ".consul")


def _external_host(url: str) -> str | None:
    """The host of an http(s) URL when it is outside the system (has a dot, not private or internal)."""
    try:
        parts = urlsplit(url)
        host = parts.hostname
    except ValueError:
        return None
    if parts.scheme not in {"http", "https"} or not host or "." not in host or "{" in host:
        return None
    if host.endswith(_INTERNAL_SUFFIXES):
        return None
    try:
        return None if not ipaddress.ip_address(host).is_global else host
    except ValueError:
        return host


def _dependency(call: CallSite, index: CodeIndex, urls: dict[int, list[str]]) -> str | None:
    """The third-party dependency this call reaches, or None."""
    target = call.target or ""
    root = target.split(".", 1)[0]
    if root in _SDKS:
        return f"{root} SDK"
    if call.raw.rsplit(".", 1)[-1] not in _HTTP_VERBS:
        return None
    for line in range(call.line, call.end_line + 1):
        for url in urls.get(line, ()):
            host = _external_host(url)
            if host:
                return host
    return None


def _guarded(index: CodeIndex, handler: str) -> bool:
    """The module uses a breaker library, or the handler carries a breaker-named decorator."""
    if any(name.split(".", 1)[0] in _BREAKER_LIBS for _, name in index.imports):
        return True
    return any(
        "breaker" in (d.target or d.raw).lower()
        for definition in index.definitions
        if within(handler, definition.qualname)
        for d in definition.decorators
    )


def _handler_module(
    route: Route, indexes: dict[str, CodeIndex], by_suffix: dict[str, CodeIndex]
) -> tuple[CodeIndex | None, str]:
    """The module that defines the handler and its qualified name there: a Django ``urls.py`` names
    ``views.add_complete`` through an import (``from app import views``), Flask defines it in place."""
    index = indexes.get(route.file)
    if index is None:
        return None, route.handler
    if any(d.qualname == route.handler for d in index.definitions):
        return index, route.handler
    head, _, rest = route.handler.partition(".")
    imported = index.imported(head) if rest else None
    if imported is not None:
        return _find(f"{imported}.{rest}", by_suffix)
    for _, module in index.imports:  # ``views.oauth_complete`` listed by its last part
        found = _find(f"{module}.{route.handler}", by_suffix)
        if found[0] is not None and any(d.qualname == found[1] for d in found[0].definitions):
            return found
    return None, route.handler


def path_suffixes(indexes: dict[str, CodeIndex]) -> dict[str, CodeIndex]:
    """Every trailing part of every indexed path (``a/b/c.py``, ``b/c.py``, ``c.py``) to its module, the
    first path in walk order winning: one dictionary lookup per module name instead of a scan of them all
    (the scan made this check take 9 s on the Django sdist)."""
    out: dict[str, CodeIndex] = {}
    for path, index in indexes.items():
        parts = path.split("/")
        for cut in range(len(parts)):
            out.setdefault("/".join(parts[cut:]), index)
    return out


def _find(dotted_name: str, by_suffix: dict[str, CodeIndex]) -> tuple[CodeIndex | None, str]:
    """The module of ``pkg.mod.func`` among the indexed files (longest module prefix first)."""
    parts = dotted_name.split(".")
    for cut in range(len(parts) - 1, 0, -1):
        module = "/".join(parts[:cut])
        for suffix in (f"{module}.py", f"{module}/__init__.py"):
            candidate = by_suffix.get(suffix)
            if candidate is not None:
                return candidate, ".".join(parts[cut:])
    return None, dotted_name


class CircuitBreakerCheck(ProjectCheck):
    name = "python-circuit-breakers"
    rules = (NO_BREAKER,)
    fact_types = (CodeIndex, RouteInventory)

    def check(self, facts: Facts, ctx: CheckContext) -> Iterable[Finding | Skipped | ToolError]:
        indexes = {index.path: index for index in facts.of(CodeIndex)}
        by_suffix = path_suffixes(indexes)
        routes = [r for inventory in facts.of(RouteInventory) for r in inventory.routes]
        seen: set[tuple[str, str, str]] = set()
        found: list[Finding] = []
        for route in routes:
            index, handler = _handler_module(route, indexes, by_suffix)
            if (
                index is None
                or route.third_party_is_its_work
                or looks_like_test_or_sample(index.path)
                or _guarded(index, handler)
            ):
                continue
            for call, dependency in self._dependencies(index, handler):
                key = (index.path, handler, dependency)
                if key not in seen:
                    seen.add(key)
                    found.append(self._finding(route, call, dependency, index.path))
        return found

    @staticmethod
    def _dependencies(index: CodeIndex, handler: str) -> Iterator[tuple[CallSite, str]]:
        urls: dict[int, list[str]] = {}
        for string in index.strings:
            if string.kind == "url":
                urls.setdefault(string.line, []).append(string.value)
        for call in index.calls:
            if within(call.function, handler) and (dependency := _dependency(call, index, urls)):
                yield call, dependency

    def _finding(self, route: Route, call: CallSite, dependency: str, path: str) -> Finding:
        methods = ",".join(route.methods)
        return self.finding(
            NO_BREAKER,
            f"{methods} {route.path} (handler {route.handler}) calls {dependency} inline with no circuit breaker",
            Location(path=path, start_line=call.line, end_line=call.end_line, snippet=call.raw),
            confidence=Confidence.MEDIUM,
            evidence={"route": f"{methods} {route.path}", "dependency": dependency, "call": call.raw},
            remediation=f"Wrap the {dependency} call in a circuit breaker (`pybreaker.CircuitBreaker(fail_max=5, "
            "reset_timeout=30)`, `circuitbreaker.circuit`, `aiobreaker` for asyncio) with a fallback, or move "
            "it off the request path (a queue, a cached result).",
        )
