"""What one audit produced, handed to reporters and the store."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from functools import cached_property
from typing import TYPE_CHECKING

from redline.core.config import Config
from redline.core.groups import FindingGroup, group_findings
from redline.core.model import Finding, Severity, Skipped, ToolError
from redline.core.rules import RuleRegistry

if TYPE_CHECKING:  # what synthesis fills in: a run that has none (``redline secrets``) never imports them
    from redline.core.inventory import (
        CostSummary,
        DatabaseInventory,
        HistoryDigest,
        LatencyInventory,
        LatencySummary,
        RegionTopology,
        RouteTable,
        SbomDocument,
    )
    from redline.core.map_model import SystemMap
    from redline.core.plan import PlanItem
    from redline.core.policy import Outcome
    from redline.core.threat_model import ThreatModel

#: a finding with this tag is reported but never fails the gate (secrets in tests, docs and samples,
#: unless ``[secrets] gate_samples = true``)
GATE_EXEMPT_TAG = "gate:exempt"


@dataclass(frozen=True)
class RunStats:
    files_scanned: int = 0
    bytes_scanned: int = 0
    seconds: float = 0.0
    workers: int = 1


@dataclass(frozen=True)
class AuditResult:
    root: str
    findings: tuple[Finding, ...]
    rules: RuleRegistry
    config: Config
    errors: tuple[ToolError, ...] = ()
    skipped: tuple[Skipped, ...] = ()
    stats: RunStats = field(default_factory=RunStats)
    baseline: frozenset[str] = frozenset()
    facts_summary: dict[str, int] = field(default_factory=dict)
    # what synthesis produced (see core/inventory.py); None when the step did not run or had nothing
    topology: RegionTopology | None = None
    sbom: SbomDocument | None = None
    postgres: DatabaseInventory | None = None
    cost: CostSummary | None = None
    system_map: SystemMap | None = None  # components, flows, zones, colours, probes
    threats: ThreatModel | None = None  # STRIDE per element and the threat register
    routes: RouteTable | None = None
    latency: LatencyInventory | None = None  # measured server operations (with traces)
    history: HistoryDigest | None = None  # what the history store says (set after recording)
    latency_report: LatencySummary | None = None  # per root operation of the traces: histogram, critical path

    def is_new(self, finding: Finding) -> bool:
        return finding.fingerprint not in self.baseline

    @cached_property
    def active(self) -> list[Finding]:
        """Findings that count: not suppressed inline."""
        return [f for f in self.findings if f.suppressed is None]

    @cached_property
    def items(self) -> list[FindingGroup]:
        """Active findings as root-cause items (one per rule and group): what counts and is shown."""
        return group_findings(self.active)

    @cached_property
    def plan(self) -> list[PlanItem]:
        """The 30/60/90 plan of this run, built once: plan.md, summary.md and report.html all read it."""
        from redline.core.plan import PLAN_SECTION, build_plan  # noqa: PLC0415 - only when a report asks
        from redline.core.priority import SCORING_SECTION, rank  # noqa: PLC0415

        items = [g for g in self.items if GATE_EXEMPT_TAG not in g.lead.tags]
        ranked = rank(items, self.config.settings(SCORING_SECTION))
        return build_plan(ranked, self.rules, self.config.settings(PLAN_SECTION))

    def gate_threshold(self, rule: str, threshold: Severity) -> Severity:
        """The severity at which a rule's findings gate: ``fail_on``, raised by the rule's floor
        unless ``[gate]`` in the config sets that rule's threshold explicitly."""
        if rule in self.config.gate_floors:
            return self.config.gate_floors[rule]
        floor = self.rules.get(rule).gate_floor if rule in self.rules else Severity.INFO
        return max(threshold, floor)

    def gating(self, threshold: Severity) -> list[Finding]:
        """The gating items' leads: a root cause seen in five places fails the gate once. Findings tagged
        ``GATE_EXEMPT_TAG`` (secrets in tests, docs and samples, unless ``[secrets] gate_samples``) never gate."""
        members = [
            f
            for f in self.active
            if f.severity >= self.gate_threshold(f.rule, threshold) and self.is_new(f) and GATE_EXEMPT_TAG not in f.tags
        ]
        return [g.lead for g in group_findings(members)]

    @cached_property
    def gate(self) -> tuple[Finding, ...]:
        """The gate decision of this run, made once: the findings that fail it at ``config.fail_on``.
        Reporters and the exit code read this; none recomputes it."""
        return tuple(self.gating(self.config.fail_on))

    @property
    def not_covered_gating(self) -> list[Skipped]:
        """Inputs not judged that fail the gate (only with ``fail_on_not_covered``; binaries never count)."""
        if not self.config.fail_on_not_covered:
            return []
        return [s for s in self.skipped if not s.reason.startswith("binary file")]

    @cached_property
    def budget_failures(self) -> tuple[Outcome, ...]:
        """The budget policies this run was asked to fail on (``audit --fail-on latency-budget,…``) that failed."""
        from redline.core.policy import POLICY_SECTION, Verdict, budget_outcomes  # noqa: PLC0415

        settings = self.config.settings(POLICY_SECTION)
        if not settings.audit_fail_on:
            return ()
        cost = self.cost.document if self.cost is not None else None
        return tuple(o for o in budget_outcomes(settings, self.latency, cost) if o.verdict is Verdict.FAIL)

    def gate_failed(self) -> bool:
        return bool(self.gate or self.not_covered_gating or self.budget_failures)

    @property
    def fatal_errors(self) -> list[ToolError]:
        return [e for e in self.errors if e.fatal]

    def counts(self) -> dict[str, Counter[str]]:
        by_area: dict[str, Counter[str]] = {}
        for f in (g.lead for g in self.items):
            area = self.rules.get(f.rule).area.value if f.rule in self.rules else "unknown"
            by_area.setdefault(area, Counter())[str(f.severity)] += 1
        return by_area
