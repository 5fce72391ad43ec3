"""The extension point for synthesis steps, which run after every check."""

from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import dataclass, field, fields
from typing import TYPE_CHECKING, Any

from redline.checks.interface import CheckContext
from redline.core.config import SectionSpec
from redline.core.facts import Facts
from redline.core.model import Finding, Skipped, ToolError

if TYPE_CHECKING:  # the kinds a step may produce: a run whose steps produce none never imports them
    from redline.core.inventory import (
        CostSummary,
        DatabaseInventory,
        LatencyInventory,
        LatencySummary,
        RegionTopology,
        RouteTable,
        SbomDocument,
    )
    from redline.core.map_model import SystemMap
    from redline.core.threat_model import ThreatModel


@dataclass
class Inventory:
    """Typed results for reporters, one field per kind (core/inventory.py); None = none yet. The same
    fields are on ``AuditResult``, which the pipeline fills from ``as_fields()``."""

    topology: RegionTopology | None = None
    sbom: SbomDocument | None = None
    postgres: DatabaseInventory | None = None
    cost: CostSummary | None = None
    system_map: SystemMap | None = None
    threats: ThreatModel | None = None
    routes: RouteTable | None = None
    latency: LatencyInventory | None = None
    latency_report: LatencySummary | None = None

    def update(self, other: Inventory) -> None:
        """Take what ``other`` produced; a kind it has none of keeps its earlier value."""
        for f in fields(Inventory):
            value = getattr(other, f.name)
            if value is not None:
                setattr(self, f.name, value)

    def as_fields(self) -> dict[str, Any]:
        """The inventory fields by name (for ``AuditResult(**…)`` or a fresh ``SynthesisOutput``)."""
        return {f.name: getattr(self, f.name) for f in fields(Inventory)}


@dataclass
class SynthesisOutput(Inventory):
    #: findings that replace the input findings, when the step re-scores them; None = unchanged
    findings: list[Finding] | None = None
    #: inputs the step found were not covered (a Terraform module that could not be followed …)
    skipped: list[Skipped] = field(default_factory=list)
    #: problems to report (an [[accept]] entry that was not honoured …); never fatal
    errors: list[ToolError] = field(default_factory=list)


class SynthesisStep(ABC):
    name: str = ""
    #: fact types the step reads that the run must collect even when no active check asks for them
    fact_types: tuple[type, ...] = ()
    #: configuration tables this step owns (``[threats]``, ``[[accept]]``)
    config_sections: tuple[SectionSpec[Any], ...] = ()

    @abstractmethod
    def run(self, facts: Facts, findings: list[Finding], ctx: CheckContext) -> SynthesisOutput:
        """Combine; never re-read a file."""

    def ready(self, ctx: CheckContext) -> None:
        """Load ahead what ``run`` will import (a library it imports only when asked for): the pipeline calls it
        in the main process while the workers parse. Nothing by default."""
        del ctx

    def run_after(
        self, facts: Facts, findings: list[Finding], ctx: CheckContext, earlier: SynthesisOutput
    ) -> SynthesisOutput:
        """``run`` with what the earlier steps produced (``earlier``: the map, routes, latency …); a step
        that builds on them (scoring) overrides this. The pipeline calls this one."""
        del earlier
        return self.run(facts, findings, ctx)
