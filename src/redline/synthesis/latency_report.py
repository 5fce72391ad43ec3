"""The latency of each root operation of the audit's traces, for the report: a histogram of the root span
durations and the critical-path breakdown by hop (``[traces.hops]`` rules, else services).

Only the busiest root operations are kept (``MAX_ROOTS``), and the critical path is walked over a fixed
sample of each one's traces (``MAX_TRACES``), so a large trace set costs the report a bounded amount."""

from __future__ import annotations

from redline.checks.interface import CheckContext
from redline.core.facts import Facts
from redline.core.inventory import LatencySummary, RootLatency
from redline.core.model import Finding
from redline.sources.traces.critical_path import hop_breakdown
from redline.sources.traces.settings import TRACES_SECTION
from redline.sources.traces.store import SpanStore
from redline.synthesis.interface import SynthesisOutput, SynthesisStep

MAX_ROOTS = 8
MAX_TRACES = 2000

#: root spans per operation: count, quantiles, and counts per doubling bucket (bucket 0: under 1 ms)
_ROOTS_SQL = """
WITH r AS (SELECT service, operation, dur_us / 1000.0 AS ms FROM spans WHERE parent_id IS NULL),
top AS (SELECT service, operation, count(*) AS n, quantile_cont(ms, [0.5, 0.95, 0.99]) AS q FROM r
        GROUP BY ALL ORDER BY n DESC, service, operation LIMIT ?),
b AS (SELECT service, operation, CASE WHEN ms < 1 THEN 0 ELSE 1 + floor(log2(ms))::INTEGER END AS bucket,
             count(*) AS n FROM r JOIN top USING (service, operation) GROUP BY ALL)
SELECT t.service, t.operation, t.n, t.q, list((b.bucket, b.n) ORDER BY b.bucket)
FROM top t JOIN b USING (service, operation)
GROUP BY ALL ORDER BY t.n DESC, t.service, t.operation
"""


def latency_summary(store: SpanStore, ctx: CheckContext) -> LatencySummary:
    rules = ctx.config.settings(TRACES_SECTION).hops
    roots = []
    for service, operation, n, q, buckets in store.query(_ROOTS_SQL, (MAX_ROOTS,)):
        hops = sorted(hop_breakdown(store, operation, rules, MAX_TRACES), key=lambda h: (-h.p95_ms, h.hop))
        roots.append(
            RootLatency(
                service=service,
                operation=operation,
                count=int(n),
                p50_ms=round(float(q[0]), 3),
                p95_ms=round(float(q[1]), 3),
                p99_ms=round(float(q[2]), 3),
                histogram=tuple((float(2 ** int(b[0])), int(b[1])) for b in buckets),
                hops=tuple((h.hop, h.p95_ms, h.mean_share) for h in hops),
            )
        )
    return LatencySummary(tuple(roots))


class RootLatencyStep(SynthesisStep):
    """Puts the latency of the traces' root operations into the result's ``latency`` (``audit --traces``)."""

    name = "latency summary"

    def run(self, facts: Facts, findings: list[Finding], ctx: CheckContext) -> SynthesisOutput:
        stores = facts.of(SpanStore)
        return SynthesisOutput(latency_report=latency_summary(stores[0], ctx) if stores else None)
