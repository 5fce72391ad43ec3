"""Drift: changes made outside Terraform, read from ``resource_drift`` in plan JSON.

Terraform omits ``resource_drift`` when it found none, so no key means no
finding. Expected drift (autoscaling desired capacity, tags set by other
tools) is allow-listed in ``[drift] ignore`` with globs on ``address.attribute``.
"""

from __future__ import annotations

import fnmatch
from collections.abc import Iterable
from dataclasses import dataclass

from redline.checks.interface import CheckContext, ProjectCheck
from redline.core.config import SectionSpec, str_tuple
from redline.core.facts import Facts
from redline.core.model import Area, Finding, Location, Severity
from redline.core.rules import Rule, RuleDoc
from redline.sources.terraform.plan import AttributeChange, DriftEntry, PlanFile


@dataclass(frozen=True)
class DriftSettings:
    ignore: tuple[str, ...] = ()  # globs on "address.attribute"


DRIFT_SECTION: SectionSpec[DriftSettings] = SectionSpec(
    name="drift",
    keys={"ignore": list},
    parse=lambda raw, where: DriftSettings(str_tuple(raw, "ignore", where)),
    doc='Expected drift, as globs on "address.attribute", e.g. ignore = ["aws_autoscaling_group.*.desired_capacity"]',
)

_SECURITY_TYPES = (
    "aws_security_group",
    "aws_iam_",
    "aws_s3_bucket_policy",
    "aws_s3_bucket_public_access_block",
    "aws_s3_bucket_acl",
    "aws_kms_",
    "google_compute_firewall",
    "google_project_iam",
    "azurerm_network_security",
    "azurerm_role_assignment",
    "aws_network_acl",
)
MAX_SHOWN = 5

DRIFT = Rule(
    code="TF119",
    name="infrastructure-drift",
    area=Area.SECURITY,
    severity=Severity.MEDIUM,
    summary="Resource changed outside Terraform (drift)",
    tags=("STRIDE:T",),
    doc=RuleDoc(
        what_it_does="Reports every entry of `resource_drift` in a Terraform plan JSON (`terraform show -json`) "
        "with the attributes that changed, before -> after; values Terraform marks sensitive are redacted. "
        "Drift on firewall, IAM, KMS and bucket-policy resources is high severity. Expected drift can be "
        'allow-listed: `[drift] ignore = ["aws_autoscaling_group.*.desired_capacity"]`.',
        why_bad="Drift means the running infrastructure is not what was reviewed: a hand-opened security group, "
        "a console-edited policy or a hot-fixed instance size. The next apply silently reverts it (or fails), and "
        "until then the code is not a reliable description of production.",
        example="# someone opened port 22 in the console\n"
        'resource_drift: aws_security_group.web ingress.1.cidr_blocks.0: null -> "0.0.0.0/0"',
        use_instead="Make the change in Terraform and apply it through the pipeline, or run `terraform apply "
        "-refresh-only` to accept a deliberate change; restrict console write access (SCPs, read-only roles).",
        references=(
            "https://developer.hashicorp.com/terraform/internals/json-format#plan-representation",
            "https://developer.hashicorp.com/terraform/tutorials/state/resource-drift",
        ),
    ),
)


def _ignored(address: str, change: AttributeChange, patterns: tuple[str, ...]) -> bool:
    key = f"{address}.{change.path}"
    return any(fnmatch.fnmatchcase(key, p) for p in patterns)


def _describe(change: AttributeChange) -> str:
    return f"{change.path}: {change.before} -> {change.after}"


class DriftCheck(ProjectCheck):
    name = "terraform-drift"
    rules = (DRIFT,)
    fact_types = (PlanFile,)
    config_sections = (DRIFT_SECTION,)

    def check(self, facts: Facts, ctx: CheckContext) -> Iterable[Finding]:
        patterns = ctx.config.settings(DRIFT_SECTION).ignore
        out: list[Finding] = []
        for plan in facts.of(PlanFile):
            if not plan.has_drift_key:
                continue
            for entry in plan.drift:
                finding = self._entry(plan, entry, patterns)
                if finding is not None:
                    out.append(finding)
        return out

    def _entry(self, plan: PlanFile, entry: DriftEntry, patterns: tuple[str, ...]) -> Finding | None:
        changes = [c for c in entry.changes if not _ignored(entry.address, c, patterns)]
        deleted = "delete" in entry.actions and all(c.after == "null" for c in entry.changes) and entry.changes
        if entry.changes and not changes:
            return None  # every changed attribute is expected drift
        if deleted:
            summary = "deleted outside Terraform"
        elif changes:
            shown = "; ".join(_describe(c) for c in changes[:MAX_SHOWN])
            more = len(changes) - MAX_SHOWN + (1 if entry.truncated else 0)
            summary = f"changed outside Terraform: {shown}" + (f" (+{more} more)" if more > 0 else "")
        else:
            summary = "changed outside Terraform"
        severity = Severity.HIGH if entry.type.startswith(_SECURITY_TYPES) else None
        return self.finding(
            DRIFT,
            f"{entry.address}: {summary}",
            Location(plan.path, resource=entry.address, snippet=entry.address),
            severity=severity,
            evidence={"resource": entry.address, "changes": tuple(_describe(c) for c in changes[:20])},
            identity=f"{entry.address}|" + ",".join(sorted(c.path for c in changes)),
            remediation=(
                "Recreate it with `terraform apply`, or remove it from the configuration if the deletion was intended."
                if deleted
                else f"Decide which side is right: run `terraform apply` to restore the configuration, or copy "
                f"the live values into the `{entry.address}` block (`terraform plan` must then show no "
                "change); list expected drift under [drift] ignore."
            ),
        )
