"""High-variance hops: a downstream call whose p99 is many times its p50, where a hedged request helps."""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Iterable, Sequence

from redline.checks.performance.common import Occurrence, Pattern, TraceCheck, examples, location, ms
from redline.core.model import Area, Finding, Severity
from redline.core.rules import Rule, RuleDoc
from redline.sources.traces.settings import TracesSettings
from redline.sources.traces.store import SpanStore

HIGH_VARIANCE = Rule(
    code="TRC106",
    name="high-variance-hop",
    area=Area.PERFORMANCE,
    severity=Severity.LOW,
    summary="A downstream hop with a long tail (p99 many times p50) that a hedged request would cut",
    doc=RuleDoc(
        what_it_does="In the traces, groups client spans by caller, peer and target (method and route, or "
        "statement); with at least 100 "
        "samples and p99/p50 of at least 3 (`[traces] hedge_min_samples`, `hedge_min_ratio`) it estimates, "
        "from the measured distribution, the p99 if a second request were sent when the first has not "
        "answered by the p95, and reports the hop when that saves at least 20 ms (`hedge_min_gain_ms`).",
        why_bad="A request that fans out or chains hops waits for its slowest piece, so a hop's rare slow "
        "answers (GC pauses, queueing, a bad replica) become the user's common experience.",
        example="resp = client.get('http://search/q', timeout=2)  # p50 8 ms, p99 180 ms",
        use_instead="Hedge idempotent reads: send a second request to another replica after the p95 "
        "(gRPC hedgingPolicy, Envoy/Linkerd hedging), cancel the loser; or fix the tail's cause.",
        references=(
            "https://research.google/pubs/the-tail-at-scale/",
            "https://github.com/grpc/proposal/blob/master/A6-client-retries.md#hedging-policy",
        ),
    ),
)

_SQL = """
-- one distribution per call target: pooling a peer's fast and slow routes would look like a tail
SELECT service, coalesce(peer, '?'), coalesce(http_method || ' ' || route, statement, operation), count(*),
       quantile_cont(dur_us, [0.5, 0.95, 0.99]),
       list(dur_us ORDER BY dur_us),
       max_by(struct_pack(t := trace_id, s := span_id, d := dur_us, f := file_no), dur_us, 3)
FROM spans WHERE kind = 'client'
GROUP BY ALL
HAVING count(*) >= ? AND quantile_cont(dur_us, 0.99) >= ? * greatest(quantile_cont(dur_us, 0.5), 1)
ORDER BY ALL
"""


def hedged_p99(sorted_durations: Sequence[float], hedge_at: float) -> float:
    """The p99 of min(X1, hedge_at + X2) for two independent draws of the measured distribution: the
    latency when a second request goes out at ``hedge_at`` and the first answer wins."""
    n = len(sorted_durations)

    def survival(x: float) -> float:
        return (n - bisect_right(sorted_durations, x)) / n

    def tail(x: float) -> float:
        return survival(x) if x < hedge_at else survival(x) * survival(x - hedge_at)

    candidates = sorted({*sorted_durations, *(hedge_at + d for d in sorted_durations)})
    lo, hi = 0, len(candidates) - 1
    while lo < hi:
        mid = (lo + hi) // 2
        if tail(candidates[mid]) <= 0.01:
            hi = mid
        else:
            lo = mid + 1
    return candidates[lo]


class HighVarianceCheck(TraceCheck):
    name = "trace-high-variance"
    rules = (HIGH_VARIANCE,)

    def detect(self, store: SpanStore, settings: TracesSettings) -> Iterable[Finding]:
        for service, peer, operation, n, q, durations, worst in store.query(
            _SQL, (settings.hedge_min_samples, settings.hedge_min_ratio)
        ):
            p50, p95, p99 = q
            hedged = hedged_p99(durations, p95)
            if ms(p99 - hedged) < settings.hedge_min_gain_ms:
                continue
            pattern = Pattern([Occurrence(w["t"], [w["s"]], ms(w["d"]), w["f"]) for w in worst])
            yield self.finding(
                HIGH_VARIANCE,
                f"{service} -> {peer} '{operation}': p99 {ms(p99):g} ms is {p99 / max(p50, 1):.1f}x the p50 "
                f"{ms(p50):g} ms ({n} calls); hedging at the p95 ({ms(p95):g} ms) would bring the p99 to about "
                f"{ms(hedged):g} ms",
                location(store, pattern, f"{service} -> {peer} {operation}"),
                evidence={
                    "service": service,
                    "peer": peer,
                    "operation": operation,
                    "count": n,
                    "p50_ms": ms(p50),
                    "p95_ms": ms(p95),
                    "p99_ms": ms(p99),
                    "hedged_p99_ms": ms(hedged),
                    **examples(pattern),
                },
                remediation=f"If '{operation}' is idempotent, send a hedged request to another replica after "
                f"{ms(p95):g} ms and take the first answer (about 5% extra load); expected p99 {ms(hedged):g} ms "
                f"instead of {ms(p99):g} ms. Otherwise find the tail's cause in the slowest traces.",
                identity=f"{service}|{peer}|{operation}",
            )
