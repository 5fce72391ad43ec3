"""Request data passed to a function that carries it to a sink: taint across functions, by summaries.

Each function's summary says which of its parameters reach which sink (SQL text, a shell, a file path, an
outbound URL, a template...). The first level comes from the same judges that find a sink in a handler, run
over the function's parameter flows (``arg:<name>`` in place of a request value), so the same look-alikes stay
silent: bound parameters, ``int()``, a value the helper never puts in the SQL. Deeper levels follow a
parameter passed on to another function with a summary, up to ``DEPTH`` calls. Then every call that passes
request data to a parameter with a summary is a finding of the sink's own rule, located at the call (what is
reachable from the route) and citing the sink."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, replace

import msgspec

from redline.checks.code import flaws, injection, jsgo_flaws
from redline.checks.code.hits import Hit, cleaned, route_of
from redline.checks.code.injection_rules import SSRF_FROM_REQUEST
from redline.checks.code.jsgo_rules import SSRF_FROM_REQUEST_JSGO
from redline.checks.code.jsgo_taint import Bindings
from redline.checks.code.rules import SHELL_FROM_REQUEST, SQL_FROM_REQUEST
from redline.checks.interface import CheckContext, ModuleCheck
from redline.core.facts import Facts, ModuleHead
from redline.core.filekinds import looks_like_test_or_sample
from redline.core.model import Finding, Location, Skipped, ToolError
from redline.core.rules import Rule
from redline.sources.code.callees import Callee, Callees, call_table
from redline.sources.code.flow import AFTER_PREFIX
from redline.sources.code.model import CallSite, CodeIndex
from redline.sources.code.routes import Route, RouteInventory, routes_by_handler

#: how many calls deep a parameter is followed from the handler's call to the sink
DEPTH = 3
#: rules whose sink takes the request text whole: a call that is not known to clean it keeps it
_TEXT_SINKS = frozenset({SQL_FROM_REQUEST.code, SHELL_FROM_REQUEST.code, "WEB210", "WEB211"})
_URL_SINKS = frozenset({SSRF_FROM_REQUEST.code, SSRF_FROM_REQUEST_JSGO.code})


@dataclass(frozen=True)
class Sink:
    """Where a parameter ends: the judge's hit, the file it is in, and the calls it goes through first."""

    hit: Hit
    path: str
    flow: str  # from the parameter to the sink, as the judge wrote it
    steps: tuple[str, ...] = ()  # ``file:line callee`` of each call between

    @property
    def key(self) -> tuple[str, str, int]:
        return (self.hit.rule.code, self.path, self.hit.line)


Summary = dict[str, list[Sink]]  # parameter -> the sinks it reaches


def _python_hits(view: CodeIndex) -> Iterator[Hit]:
    for call in view.calls:
        if call.tainted:
            yield from (h for judge in (flaws._sql, flaws._shell) if (h := judge(call)))
    yield from injection.judged(view)


def _parameter_view(index: CodeIndex) -> CodeIndex:
    """The module as the judges see it when each function's parameters are its request values. Only the calls
    whose two taints differ are copied (most have neither): ``replace`` per call was a hot spot on large trees."""
    calls = tuple(
        c if c.tainted == c.param_tainted else msgspec.structs.replace(c, tainted=c.param_tainted) for c in index.calls
    )
    return replace(index, calls=calls, tainted=index.param_tainted)


def direct_sinks(index: CodeIndex) -> dict[str, Summary]:
    """Function -> parameter -> the sinks of this module it reaches without another call between."""
    if not any(c.param_tainted for c in index.calls):
        return {}
    judge: Callable[[CodeIndex], Iterator[Hit]] = _python_hits if index.language == "python" else jsgo_flaws.judged
    found: dict[str, Summary] = {}
    for hit in judge(_parameter_view(index)):
        source = str(hit.evidence.get("source", ""))
        if hit.call is None or not source.startswith("arg:"):
            continue
        sink = Sink(hit, index.path, str(hit.evidence.get("flow", "")))
        found.setdefault(hit.call.function, {}).setdefault(source.removeprefix("arg:"), []).append(sink)
    return found


def _passes(call: CallSite, via: tuple[str, ...], sink: Sink, bindings: Bindings | None, taint: str) -> bool:
    """Whether the value reaches the callee's parameter still able to reach the sink: not through a call that
    cleans it for the sink's kind (``int()``, ``parseInt``, ``quote``; any call that is not a known carrier
    for a file path or URL), nor, for a URL, placed after a fixed start."""
    opaque = sink.hit.rule.code not in _TEXT_SINKS
    if sink.hit.rule.code in _URL_SINKS and AFTER_PREFIX in via:
        return False
    if bindings is not None:  # JavaScript and Go: the calls that bound each name on the path
        return not bindings.cleaned(call, ("", taint, via), frozenset(), opaque=opaque)
    return not cleaned(via, frozenset(), opaque=opaque)


