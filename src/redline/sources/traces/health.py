"""Trace health: whether the traces can be trusted — context propagation, clock skew, completeness."""

from __future__ import annotations

from dataclasses import dataclass

from redline.sources.traces.store import SpanStore

_ORPHANS = """
SELECT s.service, count(*) FROM spans s
LEFT JOIN spans p ON p.trace_id = s.trace_id AND p.span_id = s.parent_id
WHERE s.parent_id IS NOT NULL AND p.span_id IS NULL GROUP BY s.service ORDER BY s.service
"""
#: a child that starts before its parent or ends after it, by more than 1 ms, across a process boundary
_SKEW = """
SELECT s.service, p.service, count(*), max(greatest(p.start_us - s.start_us,
                                                   s.start_us + s.dur_us - p.start_us - p.dur_us))
FROM spans s JOIN spans p ON p.trace_id = s.trace_id AND p.span_id = s.parent_id
WHERE s.service <> p.service
  AND (s.start_us < p.start_us - 1000 OR s.start_us + s.dur_us > p.start_us + p.dur_us + 1000)
GROUP BY ALL ORDER BY ALL
"""
#: services called by a traced client (peer names them) whose server spans never have a parent
_UNLINKED = """
WITH peers AS (SELECT DISTINCT service, peer FROM spans WHERE kind = 'client'),
called AS (
  SELECT DISTINCT t.service FROM peers c JOIN (SELECT DISTINCT service FROM spans) t
    ON lower(split_part(c.peer, ':', 1)) = lower(t.service) OR lower(split_part(c.peer, '.', 1)) = lower(t.service)
  WHERE c.service <> t.service
)
SELECT s.service FROM spans s JOIN called USING (service)
WHERE s.kind = 'server' GROUP BY s.service HAVING count(s.parent_id) = 0 ORDER BY s.service
"""


@dataclass(frozen=True)
class TraceHealth:
    orphan_spans: dict[str, int]  # service -> spans whose parent is not in the trace
    clock_skew: tuple[tuple[str, str, int, float], ...]  # (child service, parent service, spans, worst ms)
    unlinked_services: tuple[str, ...]  # called by traced services, but never continue their traces
    traces_without_root: int
    #: server service -> {header format: spans}; empty when no request headers were captured
    propagation: dict[str, dict[str, int]]
    #: service -> median probability its root spans were sampled with (when the export says)
    sampling: dict[str, float]

    def as_dict(self) -> dict[str, object]:
        return {
            "orphan_spans": self.orphan_spans,
            "clock_skew": [
                {"service": c, "parent_service": p, "spans": n, "worst_ms": w} for c, p, n, w in self.clock_skew
            ],
            "unlinked_services": list(self.unlinked_services),
            "traces_without_root": self.traces_without_root,
            "propagation": self.propagation,
            "sampling": {
                s: {"probability": p, "one_in": round(1 / p) if p else None} for s, p in self.sampling.items()
            },
        }


def trace_health(store: SpanStore) -> TraceHealth:
    no_root = store.query(
        "SELECT count(*) FROM (SELECT trace_id FROM spans GROUP BY trace_id "
        "HAVING count(*) FILTER (WHERE parent_id IS NULL) = 0)"
    )[0][0]
    return TraceHealth(
        orphan_spans={service: int(n) for service, n in store.query(_ORPHANS)},
        clock_skew=tuple((c, p, int(n), round(w / 1000, 3)) for c, p, n, w in store.query(_SKEW)),
        unlinked_services=tuple(s for (s,) in store.query(_UNLINKED)),
        traces_without_root=int(no_root),
        propagation=_propagation(store),
        sampling={
            s: round(float(p), 6)
            for s, p in store.query(
                "SELECT service, median(sampling_p) FROM spans WHERE parent_id IS NULL AND sampling_p IS NOT NULL "
                "GROUP BY service ORDER BY service"
            )
        },
    )


def _propagation(store: SpanStore) -> dict[str, dict[str, int]]:
    out: dict[str, dict[str, int]] = {}
    for service, fmt, n in store.query(
        "SELECT service, propagation, count(*) FROM spans WHERE kind = 'server' "
        "AND propagation IS NOT NULL GROUP BY ALL ORDER BY ALL"
    ):
        out.setdefault(service, {})[fmt] = int(n)
    return out
