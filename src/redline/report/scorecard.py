"""The success scorecard of ``report.html``: the four criteria of the framework, each evaluated when its
inputs exist, else "not measured" with what it needs (never a guess).

"p95 under budget at 95 % of peak, zero critical CVEs open > 7 days, MTTR under 30 minutes, cost per
request down 20 %." Inputs: the latency inventory (traces with ``[slo]`` objectives), the findings and
the history digest (recorded runs), and the cost document with ``[policy] cost_baseline_period``.
"""

from __future__ import annotations

from dataclasses import dataclass

from redline.core.model import Severity
from redline.core.policy import POLICY_SECTION, CostChange, cost_change
from redline.core.result import AuditResult

MTTR_GOAL_SECONDS = 30 * 60
#: fewest requests in the seconds at 95 % of peak for a route's p95 there to count
MIN_PEAK_SAMPLES = 20
COST_TARGET = 0.20
MET, NOT_MET, NOT_MEASURED = "met", "not met", "not measured"


@dataclass(frozen=True)
class Criterion:
    name: str
    status: str  # met / not met / not measured
    detail: str


def p95_at_peak(result: AuditResult) -> Criterion:
    name = "p95 under budget at 95 % of peak"
    if result.latency is None:
        return Criterion(name, NOT_MEASURED, 'needs trace exports (--traces) and [slo."ROUTE"] p95_ms objectives')
    routes = result.latency.with_objective()
    if not routes:
        seen = ", ".join(r.route for r in result.latency.routes[:3]) or "none"
        return Criterion(name, NOT_MEASURED, f'needs [slo."ROUTE"] p95_ms for the measured routes (busiest: {seen})')
    thin = [r for r in routes if r.peak_p95_ms is None or r.peak_count < MIN_PEAK_SAMPLES]
    if thin:
        r = thin[0]
        return Criterion(
            name,
            NOT_MEASURED,
            f"needs at least {MIN_PEAK_SAMPLES} requests at 95 % of peak per route: {r.route} has {r.peak_count}",
        )
    over = [r for r in routes if (r.peak_p95_ms or 0) > (r.objective_ms or 0)]
    if over:
        text = "; ".join(f"{r.route}: {r.peak_p95_ms:g} ms > {r.objective_ms:g} ms" for r in over[:3])
        return Criterion(name, NOT_MET, f"{len(over)} of {len(routes)} route(s) over: {text}")
    return Criterion(name, MET, f"{len(routes)} route(s) within their p95 objective at peak load")


def critical_cves(result: AuditResult) -> Criterion:
    name = "zero critical CVEs open > 7 days"
    open_now = [g for g in result.items if g.lead.rule.startswith("VUL") and g.lead.severity is Severity.CRITICAL]
    unchecked = [e for e in result.errors if e.where == "vulnerability database"]
    if unchecked and not open_now:
        return Criterion(name, NOT_MEASURED, "needs the vulnerability database: dependencies were not checked")
    if not open_now:
        return Criterion(name, MET, "no critical vulnerability open")
    if result.history is None:
        return Criterion(
            name,
            NOT_MEASURED,
            f"{len(open_now)} critical vulnerability item(s) open; "
            "their age needs recorded runs (redline audit --record)",
        )
    late = result.history.late_critical_cves
    if late:
        return Criterion(name, NOT_MET, f"{len(late)} open longer than 7 days: " + ", ".join(late[:3]))
    return Criterion(name, MET, f"{len(open_now)} critical open, none longer than 7 days")


def mttr(result: AuditResult) -> Criterion:
    name = "MTTR under 30 minutes"
    if result.history is None or result.history.mttr is None:
        return Criterion(name, NOT_MEASURED, "needs recorded runs (redline audit --record) with an item resolved")
    resolved, mean = result.history.mttr
    status = MET if mean < MTTR_GOAL_SECONDS else NOT_MET
    return Criterion(name, status, f"{_duration(mean)} over {resolved} resolved item(s), between recorded runs")


def cost_per_request(result: AuditResult) -> Criterion:
    name = "cost per request down 20 %"
    if result.cost is None:
        return Criterion(name, NOT_MEASURED, "needs billing exports (--cost) with request volume (--cost-requests)")
    period = result.config.settings(POLICY_SECTION).cost_baseline_period
    if not period:
        return Criterion(name, NOT_MEASURED, "needs a baseline month: [policy] cost_baseline_period = 'YYYY-MM'")
    change = cost_change(result.cost.document, period)
    if isinstance(change, str):
        return Criterion(name, NOT_MEASURED, change)
    return Criterion(name, MET if change.ratio <= 1 - COST_TARGET else NOT_MET, _cost_text(change))


def _cost_text(c: CostChange) -> str:
    direction = "down" if c.ratio < 1 else "up"
    return (
        f"{c.currency} {c.current:.6g} per request in {c.month} vs {c.baseline:.6g} in {c.baseline_month}: "
        f"{direction} {abs(c.ratio - 1) * 100:.1f} %"
    )


def _duration(seconds: float) -> str:
    if seconds < 3600:
        return f"{seconds / 60:.0f} minutes"
    if seconds < 2 * 86_400:
        return f"{seconds / 3600:.1f} hours"
    return f"{seconds / 86_400:.1f} days"


def scorecard(result: AuditResult) -> list[Criterion]:
    return [p95_at_peak(result), critical_cves(result), mttr(result), cost_per_request(result)]


def measured_success(result: AuditResult) -> tuple[tuple[str, int], ...]:
    """What a recorded run keeps of the criteria only its inputs can measure (traces, billing): id -> 1 met,
    0 not met; a criterion not measured is left out, so the history never reads a guess."""
    judged = (("p95", p95_at_peak(result)), ("cost", cost_per_request(result)))
    return tuple((key, int(c.status == MET)) for key, c in judged if c.status != NOT_MEASURED)