@dataclass
class Summaries:
    callees: Callees
    by_function: dict[tuple[str, str], Summary]
    bindings: dict[str, Bindings]  # path -> the caller-side view of a JavaScript/Go module

    @classmethod
    def of(
        cls,
        indexes: list[CodeIndex],
        direct: dict[str, dict[str, Summary]] | None = None,
        callees: Callees | None = None,
    ) -> Summaries:
        """The summaries of ``indexes``; ``direct``: each module's ``direct_sinks`` when they were found where
        the module was indexed (by path), else found here; ``callees``: the run's resolver seen through
        ``indexes`` (else one of ``indexes`` alone)."""
        done = cls(Callees.of(indexes) if callees is None else callees, {}, {})
        for index in indexes:
            found = direct_sinks(index) if direct is None else direct.get(index.path, {})
            for function, summary in found.items():
                done.by_function[(index.path, function)] = summary
        done._follow([(index, call) for index in indexes for call in index.calls if call.param_tainted])
        return done

    def view(self, index: CodeIndex, param: bool) -> Bindings | None:
        if index.language == "python":
            return None
        key = f"{'P' if param else 'R'}:{index.path}"
        if key not in self.bindings:
            self.bindings[key] = Bindings.of(_parameter_view(index) if param else index)
        return self.bindings[key]

    def reached(
        self, index: CodeIndex, call: CallSite, taints: Iterable[tuple[str, str, tuple[str, ...]]], *, param: bool
    ) -> Iterator[tuple[str, tuple[str, ...], Callee, Sink]]:
        """(source, path, callee, sink) for each tainted argument of the call whose parameter reaches a sink."""
        callee = self.callees.resolve(index, call)
        if callee is None:
            return
        summary = self.by_function.get((callee.index.path, callee.definition.qualname), {})
        bindings = self.view(index, param)
        for key, source, via in taints:
            target = callee.parameter(key)
            for sink in summary.get(target or "", ()):
                if _passes(msgspec.structs.replace(call, tainted=((key, source, via),)), via, sink, bindings, source):
                    yield source, via, callee, sink

    def _follow(self, calls: list[tuple[CodeIndex, CallSite]]) -> None:
        """Rounds over the calls that pass a parameter on; each round follows one more call between a parameter
        and a sink. A call is followed again only when its callee's summary grew since it was last followed:
        the same summary gives the same sinks, all already recorded (the answer of following every call each
        round, without the second pass over every call of the project)."""
        versions: dict[tuple[str, str], int] = {}  # function -> how many times its summary grew
        followed: dict[int, int] = {}  # position in ``calls`` -> its callee's version when last followed
        for _ in range(DEPTH - 1):
            if not self._deepen(calls, versions, followed):
                break

    def _deepen(
        self, calls: list[tuple[CodeIndex, CallSite]], versions: dict[tuple[str, str], int], followed: dict[int, int]
    ) -> bool:
        grown = False
        for position, (index, call) in enumerate(calls):
            key = (index.path, call.function)
            mine = self.by_function.setdefault(key, {})
            target = self.callees.resolve(index, call)
            if target is None:
                continue
            version = versions.get((target.index.path, target.definition.qualname), 0)
            if followed.get(position) == version:
                continue
            followed[position] = version
            for source, _via, callee, sink in self.reached(index, call, call.param_tainted, param=True):
                if len(sink.steps) + 1 >= DEPTH:
                    continue
                deeper = Sink(sink.hit, sink.path, sink.flow, (_step(index, call, callee), *sink.steps))
                known = mine.setdefault(source.removeprefix("arg:"), [])
                if all(s.key != deeper.key for s in known):
                    known.append(deeper)
                    versions[key] = versions.get(key, 0) + 1
                    grown = True
        return grown


def _one_segment(index: CodeIndex, hit: Hit, source: str, route: Route | None) -> bool:
    """A file path from a route parameter the router matches as one segment: spared here as in the handler."""
    seen = replace(hit, evidence={**hit.evidence, "source": source})
    if index.language == "go":
        return jsgo_flaws._one_segment(seen, route)
    return injection._one_segment(seen, route)


