"""What every code flaw judge hands back, the source-to-sink path of a tainted call, and the route a call is
reachable from: shared by the flaw, injection and settings checks."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace

from redline.checks.interface import Check, ModuleCheck
from redline.core.model import Finding, Location
from redline.core.rules import Rule
from redline.sources.code.flow import AFTER_PREFIX, INDEX_KEY, marked
from redline.sources.code.model import CallSite
from redline.sources.code.routes import Route
from redline.sources.code.scopes import outward

#: cleaning calls after which no request text is left, whatever the sink (``int(request.args["n"])``)
ALWAYS_CLEAN = frozenset(
    {
        "int",
        "float",
        "bool",
        "len",
        "abs",
        "round",
        "UUID",
        "hexdigest",
        "digest",
        "isdigit",
        "isnumeric",
        "isdecimal",
        "isalnum",
        "isalpha",
        "count",
        "startswith",
        "endswith",
    }
)

Taint = tuple[str, str, tuple[str, ...]]  # (argument index or keyword, source, path)


@dataclass(frozen=True)
class Hit:
    rule: Rule
    message: str
    call: CallSite | None
    line: int
    evidence: dict[str, str]
    remediation: str


@dataclass(frozen=True)
class ModuleHit:
    """A judge's hit in one module, found where the module was indexed; the main process completes it with
    the route it is reachable from (``hit_finding``) once every module's routes are known."""

    path: str
    hit: Hit
    language: str = "python"

    def restored(self, check: ModuleCheck) -> ModuleHit:
        """This hit with its rule the check's declared object again (it came from a worker as a copy)."""
        rule = check.declared(self.hit.rule)
        return self if rule is self.hit.rule else replace(self, hit=replace(self.hit, rule=rule))

    def reached(self, routes: dict[tuple[str, str], Route]) -> Route | None:
        return route_of(self.hit.call, self.path, routes) if self.hit.call else None


#: calls that hand back the caller's text, reshaped but whole: a value passed through them still reaches
#: the sink (any other call — a lookup, a service, a model constructor — hands back something else)
CARRIERS = frozenset(
    {
        "join",
        "joinpath",
        "Path",
        "PurePath",
        "PosixPath",
        "str",
        "bytes",
        "decode",
        "encode",
        "loads",
        "b64decode",
        "urlsafe_b64decode",
        "b64encode",
        "unquote",
        "unquote_plus",
        "urljoin",
        "format",
        "normpath",
        "abspath",
        "realpath",
        "expanduser",
        "BytesIO",
        "StringIO",
        "dict",
        "list",
        "tuple",
        "strip",
        "lower",
        "upper",
        "replace",
        "getattr",
    }
)


def cleaned(via: Iterable[str], cleaners: frozenset[str], *, opaque: bool = True) -> bool:
    """Whether the path went through a call (or string position) that neutralises it for this sink: one of
    the sink's cleaners, a cleaner of every sink, or (``opaque``) any call that is not a known carrier."""
    for step in via:
        if step == INDEX_KEY:  # the value only chose an item of the program's table
            return True
        if step == AFTER_PREFIX and AFTER_PREFIX in cleaners:
            return True
        if marked(step) and step.endswith("()"):
            last = step[:-2].rsplit(".", 1)[-1]
            if last in cleaners | ALWAYS_CLEAN or (opaque and last not in CARRIERS):
                return True
    return False


def raw_taint(
    call: CallSite, where: frozenset[str], cleaners: frozenset[str] = frozenset(), *, opaque: bool = True
) -> Taint | None:
    """The first request value reaching one of the sink's arguments (index or keyword) uncleaned."""
    return next((t for t in call.tainted if t[0] in where and not cleaned(t[2], cleaners, opaque=opaque)), None)


def flow_evidence(call: CallSite, taint: Taint | None = None) -> dict[str, str]:
    where, source, via = taint or call.tainted[0]
    sink = f"{call.raw}(arg {where})" if where.isdigit() else f"{call.raw}({where}=)"
    return {"source": source, "flow": " -> ".join([source, *via, sink])}


def route_of(call: CallSite, path: str, routes: dict[tuple[str, str], Route]) -> Route | None:
    """The route whose handler is the function the call is in (or the class of that method)."""
    found = (routes.get((path, scope)) for scope in outward(call.function) if scope)
    return next((route for route in found if route is not None), None)


def hit_finding(check: Check, path: str, hit: Hit, route: Route | None) -> Finding:
    """The finding of a judge's hit in the file at ``path``, naming the route it is reachable from, if any."""
    evidence = dict(hit.evidence)
    if route is not None:
        evidence["route"] = f"{','.join(route.methods)} {route.path}"
    message = hit.message + (f", reachable from {evidence['route']}" if route else "")
    end = hit.call.end_line if hit.call else hit.line
    location = Location(path, hit.line, end)
    return check.finding(hit.rule, message, location, evidence=evidence, remediation=hit.remediation)
