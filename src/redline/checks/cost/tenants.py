"""COST104: a tenant whose share of a component's cost is far above its share of the requests."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator

from redline.checks.cost.base import COST_REFS, CostCheck, latest_months, money, pct, priority
from redline.core.model import Area, Finding, Severity
from redline.core.rules import Rule, RuleDoc
from redline.sources.cost.measures import requests_by_tenant_month, tenant_costs
from redline.sources.cost.model import CostDataset
from redline.sources.cost.settings import SECTION

TENANT_SKEW = Rule(
    code="COST104",
    name="tenant-cost-skew",
    area=Area.COST,
    severity=Severity.LOW,
    summary="A tenant costs far more than its share of requests",
    doc=RuleDoc(
        what_it_does="In the latest month, for each component, compares each tenant's share of the component's "
        "cost (charges tagged with the tenant plus its request share of the untagged rest) with its share of the "
        "component's requests; reports a tenant whose cost share is at least `[cost] tenant_skew_ratio` "
        "(default 2×) its request share and at least `[cost] tenant_min_share` (default 5 %) of the cost.",
        why_bad="A noisy or under-priced tenant: its dedicated resources or heavy requests cost far more than "
        "its traffic suggests, so flat per-request pricing loses money on it and the others subsidise it.",
        example="tenant acme: 61 % of search cost, 9 % of search requests",
        use_instead="Price the tenant on what drives its cost (storage, heavy queries), put it on a quota or "
        "its own tier, or move its dedicated resources to shared capacity.",
        references=(*COST_REFS, "https://www.finops.org/framework/capabilities/invoicing-chargeback/"),
    ),
)


class TenantSkewCheck(CostCheck):
    name = "cost-tenant-skew"
    rules = (TENANT_SKEW,)
    config_sections = (SECTION,)

    def check_dataset(self, ds: CostDataset) -> Iterator[Finding]:
        reqs = requests_by_tenant_month(ds)
        costs = tenant_costs(ds)
        total = sum(ln.cost for ln in ds.lines if ln.cost > 0)
        latest = latest_months(ds.lines)
        comp_cost: dict[tuple[str, str, str], float] = defaultdict(float)
        comp_reqs: dict[tuple[str, str], float] = defaultdict(float)
        for (cur, month, comp, _t), value in costs.items():
            comp_cost[(cur, month, comp)] += value
        for (month, comp, _t), n in reqs.items():
            comp_reqs[(month, comp)] += n
        for (cur, month, comp, tenant), value in costs.items():
            if month != latest[cur] or value < ds.settings.min_amount:
                continue
            whole, all_reqs = comp_cost[(cur, month, comp)], comp_reqs.get((month, comp), 0.0)
            if whole <= 0 or all_reqs <= 0:
                continue
            cost_share, req_share = value / whole, reqs.get((month, comp, tenant), 0.0) / all_reqs
            if cost_share < ds.settings.tenant_min_share or cost_share < ds.settings.tenant_skew_ratio * req_share:
                continue
            yield self.finding(
                TENANT_SKEW,
                f"tenant {tenant} is {pct(cost_share)} of {comp}'s cost ({money(value, cur)}) but "
                f"{pct(req_share)} of its requests in {month}",
                self.location(ds, f"{comp}/{tenant}"),
                evidence={"cost_share": round(cost_share, 4), "request_share": round(req_share, 4), "month": month},
                remediation=f"Look at the resources tagged for {tenant} in {comp}; price or limit what drives "
                "them, or fold them into shared capacity.",
                priority=priority(value, total),
                identity=f"tenant-skew/{comp}/{tenant}",
            )
