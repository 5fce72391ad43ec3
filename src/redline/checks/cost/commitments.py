"""COST107: steady on-demand compute or database spend a savings plan or reservation would cover."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator

from redline.checks.cost.base import COST_REFS, CostCheck, money, pct, priority
from redline.core.model import Area, Finding, Severity
from redline.core.rules import Rule, RuleDoc
from redline.sources.cost.model import CostDataset
from redline.sources.cost.settings import SECTION

COMMITMENT = Rule(
    code="COST107",
    name="uncommitted-steady-usage",
    area=Area.COST,
    severity=Severity.LOW,
    summary="Steady on-demand usage that a commitment discount would cover",
    doc=RuleDoc(
        what_it_does="In the latest month, takes the daily on-demand (`PricingCategory` Standard/On-Demand, no "
        "`CommitmentDiscountId`) usage cost of compute and database services per provider, service and "
        "component; reports it when it is charged on at least `[cost] commitment_min_days` days (default 21) "
        "with a day-to-day coefficient of variation at most `[cost] commitment_max_variation` (default 0.25).",
        why_bad="Usage that runs every day at a steady level is exactly what savings plans and reservations "
        "discount (typically 20–70 %); paying on-demand for it is the single largest avoidable line on most "
        "bills.",
        example="AmazonEC2 / orders: 31 of 30 days on-demand, 118.40–131.20 USD a day, CV 0.03",
        use_instead="Commit to the steady floor (the lowest daily spend × 30) with a compute savings plan or "
        "reservations, and keep the variable part on demand.",
        references=(*COST_REFS, "https://docs.aws.amazon.com/savingsplans/latest/userguide/what-is-savings-plans.html"),
    ),
)


class CommitmentCoverageCheck(CostCheck):
    name = "cost-commitments"
    rules = (COMMITMENT,)
    config_sections = (SECTION,)

    def check_dataset(self, ds: CostDataset) -> Iterator[Finding]:
        total = sum(ln.cost for ln in ds.lines if ln.cost > 0)
        latest: dict[str, str] = {}
        series: dict[tuple[str, str, str, str], dict[str, float]] = defaultdict(lambda: defaultdict(float))
        for d in ds.daily:
            latest[d.currency] = max(latest.get(d.currency, ""), d.day[:7])
        for d in ds.daily:
            if d.commitment_eligible and d.day[:7] == latest[d.currency]:
                series[(d.currency, d.provider, d.service_name, d.component)][d.day] += d.cost
        for (cur, provider, service, comp), days in sorted(series.items()):
            values = [v for v in days.values() if v > 0]
            amount = sum(values)
            if len(values) < ds.settings.commitment_min_days or amount < ds.settings.min_amount:
                continue
            import statistics  # noqa: PLC0415 - statistics (fractions, decimal) only for a run with data to summarise

            variation = statistics.pstdev(values) / statistics.fmean(values)
            if variation > ds.settings.commitment_max_variation:
                continue
            floor = min(values)
            yield self.finding(
                COMMITMENT,
                f"{provider} {service} for {comp}: {money(amount, cur)} on demand over {len(values)} days "
                f"at a steady {money(floor, cur)}–{money(max(values), cur)} a day (variation {pct(variation)})",
                self.location(ds, f"{provider}/{service}/{comp}"),
                evidence={"days": len(values), "floor_per_day": round(floor, 2), "currency": cur},
                remediation=f"Cover about {money(floor * 30, cur)} a month of {service} with a savings plan or "
                "reservation (the steady floor); keep the rest on demand.",
                priority=priority(amount, total),
                identity=f"commitment/{provider}/{service}/{comp}",
            )
