"""Third-party services called inline from a request handler: the URL's host is outside the system."""

from __future__ import annotations

import ipaddress
from collections.abc import Iterator
from urllib.parse import urlsplit

from redline.checks.latency.clients import Bindings, http_kind
from redline.checks.latency.per_item import Hit
from redline.checks.latency.rules import THIRD_PARTY_IN_HANDLER
from redline.sources.code.model import CallSite, CodeIndex
from redline.sources.code.routes import Route
from redline.sources.code.scopes import within

_INTERNAL_SUFFIXES = (".internal", ".local", ".localhost", ".svc", ".cluster.local", ".lan", ".corp", ".home.arpa")
_URL_KEYWORDS = frozenset({"url", "uri", "endpoint"})


def third_party_host(url: str) -> str | None:
    """The host of ``url`` when it is a public name outside the system, else None."""
    try:
        host = (urlsplit(url).hostname or "").lower()
    except ValueError:
        return None
    if not host or "{" in host or "." not in host or host.endswith(_INTERNAL_SUFFIXES) or host == "localhost":
        return None
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        return host
    return None if (address.is_private or address.is_loopback or address.is_link_local) else host


def _url_of(call: CallSite, index: CodeIndex) -> str | None:
    """The URL a request call is made to, when the code writes it (literal, module constant, f-string)."""
    candidates = [a for a in call.args if a.keyword is None][:1] + [a for a in call.args if a.keyword in _URL_KEYWORDS]
    if call.raw.rpartition(".")[2] == "request":  # request("GET", url)
        candidates = [a for a in call.args if a.keyword is None][1:2] + candidates
    constants = {a.name: a.values for a in index.assignments}
    for arg in candidates:
        if isinstance(arg.literal, str):
            return arg.literal
        if arg.name and len(constants.get(arg.name, ())) == 1 and isinstance(constants[arg.name][0], str):
            return str(constants[arg.name][0])
    fstrings = [s.value for s in index.strings if s.kind == "url" and call.line <= s.line <= call.end_line]
    return fstrings[0] if len(fstrings) == 1 else None


def handler_hits(index: CodeIndex, routes: list[Route], bindings: Bindings) -> Iterator[Hit]:
    for route in routes:
        if route.third_party_is_its_work:
            continue
        for call in index.calls:
            if not within(call.function, route.handler):
                continue
            if http_kind(call, bindings) not in {"sync", "async"}:
                continue
            url = _url_of(call, index)
            host = third_party_host(url) if url else None
            if host is None:
                continue
            where = f"{','.join(route.methods)} {route.path}"
            yield Hit(
                THIRD_PARTY_IN_HANDLER,
                f"{where} calls {host} inline ({call.raw}): the route waits on a third party on every request",
                call.line,
                call.end_line,
                {"route": where, "host": host, "call": call.raw},
                f"Take {host} off the request path: enqueue the call (task queue, outbox) and answer at once, "
                "cache its answer, or give it a timeout budget well under the route's SLO with a fallback.",
            )
