"""The measured latency of every server operation (route) in the traces, with its ``[slo]`` objective.

Read by the success scorecard ("p95 under budget at 95 % of peak"), the latency-budget gate policy and
user impact (traffic per route). "At 95 % of peak": the p95 over the requests that fell in seconds whose
load on that route was at least 95 % of its busiest second's.
"""

from __future__ import annotations

from redline.checks.interface import CheckContext
from redline.core.facts import Facts
from redline.core.inventory import LatencyInventory, RouteLatency
from redline.core.model import Finding
from redline.sources.traces.settings import SLO_SECTION
from redline.sources.traces.store import SpanStore
from redline.synthesis.interface import SynthesisOutput, SynthesisStep

#: a second counts as "at peak" when its load is at least this share of the busiest second's
PEAK_SHARE = 0.95

_SQL = f"""
WITH s AS (
  SELECT service, operation, start_us // 1000000 AS sec, dur_us FROM spans WHERE kind = 'server'
), per_sec AS (
  SELECT service, operation, sec, count(*) AS n FROM s GROUP BY ALL
), peak AS (
  SELECT service, operation, max(n) AS peak FROM per_sec GROUP BY ALL
), hot AS (
  SELECT p.service, p.operation, p.sec FROM per_sec p JOIN peak USING (service, operation)
  WHERE p.n >= {PEAK_SHARE} * peak.peak
)
SELECT s.service, s.operation, count(*) AS n, quantile_cont(s.dur_us, 0.95) AS p95, any_value(peak.peak) AS peak,
       count(hot.sec) AS peak_n, quantile_cont(s.dur_us, 0.95) FILTER (WHERE hot.sec IS NOT NULL) AS peak_p95
FROM s JOIN peak USING (service, operation)
LEFT JOIN hot ON hot.service = s.service AND hot.operation = s.operation AND hot.sec = s.sec
GROUP BY s.service, s.operation
ORDER BY n DESC, s.service, s.operation
"""


def _ms(us: float | None) -> float | None:
    return None if us is None else round(float(us) / 1000.0, 1)


def measure(store: SpanStore, objectives: dict[str, float]) -> list[RouteLatency]:
    return [
        RouteLatency(
            service=str(service),
            route=str(op),
            count=int(n),
            p95_ms=_ms(p95) or 0.0,
            peak_qps=int(peak),
            peak_count=int(peak_n),
            peak_p95_ms=_ms(peak_p95),
            objective_ms=objectives.get(str(op)),
        )
        for service, op, n, p95, peak, peak_n, peak_p95 in store.query(_SQL)
    ]


class LatencyStep(SynthesisStep):
    name = "latency"

    def run(self, facts: Facts, findings: list[Finding], ctx: CheckContext) -> SynthesisOutput:
        stores = facts.of(SpanStore)
        if not stores:
            return SynthesisOutput()
        objectives = {s.route: s.p95_ms for s in ctx.config.settings(SLO_SECTION).slos}
        routes = [r for store in stores for r in measure(store, objectives)]
        return SynthesisOutput(latency=LatencyInventory(tuple(routes)))