def _step(index: CodeIndex, call: CallSite, callee: Callee) -> str:
    definition = callee.definition
    return f"{index.path}:{call.line} {call.raw} -> {callee.index.path}:{definition.line} {definition.qualname}"


def _followed(index: ModuleHead) -> bool:
    """The modules whose functions are summarised and whose calls are judged: Python and Go, not tests."""
    return index.language in {"python", "go"} and not looks_like_test_or_sample(index.path)


@dataclass(frozen=True)
class ModuleSinks:
    """One module's ``direct_sinks``, found where the module was indexed (a worker)."""

    path: str
    by_function: dict[str, Summary]


class TaintAcrossFunctionsCheck(ModuleCheck):
    """Borrows the injection rules: the finding is the sink's own rule, reached through a call. Each module's
    own sinks (the first level of the summaries) are found where it was indexed; the main process follows the
    calls between modules."""

    name = "code-taint-across-functions"
    long_running = True  # its finish reads every function's summary
    borrows: tuple[Rule, ...] = (
        *flaws.CodeFlawCheck.rules[:2],
        *injection.InjectionCheck.rules,
        *jsgo_flaws.JsGoFlawCheck.rules,
    )
    fact_types = (CodeIndex,)
    project_fact_types = (RouteInventory,)

    def reads(self, module: ModuleHead) -> bool:
        return _followed(module)

    def check_module(self, fact: CodeIndex, ctx: CheckContext) -> Iterable[ModuleSinks]:
        if _followed(fact) and (found := direct_sinks(fact)):
            yield ModuleSinks(fact.path, found)

    def _direct(self, partials: list[ModuleSinks]) -> dict[str, dict[str, Summary]]:
        """The partials by path, each hit's rule the declared object again (judges compare by identity)."""
        return {
            p.path: {
                function: {
                    param: [replace(s, hit=replace(s.hit, rule=self.declared(s.hit.rule))) for s in sinks]
                    for param, sinks in summary.items()
                }
                for function, summary in p.by_function.items()
            }
            for p in partials
        }

    def finish(
        self, partials: list[ModuleSinks], facts: Facts, ctx: CheckContext
    ) -> Iterable[Finding | Skipped | ToolError]:
        indexes = [i for i in facts.of(CodeIndex) if _followed(i)]
        if not any(c.param_tainted for i in indexes for c in i.calls):
            return []
        callees = Callees.among(ctx.scope.derived(call_table, facts), indexes)  # one table with the latency check
        summaries = Summaries.of(indexes, self._direct(partials), callees)
        routes = routes_by_handler(facts.of(RouteInventory))
        found: dict[tuple[str, int, tuple[str, str, int]], Finding] = {}
        for index in indexes:
            for call in index.calls:
                if not call.tainted:
                    continue
                for source, via, callee, sink in summaries.reached(index, call, call.tainted, param=False):
                    if index.language == "python" and injection.checked_in(index, call.function, sink.hit.rule.code):
                        continue
                    key = (index.path, call.line, sink.key)
                    route = route_of(call, index.path, routes) if key not in found else None
                    if key not in found and not _one_segment(index, sink.hit, source, route):
                        found[key] = self._finding(index, call, (source, via), (callee, sink), route)
        return list(found.values())

    def _finding(
        self,
        index: CodeIndex,
        call: CallSite,
        taint: tuple[str, tuple[str, ...]],
        reached: tuple[Callee, Sink],
        route: Route | None,
    ) -> Finding:
        source, via = taint
        callee, sink = reached
        hit = sink.hit
        where = f"{sink.path}:{hit.line}"
        passed = " -> ".join([source, *via, f"{call.raw}()"])
        evidence: dict[str, str | int | list[str]] = {
            "source": source,
            "flow": f"{passed} => {sink.flow}",
            "call": f"{index.path}:{call.line}",
            "callee": f"{callee.index.path}:{callee.definition.line} {callee.definition.qualname}",
            "sink": where,
            "through": list(sink.steps),
            "depth": len(sink.steps) + 1,
        }
        message = f"{hit.message} in {callee.definition.qualname} ({where}), called here with request data"
        if route is not None:
            evidence["route"] = f"{','.join(route.methods)} {route.path}"
            message += f", reachable from {evidence['route']}"
        finding = self.finding(
            hit.rule,
            message,
            Location(index.path, call.line, call.end_line),
            evidence=evidence,
            remediation=hit.remediation,
        )
        return replace(finding, group=f"{sink.path}:{hit.line}")  # every call reaching one sink: one cause
