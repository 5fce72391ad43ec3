"""The four success criteria of the framework, evaluated from the history when their inputs exist.

"p95 under budget at 95% of peak, zero critical CVEs open > 7 days, MTTR under 30 minutes, cost per
request down 20%." A criterion without its input says "not measured" and what it needs: never a
guess. MTTR is measured between recorded runs, so it can be no finer than how often runs are recorded.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass

from redline.core.model import Severity
from redline.store.metrics import DAY
from redline.store.query import Derived, RunRow

MTTR_GOAL_SECONDS = 30 * 60
CRITICAL_CVE_DAYS = 7


@dataclass(frozen=True)
class Criterion:
    name: str
    status: str  # "met", "not met", "not measured"
    detail: str


def _critical_cves(d: Derived) -> Criterion:
    name = "zero critical CVEs open > 7 days"
    late = [
        r
        for r in d.open_items
        if r.rule.startswith("VUL")
        and r.severity == Severity.CRITICAL
        and d.now - r.opened_at > CRITICAL_CVE_DAYS * DAY
    ]
    if late:
        return Criterion(name, "not met", f"{len(late)} open: " + ", ".join(f"{r.rule} {r.path}" for r in late[:5]))
    return Criterion(name, "met", "none open longer than 7 days")


def _mttr(d: Derived) -> Criterion:
    name = "MTTR under 30 minutes"
    resolved = sum(m.resolved for m in d.mttr.values())
    if not resolved:
        return Criterion(name, "not measured", "needs an item resolved between two recorded runs")
    mean = sum(m.mean_seconds * m.resolved for m in d.mttr.values()) / resolved
    status = "met" if mean < MTTR_GOAL_SECONDS else "not met"
    return Criterion(
        name, status, f"{mean / 3600:.1f} hours over {resolved} resolved item(s), measured between recorded runs"
    )


#: the criteria only a run's own inputs measure, by the id a recorded run keeps them under
_RECORDED = (
    ("p95", "p95 under budget at 95% of peak", "needs trace exports with [slo] budgets recorded at peak load"),
    (
        "cost",
        "cost per request down 20%",
        "needs billing exports with request volume (--cost, --cost-requests) and [policy] cost_baseline_period",
    ),
)


def _recorded(key: str, name: str, needs: str, runs: Sequence[RunRow]) -> Criterion:
    """As the latest recorded run that measured it says (a run without traces does not erase the last
    measurement, it is only older)."""
    measured = [r for r in runs if key in r.counts.get("success", {})]
    if not measured:
        return Criterion(name, "not measured", needs)
    last = measured[-1]
    status = "met" if last.counts["success"][key] else "not met"
    when = time.strftime("%Y-%m-%d %H:%M", time.gmtime(last.at))
    return Criterion(name, status, f"as measured by run {last.id} ({when} UTC)")


def success_criteria(d: Derived, runs: Sequence[RunRow] = ()) -> list[Criterion]:
    """The four criteria; ``runs`` (oldest first) carry what each recorded run measured of p95 and cost."""
    (p95_key, p95_name, p95_needs), (cost_key, cost_name, cost_needs) = _RECORDED
    return [
        _recorded(p95_key, p95_name, p95_needs, runs),
        _critical_cves(d),
        _mttr(d),
        _recorded(cost_key, cost_name, cost_needs, runs),
    ]
