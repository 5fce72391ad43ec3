"""COST105: cross-zone and outbound data transfer above a share of a component's cost."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator

from redline.checks.cost.base import COST_REFS, CostCheck, latest_months, money, pct, priority
from redline.core.model import Area, Finding, Severity
from redline.core.rules import Rule, RuleDoc
from redline.sources.cost.model import UNALLOCATED, CostDataset
from redline.sources.cost.settings import SECTION

TRANSFER = ("transfer-zone", "transfer-out")

DATA_TRANSFER = Rule(
    code="COST105",
    name="data-transfer-share",
    area=Area.COST,
    severity=Severity.LOW,
    summary="Data transfer is a large share of a component's cost",
    doc=RuleDoc(
        what_it_does="In the latest month, adds up each component's cross-zone (`regional data transfer`, "
        "`inter-zone`) and outbound (`data transfer out`, egress, inter-region) charges and reports a "
        "component where they exceed `[cost] transfer_share` (default 25 %) of its cost.",
        why_bad="Transfer is billed per GB in both directions between zones; chatty services spread across "
        "zones, replicas reading across regions or uncompressed egress cost more than the compute they serve.",
        example="orders: 1,840.00 USD of 4,100.00 USD is DataTransfer-Regional-Bytes (45 %)",
        use_instead="Keep chatty calls in one zone (topology-aware routing), compress responses, cache at the "
        "edge, and read from same-region replicas.",
        references=(*COST_REFS, "https://docs.aws.amazon.com/cur/latest/userguide/cur-data-transfers-charges.html"),
    ),
)


class DataTransferCheck(CostCheck):
    name = "cost-transfer"
    rules = (DATA_TRANSFER,)
    config_sections = (SECTION,)

    def check_dataset(self, ds: CostDataset) -> Iterator[Finding]:
        total = sum(ln.cost for ln in ds.lines if ln.cost > 0)
        latest = latest_months(ds.lines)
        whole: dict[tuple[str, str], float] = defaultdict(float)
        moved: dict[tuple[str, str], dict[str, float]] = defaultdict(lambda: defaultdict(float))
        for ln in ds.lines:
            if ln.component == UNALLOCATED or ln.month != latest[ln.currency]:
                continue
            whole[(ln.currency, ln.component)] += ln.cost
            if ln.usage_kind in TRANSFER:
                moved[(ln.currency, ln.component)][ln.usage_kind] += ln.cost
        for (cur, comp), kinds in sorted(moved.items()):
            amount, base = sum(kinds.values()), whole[(cur, comp)]
            if base <= 0 or amount < ds.settings.min_amount or amount / base <= ds.settings.transfer_share:
                continue
            split = ", ".join(f"{k.removeprefix('transfer-')} {money(v, cur)}" for k, v in sorted(kinds.items()))
            yield self.finding(
                DATA_TRANSFER,
                f"component {comp}: data transfer {money(amount, cur)} is {pct(amount / base)} of its "
                f"{money(base, cur)} ({split})",
                self.location(ds, comp),
                evidence={
                    "share": round(amount / base, 4),
                    "currency": cur,
                    **{k: round(v, 2) for k, v in sorted(kinds.items())},
                },
                remediation=f"Find {comp}'s cross-zone or outbound traffic (VPC flow logs by zone pair) and keep it "
                "in-zone, compress it or cache it at the edge.",
                priority=priority(amount, total),
                identity=f"transfer/{comp}",
            )
