"""COST103: cost per request up more than a threshold month over month."""

from __future__ import annotations

from collections.abc import Iterator

from redline.checks.cost.base import COST_REFS, CostCheck, money, pct, priority
from redline.core.model import Area, Finding, Severity
from redline.core.rules import Rule, RuleDoc
from redline.sources.cost.measures import PerRequest, per_request_by_component, per_request_by_tenant
from redline.sources.cost.model import CostDataset
from redline.sources.cost.settings import SECTION

COST_PER_REQUEST_UP = Rule(
    code="COST103",
    name="cost-per-request-growth",
    area=Area.COST,
    severity=Severity.MEDIUM,
    summary="Cost per request rose more than the threshold month over month",
    doc=RuleDoc(
        what_it_does="For each component (direct cost plus its part of shared cost) and each tenant of a "
        "component, divides the month's cost by the month's requests and compares the latest month with the "
        "month before; reports a rise above `[cost] growth_threshold` (default 20 %). Needs request volume "
        "(`--requests`).",
        why_bad="When cost grows faster than traffic, unit economics are getting worse: a regression (a missing "
        "cache, an N+1 query, an over-provisioned node pool) is eating margin at every request.",
        example="checkout 2024-08: 0.0021 USD/request → 2024-09: 0.0034 USD/request (+62 %)",
        use_instead="Find what changed in the month (deployments, instance types, data volume) and bring the "
        "unit cost back; track cost per request as a release metric.",
        references=(*COST_REFS, "https://www.finops.org/framework/capabilities/unit-economics/"),
    ),
)


class CostPerRequestGrowthCheck(CostCheck):
    name = "cost-growth"
    rules = (COST_PER_REQUEST_UP,)
    config_sections = (SECTION,)

    def check_dataset(self, ds: CostDataset) -> Iterator[Finding]:
        total = sum(ln.cost for ln in ds.lines if ln.cost > 0)
        for kind, items in (("component", per_request_by_component(ds)), ("tenant", per_request_by_tenant(ds))):
            latest: dict[tuple[str, str], PerRequest] = {}
            for item in items:
                latest[(item.currency, item.subject)] = item  # items are sorted by month
            for (currency, subject), item in sorted(latest.items()):
                change = item.change
                if change is None or change <= ds.settings.growth_threshold or item.cost < ds.settings.min_amount:
                    continue
                yield self.finding(
                    COST_PER_REQUEST_UP,
                    f"{kind} {subject}: cost per request {item.per_request:.6f} {currency} in {item.month}, "
                    f"up {pct(change)} from {item.previous:.6f} the month before "
                    f"({money(item.cost, currency)} over {item.requests:,.0f} requests)",
                    self.location(ds, subject),
                    evidence={"month": item.month, "change": round(change, 4)},
                    remediation=f"Compare {subject}'s resources and usage between the two months (top cost lines in "
                    "cost.json) and revert the change that raised the unit cost.",
                    priority=priority(item.cost, total),
                    identity=f"growth/{kind}/{subject}",
                )
