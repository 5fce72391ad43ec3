"""COST101: spend no tag or resource pattern ties to a component."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator

from redline.checks.cost.base import COST_REFS, CostCheck, money, pct, priority
from redline.core.model import Area, Finding, Severity
from redline.core.rules import Rule, RuleDoc
from redline.sources.cost.model import UNALLOCATED, CostDataset
from redline.sources.cost.settings import SECTION

TOP = 5

UNALLOCATED_SPEND = Rule(
    code="COST101",
    name="unallocated-spend",
    area=Area.COST,
    severity=Severity.MEDIUM,
    summary="A large share of cloud spend belongs to no component",
    doc=RuleDoc(
        what_it_does="Adds up the charges (in the chosen cost metric, per currency) that neither a service tag "
        "(`[cost] service_tags`, default `application`, `service`, `app`, `k8s-label/app` …) nor a resource "
        "pattern (`[cost] components`) ties to a component, and reports when they exceed "
        "`[cost] unallocated_share` (default 10 %) of the positive spend, naming the five largest untagged "
        "resources.",
        why_bad="Cost nobody owns cannot be optimised, charged back or put on a per-request figure: every "
        "cost-per-request and per-tenant number is diluted by it, and waste hides in it.",
        example="ResourceId: arn:aws:ec2:…:volume/vol-0abc  Tags: {}  EffectiveCost: 412.00",
        use_instead='Tag every resource with its service (`application = "checkout"`), enforce it with a tag '
        "policy, or map resource ids to components:\n[cost.components]\ncheckout = ['checkout-']",
        references=(*COST_REFS, "https://www.finops.org/framework/capabilities/allocation/"),
    ),
)


class UnallocatedSpendCheck(CostCheck):
    name = "cost-unallocated"
    rules = (UNALLOCATED_SPEND,)
    config_sections = (SECTION,)

    def check_dataset(self, ds: CostDataset) -> Iterator[Finding]:
        spend: dict[str, float] = defaultdict(float)
        untagged: dict[str, dict[str, float]] = defaultdict(lambda: defaultdict(float))
        for ln in ds.lines:
            if ln.cost <= 0:
                continue
            spend[ln.currency] += ln.cost
            if ln.component == UNALLOCATED:
                untagged[ln.currency][ln.resource_id or f"({ln.service_name or 'no resource'})"] += ln.cost
        for currency, by_resource in sorted(untagged.items()):
            amount, total = sum(by_resource.values()), spend[currency]
            share = amount / total
            if share <= ds.settings.unallocated_share or amount < ds.settings.min_amount:
                continue
            top = sorted(by_resource.items(), key=lambda kv: (-kv[1], kv[0]))[:TOP]
            yield self.finding(
                UNALLOCATED_SPEND,
                f"{money(amount, currency)} ({pct(share)} of {money(total, currency)}) is allocated to no "
                f"component; largest: {', '.join(f'{r} ({money(v, currency)})' for r, v in top)}",
                self.location(ds, f"{UNALLOCATED}/{currency}"),
                evidence={
                    "share": round(share, 4),
                    "amount": round(amount, 2),
                    "currency": currency,
                    "largest": tuple(r for r, _ in top),
                },
                remediation="Tag these resources with one of the service tags "
                f"({', '.join(ds.settings.service_tags[:4])} …) or add their id patterns under "
                f"[cost.components]; start with {top[0][0]}.",
                priority=priority(amount, total),
                identity=f"unallocated/{currency}",
            )
