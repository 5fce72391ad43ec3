"""One N+1, two views: the code line that issues a query per item (LAT…) and the traces that measured it
(TRC101). When both are about the same code path they become one item to fix, each citing the other.

The same path means: the measured spans carry OpenTelemetry ``code.*`` attributes naming the file (and
function) of the static finding, or the operation under which the queries ran is the route whose handler
holds the static finding's line (``GET /books/{id}`` in the traces, ``/books/<int:id>`` in the code).
Which rules are an N+1 is said by the rules themselves (the ``N+1`` tag), not listed here.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import replace

from redline.checks.interface import CheckContext
from redline.core.evidence import Evidence
from redline.core.facts import Facts
from redline.core.model import Finding
from redline.core.rules import RuleRegistry
from redline.sources.code.model import CodeIndex
from redline.sources.code.routes import RouteInventory
from redline.synthesis.impact import HandlerSpan, handler_spans
from redline.synthesis.interface import SynthesisOutput, SynthesisStep

#: the tag a rule carries when its findings are N+1 queries (static or measured)
N_PLUS_ONE_TAG = "N+1"

_PARAM = re.compile(r"<[^>]*>|\{[^}]*\}|(?<=/):[A-Za-z_]\w*")


def route_key(operation: str) -> str:
    """``GET /books/<int:id>/`` and ``get /books/{id}`` alike: method upper-cased, parameters as ``{}``."""
    method, _, path = operation.strip().partition(" ")
    if not path:  # no method: the operation is a bare path
        method, path = "", method
    path = _PARAM.sub("{}", path).rstrip("/") or "/"
    return f"{method.upper()} {path}".strip()


def _innermost_function(index: CodeIndex | None, line: int) -> str:
    if index is None:
        return ""
    inside = [d for d in index.definitions if d.kind != "class" and d.line <= line <= d.end_line]
    return min(inside, key=lambda d: d.end_line - d.line).name if inside else ""


def _same_code(measured: Finding, static: Finding, function: str) -> bool:
    filepath = measured.evidence.text("code_filepath").lstrip("./")
    if not filepath:
        return False
    path = static.location.path
    if not (path.endswith(filepath) or filepath.endswith(path)):
        return False
    wanted = measured.evidence.text("code_function").rsplit(".", 1)[-1]
    return not wanted or wanted == function


def _same_route(measured: Finding, handler: HandlerSpan | None) -> bool:
    if handler is None:
        return False
    operation = route_key(measured.evidence.text("operation"))
    return any(route_key(k) == operation for k in handler.operation_keys)


def link(
    findings: Sequence[Finding],
    tagged: frozenset[str],
    handlers: dict[str, list[HandlerSpan]],
    indexes: dict[str, CodeIndex],
) -> list[Finding]:
    """The findings with each measured N+1 and the static ones on its code path sharing one group."""
    measured = [f for f in findings if f.rule in tagged and "trace_ids" in f.evidence]
    static = [f for f in findings if f.rule in tagged and "trace_ids" not in f.evidence]
    if not measured or not static:
        return list(findings)
    changed: dict[str, Finding] = {}
    for m in sorted(measured, key=Finding.sort_key):
        hits = []
        for s in static:
            loc = s.location
            inside = [h for h in handlers.get(loc.path, ()) if h.start <= loc.start_line <= h.end]
            handler = min(inside, key=lambda h: h.end - h.start) if inside else None
            function = _innermost_function(indexes.get(loc.path), loc.start_line)
            if s.fingerprint not in changed and (_same_code(m, s, function) or _same_route(m, handler)):
                hits.append(s)
        if hits:
            _join(m, hits, changed)
    return [changed.get(f.fingerprint, f) for f in findings]


def _join(measured: Finding, static: list[Finding], changed: dict[str, Finding]) -> None:
    group = f"cause:n-plus-one:{measured.fingerprint[:16]}"
    service, operation = measured.evidence.text("service"), measured.evidence.text("operation")
    count = measured.evidence.number("median_count")
    said = f"{measured.rule}: {service} '{operation}' ran it {count:g} times per request in the traces"
    for s in static:
        evidence = Evidence({**s.evidence, "measured_by": said})
        changed[s.fingerprint] = replace(s, group=group, evidence=evidence)
    places = tuple(f"{s.location.path}:{s.location.start_line} ({s.rule})" for s in static)
    changed[measured.fingerprint] = replace(
        measured, group=group, evidence=Evidence({**measured.evidence, "static_cause": places})
    )


def n_plus_one_rules(rules: RuleRegistry) -> frozenset[str]:
    return frozenset(r.code for r in rules if N_PLUS_ONE_TAG in r.tags)


class MeasuredLinkStep(SynthesisStep):
    name = "linking static and measured N+1 queries"  # reads the code index and routes when the run has them

    def run(self, facts: Facts, findings: list[Finding], ctx: CheckContext) -> SynthesisOutput:
        tagged = n_plus_one_rules(ctx.rules)
        if not any(f.rule in tagged and "trace_ids" in f.evidence for f in findings):
            return SynthesisOutput()
        indexes: Iterable[CodeIndex] = facts.of(CodeIndex)
        by_path = {i.path: i for i in indexes}
        linked = link(findings, tagged, handler_spans(facts.of(RouteInventory), by_path.values()), by_path)
        return SynthesisOutput(findings=linked if linked != findings else None)
