"""Measures per service and operation: count, QPS (mean and the busiest second, so bursts show),
error rate, and p50/p95/p99 of duration and of self-time (a span's time not covered by its children)."""

from __future__ import annotations

from dataclasses import dataclass

from redline.sources.traces.store import SpanStore

#: the time a span's children cover, clipped to the span: in start order, each child adds what it reaches
#: past the furthest end of the children before it (the union of the intervals, in one window pass)
SELF_TIME_SQL = """
CREATE OR REPLACE TEMP TABLE self_time AS
WITH c AS (
  SELECT s.trace_id, s.parent_id, greatest(s.start_us, p.start_us) AS b,
         least(s.start_us + s.dur_us, p.start_us + p.dur_us) AS e
  FROM spans s JOIN spans p ON p.trace_id = s.trace_id AND p.span_id = s.parent_id
), o AS (
  SELECT trace_id, parent_id, b, e, max(e) OVER (PARTITION BY trace_id, parent_id ORDER BY b, e
                         ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING) AS reached FROM c WHERE e > b
)
SELECT trace_id, parent_id AS span_id, sum(greatest(0, e - greatest(b, coalesce(reached, b))))::BIGINT AS covered_us
FROM o GROUP BY trace_id, parent_id
"""

_MEASURES_SQL = """
-- the window in whole seconds, as the peak is counted
WITH w AS (SELECT (max(start_us // 1000000) - min(start_us // 1000000) + 1)::DOUBLE AS secs FROM spans),
per_sec AS (
  SELECT service, kind, operation, start_us // 1000000 AS sec, count(*) AS n FROM spans GROUP BY ALL
), peak AS (SELECT service, kind, operation, max(n) AS max_qps FROM per_sec GROUP BY ALL)
SELECT s.service, s.kind, s.operation, count(*) AS n, count(*) / any_value(w.secs) AS mean_qps,
       any_value(peak.max_qps) AS max_qps, avg(s.error::INTEGER) AS error_rate,
       quantile_cont(s.dur_us, [0.5, 0.95, 0.99]) AS dur_q, avg(s.dur_us) AS mean_us,
       quantile_cont(greatest(0, s.dur_us - coalesce(t.covered_us, 0)), [0.5, 0.95, 0.99]) AS self_q
FROM spans s CROSS JOIN w
JOIN peak USING (service, kind, operation)
LEFT JOIN self_time t ON t.trace_id = s.trace_id AND t.span_id = s.span_id
GROUP BY s.service, s.kind, s.operation
ORDER BY s.service, s.kind, s.operation
"""


@dataclass(frozen=True)
class OperationMeasure:
    """What one service's operation did over the whole trace set (times in milliseconds)."""

    service: str
    kind: str
    operation: str
    count: int
    mean_qps: float
    max_qps: int
    error_rate: float
    mean_ms: float
    p50_ms: float
    p95_ms: float
    p99_ms: float
    self_p50_ms: float
    self_p95_ms: float
    self_p99_ms: float

    @property
    def burst_ratio(self) -> float:
        """The busiest second over the mean: 1 is steady traffic, 5 means bursts five times the mean."""
        return self.max_qps / self.mean_qps if self.mean_qps else 0.0


def operation_measures(store: SpanStore) -> list[OperationMeasure]:
    store.con.execute(SELF_TIME_SQL)
    out = []
    for service, kind, op, n, mean_qps, max_qps, err, dur_q, mean_us, self_q in store.query(_MEASURES_SQL):
        out.append(
            OperationMeasure(
                service=service,
                kind=kind,
                operation=op,
                count=int(n),
                mean_qps=round(float(mean_qps), 3),
                max_qps=int(max_qps),
                error_rate=round(float(err), 4),
                mean_ms=_ms(mean_us),
                p50_ms=_ms(dur_q[0]),
                p95_ms=_ms(dur_q[1]),
                p99_ms=_ms(dur_q[2]),
                self_p50_ms=_ms(self_q[0]),
                self_p95_ms=_ms(self_q[1]),
                self_p99_ms=_ms(self_q[2]),
            )
        )
    return out


def _ms(us: float) -> float:
    return round(float(us) / 1000.0, 3)
