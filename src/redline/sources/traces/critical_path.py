"""The critical path of a request: the chain of spans the root actually waited on, and each hop's share.

Walking back from the root's end, the child that finished last (before the cursor) is what the parent was
waiting for; its own critical path is taken, the cursor moves to its start, and the gaps in between are
the parent's own time. Each piece is tagged with a hop (``[traces.hops]`` rules, else the service)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from fnmatch import fnmatchcase

from redline.sources.traces.settings import HOP_FIELDS, HopRule
from redline.sources.traces.store import SpanStore

#: a span row for the walk: id, parent, start, end, and the fields hop rules may match
_SQL = """
SELECT s.trace_id, s.span_id, s.parent_id, s.start_us, s.start_us + s.dur_us, s.service, s.category,
       coalesce(s.peer, ''), s.kind, s.operation
FROM spans s JOIN (SELECT trace_id, operation AS root_op FROM spans WHERE parent_id IS NULL AND operation = ?
                    ORDER BY hash(trace_id), trace_id LIMIT ?) r
  USING (trace_id)
ORDER BY s.trace_id
"""
#: traces walked per route when no limit is given (all of them)
ALL_TRACES = 2**62


@dataclass(frozen=True)
class _Span:
    span_id: str
    start: int
    end: int
    attrs: Mapping[str, str]


def hop_of(attrs: Mapping[str, str], rules: Sequence[HopRule]) -> str:
    for rule in rules:
        if fnmatchcase(attrs.get(rule.field, ""), rule.pattern):
            return rule.hop
    return attrs["service"]


def critical_path(root: _Span, children: Mapping[str, list[_Span]]) -> list[tuple[_Span, int]]:
    """(span, microseconds of its own time on the path) along the critical path under ``root``."""
    out: list[tuple[_Span, int]] = []
    stack = [(root, root.end)]
    while stack:
        span, cursor = stack.pop()
        own = 0
        for child in sorted(children.get(span.span_id, ()), key=lambda c: c.end, reverse=True):
            if child.end > cursor or child.end <= span.start:
                continue
            own += cursor - child.end
            stack.append((child, child.end))
            cursor = max(child.start, span.start)
        own += max(0, cursor - span.start)
        out.append((span, own))
    return out


def hop_times(
    store: SpanStore, route: str, rules: Sequence[HopRule], max_traces: int = ALL_TRACES
) -> dict[str, dict[str, float]]:
    """Per trace of ``route``: milliseconds of critical-path time per hop (traces without the root skipped);
    ``max_traces`` walks a fixed pseudo-random sample of the route's traces (by trace id hash)."""
    by_trace: dict[str, list[tuple[_Span, str | None]]] = defaultdict(list)
    for trace_id, span_id, parent, start, end, *fields in store.query(_SQL, (route, max_traces)):
        by_trace[trace_id].append((_Span(span_id, start, end, dict(zip(HOP_FIELDS, fields, strict=True))), parent))
    out: dict[str, dict[str, float]] = {}
    for trace_id, spans in by_trace.items():
        children: dict[str, list[_Span]] = defaultdict(list)
        root = None
        for span, parent in spans:
            if parent is None:
                root = span
            else:
                children[parent].append(span)
        if root is None:
            continue
        hops: dict[str, float] = defaultdict(float)
        for span, own in critical_path(root, children):
            hops[hop_of(span.attrs, rules)] += own / 1000.0
        out[trace_id] = dict(hops)
    return out


@dataclass(frozen=True)
class HopStat:
    """One hop of a route over all its traces: p95 of its critical-path time, its mean share of the
    request, and the traces where it took longest."""

    hop: str
    p95_ms: float
    mean_share: float
    worst_traces: tuple[str, ...]


def hop_breakdown(
    store: SpanStore, route: str, rules: Sequence[HopRule], max_traces: int = ALL_TRACES
) -> list[HopStat]:
    per_trace = hop_times(store, route, rules, max_traces)
    if not per_trace:
        return []
    hops = sorted({h for t in per_trace.values() for h in t})
    out = []
    for hop in hops:
        values = sorted((t.get(hop, 0.0), trace) for trace, t in per_trace.items())
        shares = [t.get(hop, 0.0) / total for t in per_trace.values() if (total := sum(t.values())) > 0]
        out.append(
            HopStat(
                hop,
                round(_quantile([v for v, _ in values], 0.95), 3),
                round(sum(shares) / len(shares), 4) if shares else 0.0,
                tuple(trace for _, trace in reversed(values[-3:])),
            )
        )
    return out


def _quantile(sorted_values: Sequence[float], q: float) -> float:
    """Linear interpolation between closest ranks (DuckDB's ``quantile_cont``)."""
    pos = (len(sorted_values) - 1) * q
    lo = int(pos)
    hi = min(lo + 1, len(sorted_values) - 1)
    return sorted_values[lo] + (sorted_values[hi] - sorted_values[lo]) * (pos - lo)
