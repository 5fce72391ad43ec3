"""What every code flaw judge hands back, the source-to-sink path of a tainted call, and the route a call is
reachable from: shared by the flaw, injection and settings checks."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from redline.core.rules import Rule
from redline.sources.code.flow import AFTER_PREFIX, marked
from redline.sources.code.model import CallSite
from redline.sources.code.routes import Route

#: cleaning calls after which no request text is left, whatever the sink (``int(request.args["n"])``)
ALWAYS_CLEAN = frozenset({"int", "float", "bool", "len", "abs", "round", "UUID"})

Taint = tuple[str, str, tuple[str, ...]]  # (argument index or keyword, source, path)


@dataclass(frozen=True)
class Hit:
    rule: Rule
    message: str
    call: CallSite | None
    line: int
    evidence: dict[str, str]
    remediation: str


def cleaned(via: Iterable[str], cleaners: frozenset[str]) -> bool:
    """Whether the path went through a cleaning call (or string position) that neutralises it for this sink."""
    for step in via:
        if step == AFTER_PREFIX and AFTER_PREFIX in cleaners:
            return True
        if marked(step) and step.endswith("()") and step[:-2].rsplit(".", 1)[-1] in cleaners | ALWAYS_CLEAN:
            return True
    return False


def raw_taint(call: CallSite, where: frozenset[str], cleaners: frozenset[str] = frozenset()) -> Taint | None:
    """The first request value reaching one of the sink's arguments (index or keyword) uncleaned."""
    return next((t for t in call.tainted if t[0] in where and not cleaned(t[2], cleaners)), None)


def flow_evidence(call: CallSite, taint: Taint | None = None) -> dict[str, str]:
    where, source, via = taint or call.tainted[0]
    sink = f"{call.raw}(arg {where})" if where.isdigit() else f"{call.raw}({where}=)"
    return {"source": source, "flow": " -> ".join([source, *via, sink])}


def route_of(call: CallSite, path: str, routes: dict[tuple[str, str], Route]) -> Route | None:
    """The route whose handler is the function the call is in (or the class of that method)."""
    scope = call.function
    while scope:
        route = routes.get((path, scope))
        if route is not None:
            return route
        scope = scope.rpartition(".")[0]
    return None
