"""COST102: spend with nothing using it: idle IPs, unattached disks, load balancers with no traffic,
components with cost and no requests."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator

from redline.checks.cost.base import COST_REFS, CostCheck, money, priority
from redline.core.model import Area, Finding, Severity
from redline.core.rules import Rule, RuleDoc
from redline.sources.cost.measures import requests_by_component_month
from redline.sources.cost.model import UNALLOCATED, CostDataset
from redline.sources.cost.settings import SECTION

IDLE_SPEND = Rule(
    code="COST102",
    name="idle-spend",
    area=Area.COST,
    severity=Severity.MEDIUM,
    summary="Spend on resources nothing uses",
    doc=RuleDoc(
        what_it_does="Finds, from the charges themselves: public IP addresses billed as idle or not attached "
        "(AWS `Idle public IPv4 address`, `Elastic IP address not attached to a running instance`), disks "
        "billed as unattached, load balancers billed for their hours on at least 3 days of a month with no "
        "capacity-unit, data-processed or transfer charge in it (no traffic, so no working targets), and — when "
        "request volume is given — "
        "components that served requests in some month but none in a month they were still billed for (a "
        "component the request data never names, such as a database, is not judged this way).",
        why_bad="Orphans are pure waste: they are left behind by deletions and experiments, cost money every "
        "hour and appear on no dashboard that looks at traffic.",
        example="ChargeDescription: $0.005 per Idle public IPv4 address per hour  ResourceId: eipalloc-0abc",
        use_instead="Release the address, delete or snapshot-and-delete the disk, delete the load balancer "
        "(or its listener rules) and scale the component to zero when it serves nothing.",
        references=(
            *COST_REFS,
            "https://aws.amazon.com/blogs/aws/new-aws-public-ipv4-address-charge-public-ip-insights/",
        ),
    ),
)

LB_MIN_DAYS = 3

_WHAT = {
    "ip-idle": ("idle public IP address", "Release the address (or attach it to what should use it)."),
    "volume-unattached": ("unattached disk", "Snapshot the disk if its data matters, then delete it."),
}


class IdleSpendCheck(CostCheck):
    name = "cost-idle"
    rules = (IDLE_SPEND,)
    config_sections = (SECTION,)

    def check_dataset(self, ds: CostDataset) -> Iterator[Finding]:
        total = sum(ln.cost for ln in ds.lines if ln.cost > 0)
        yield from self._orphans(ds, total)
        yield from self._silent_load_balancers(ds, total)
        yield from self._components_without_requests(ds, total)

    def _orphans(self, ds: CostDataset, total: float) -> Iterator[Finding]:
        cost: dict[tuple[str, str, str], float] = defaultdict(float)
        for ln in ds.lines:
            if ln.usage_kind in _WHAT:
                cost[(ln.usage_kind, ln.resource_id, ln.currency)] += ln.cost
        for (kind, resource, currency), amount in sorted(cost.items()):
            if amount < ds.settings.min_amount:
                continue
            what, fix = _WHAT[kind]
            yield self.finding(
                IDLE_SPEND,
                f"{what} {resource} cost {money(amount, currency)}",
                self.location(ds, resource),
                evidence={"kind": kind},
                remediation=fix,
                priority=priority(amount, total),
                identity=f"{kind}/{resource}",
            )

    def _silent_load_balancers(self, ds: CostDataset, total: float) -> Iterator[Finding]:
        hours: dict[tuple[str, str, str], float] = defaultdict(float)
        billed_days: dict[tuple[str, str, str], int] = defaultdict(int)
        traffic: dict[tuple[str, str], float] = defaultdict(float)
        for ln in ds.lines:
            if ln.usage_kind == "lb-hours":
                hours[(ln.resource_id, ln.month, ln.currency)] += ln.cost
                billed_days[(ln.resource_id, ln.month, ln.currency)] += ln.days
            else:  # any other charge on the balancer (capacity units, data processed, transfer) is traffic
                traffic[(ln.resource_id, ln.month)] += ln.quantity + abs(ln.cost)
        for (resource, month, currency), amount in sorted(hours.items()):
            # a balancer billed a day or two was being created or torn down (or the export is a sample)
            if (
                amount < ds.settings.min_amount
                or traffic.get((resource, month), 0.0) > 0
                or billed_days[(resource, month, currency)] < LB_MIN_DAYS
            ):
                continue
            yield self.finding(
                IDLE_SPEND,
                f"load balancer {resource} cost {money(amount, currency)} in {month} with no "
                "capacity-unit, data-processed or transfer charge: it carried no traffic",
                self.location(ds, resource),
                evidence={"kind": "lb-no-traffic", "month": month},
                remediation="Check its target groups; delete the load balancer if nothing should route through it.",
                priority=priority(amount, total),
                identity=f"lb-no-traffic/{resource}",
            )

    def _components_without_requests(self, ds: CostDataset, total: float) -> Iterator[Finding]:
        if not ds.has_requests:
            return
        reqs = requests_by_component_month(ds)
        months_with_requests = {m for m, _ in reqs}
        cost: dict[tuple[str, str, str], float] = defaultdict(float)
        for ln in ds.lines:
            if ln.component != UNALLOCATED and ln.month in months_with_requests:
                cost[(ln.component, ln.month, ln.currency)] += ln.cost
        served: dict[str, set[str]] = defaultdict(set)
        for (month, component), count in reqs.items():
            if count > 0:
                served[component].add(month)
        for (component, month, currency), amount in sorted(cost.items()):
            # a component the request data never names (a database, a queue) cannot be judged by it
            if amount < ds.settings.min_amount or not served.get(component) or month in served[component]:
                continue
            yield self.finding(
                IDLE_SPEND,
                f"component {component} cost {money(amount, currency)} in {month} and served no "
                "request in the request data",
                self.location(ds, component),
                evidence={"kind": "no-requests", "month": month},
                remediation=f"Confirm {component} is still needed (it may be a batch job: then name its requests "
                "source); otherwise scale it to zero and delete its resources.",
                priority=priority(amount, total),
                identity=f"no-requests/{component}/{month}",
            )
