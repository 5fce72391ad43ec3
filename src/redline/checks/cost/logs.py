"""COST106: log storage that keeps growing because nothing expires it."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator

from redline.checks.cost.base import COST_REFS, CostCheck, latest_months, money, priority
from redline.core.model import Area, Finding, Severity
from redline.core.rules import Rule, RuleDoc
from redline.sources.cost.model import CostDataset
from redline.sources.cost.settings import SECTION

LOG_RETENTION = Rule(
    code="COST106",
    name="log-storage-without-retention",
    area=Area.COST,
    severity=Severity.LOW,
    summary="Stored logs far exceed what a retention period would keep",
    doc=RuleDoc(
        what_it_does="For each log group or workspace in the latest month, divides the stored volume "
        "(storage charges' quantity, GB-months) by the volume ingested that month (GB); a ratio above "
        "`[cost] log_retention_months` (default 12) means more than that many months of logs are kept — "
        "in practice no retention policy. The Terraform check of the same resource (`TF` log retention) says "
        "which resource lacks the setting.",
        why_bad="Without retention, log storage grows every month for ever; the bill for data nobody reads "
        "rises until someone notices, and old logs are a liability (personal data kept too long).",
        example="/aws/lambda/orders: stored 2,400 GB, ingested 60 GB this month (40 months of logs)",
        use_instead='resource "aws_cloudwatch_log_group" "orders" {\n  name              = "/aws/lambda/orders"\n'
        "  retention_in_days = 30\n}",
        references=(
            *COST_REFS,
            "https://docs.aws.amazon.com/AmazonCloudWatch/latest/logs/Working-with-log-groups-and-streams.html#SettingLogRetention",
        ),
    ),
)


class LogRetentionCheck(CostCheck):
    name = "cost-log-retention"
    rules = (LOG_RETENTION,)
    config_sections = (SECTION,)

    def check_dataset(self, ds: CostDataset) -> Iterator[Finding]:
        total = sum(ln.cost for ln in ds.lines if ln.cost > 0)
        latest = latest_months(ds.lines)
        stored: dict[tuple[str, str], list[float]] = defaultdict(lambda: [0.0, 0.0])
        ingested: dict[str, float] = defaultdict(float)
        for ln in ds.lines:
            if ln.month != latest[ln.currency] or not ln.resource_id:
                continue
            if ln.usage_kind == "log-storage":
                stored[(ln.resource_id, ln.currency)][0] += ln.quantity
                stored[(ln.resource_id, ln.currency)][1] += ln.cost
            elif ln.usage_kind == "log-ingest":
                ingested[ln.resource_id] += ln.quantity
        for (resource, cur), (quantity, cost) in sorted(stored.items()):
            per_month = ingested.get(resource, 0.0)
            if per_month <= 0 or cost < ds.settings.min_amount:
                continue
            months = quantity / per_month
            if months <= ds.settings.log_retention_months:
                continue
            yield self.finding(
                LOG_RETENTION,
                f"log storage {resource}: {quantity:,.1f} GB-months stored against {per_month:,.1f} GB "
                f"ingested this month ({months:.0f} months of logs), costing {money(cost, cur)}",
                self.location(ds, resource),
                evidence={"months_kept": round(months, 1)},
                remediation=f"Set a retention period on {resource} (e.g. 30–90 days; archive to cold storage what "
                "must be kept longer).",
                priority=priority(cost, total),
                identity=f"log-retention/{resource}",
            )
