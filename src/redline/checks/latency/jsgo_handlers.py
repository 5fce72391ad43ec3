"""Third-party services called inline from a JavaScript/TypeScript or Go request handler (LAT259): an HTTP
request whose URL, as written, names a public host; the route is attached once the project's routes exist."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from redline.checks.latency.handlers import third_party_host
from redline.checks.latency.jsgo_chatty_rules import THIRD_PARTY_IN_HANDLER_JSGO
from redline.sources.code.model import CallSite, CodeIndex
from redline.sources.code.routes import Route

_OCTOKIT_HOST = "api.github.com"


@dataclass(frozen=True)
class ExternalCall:
    """An HTTP request to a third-party host, before it is known whether a route handler makes it."""

    path: str
    function: str
    line: int
    end_line: int
    call: str
    host: str


def url_of(call: CallSite, index: CodeIndex) -> str | None:
    """The URL a request is made to when the code writes it: a literal first argument, a module constant,
    or the one URL string (template literal, concatenation) written in the call."""
    constants = {a.name: a.values for a in index.assignments}
    first = call.args[0] if call.args else None
    if first is not None and isinstance(first.literal, str):
        return first.literal
    if first is not None and first.name and len(constants.get(first.name, ())) == 1:
        value = constants[first.name][0]
        return value if isinstance(value, str) else None
    urls = [s.value for s in index.strings if s.kind == "url" and call.line <= s.line <= call.end_line]
    return urls[0] if len(urls) == 1 else None


def external_calls(index: CodeIndex, remote: dict[int, str]) -> Iterator[ExternalCall]:
    """The module's requests (``remote``: id of the call -> its client) to a host outside the system."""
    for call in index.calls:
        client = remote.get(id(call))
        if client is None or not call.function:
            continue
        url = url_of(call, index)
        host = _OCTOKIT_HOST if client == "octokit" else (third_party_host(url) if url else None)
        if host is not None:
            yield ExternalCall(index.path, call.function, call.line, call.end_line, call.raw, host)


@dataclass(frozen=True)
class Reached:
    """The route whose handler makes a call, and the function nested in the handler the call is in ("" when the
    handler makes it itself)."""

    route: Route
    nested: str = ""


def route_of(call: ExternalCall, routes: dict[tuple[str, str], Route]) -> Reached | None:
    """The route whose handler makes ``call``, itself or in a function nested in it."""
    scope = call.function
    while scope:
        route = routes.get((call.path, scope))
        if route is not None:
            return Reached(route, call.function.removeprefix(scope).lstrip("."))
        scope = scope.rpartition(".")[0]
    return None


def _function(nested: str) -> str:
    """A nested function as a reader finds it: its name, or the line of an anonymous one (``<anonymous:12>``)."""
    last = nested.rpartition(".")[2]
    if last.startswith("<anonymous:") and last.endswith(">"):
        return f"the function the handler defines at line {last[len('<anonymous:') : -1]}"
    return f"the handler's `{last}`"


def message(call: ExternalCall, reached: Reached) -> tuple[str, dict[str, str], str]:
    """The finding's text, evidence and fix. A call in a function the handler defines (a tool's ``execute`` handed
    to a model, a callback) runs when that function is called, which the handler may do on some requests only."""
    route = reached.route
    where = f"{','.join(route.methods)} {route.path}"
    when = (
        f"the route waits on a third party whenever {_function(reached.nested)} runs"
        if reached.nested
        else "the route waits on a third party on every request"
    )
    evidence = {"route": where, "host": call.host, "call": call.call}
    if reached.nested:
        evidence["in"] = reached.nested
    return (
        f"{where} calls {call.host} inline ({call.call}): {when}",
        evidence,
        f"Take {call.host} off the request path: enqueue the call (a job queue, an outbox) and answer at once, "
        "cache its answer, or give it a timeout budget well under the route's SLO with a fallback.",
    )


__all__ = ["THIRD_PARTY_IN_HANDLER_JSGO", "ExternalCall", "Reached", "external_calls", "message", "route_of"]
