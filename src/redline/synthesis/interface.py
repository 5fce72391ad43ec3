"""The extension point for synthesis steps, which run after every check."""

from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import dataclass, field

from redline.checks.interface import CheckContext
from redline.core.facts import Facts
from redline.core.inventory import CostSummary, DatabaseInventory, RegionTopology, RouteTable, SbomDocument
from redline.core.model import Finding, Skipped


@dataclass
class SynthesisOutput:
    #: typed results for reporters, one field per kind (core/inventory.py); None = this step has none
    topology: RegionTopology | None = None
    sbom: SbomDocument | None = None
    postgres: DatabaseInventory | None = None
    cost: CostSummary | None = None
    routes: RouteTable | None = None
    #: findings that replace the input findings, when the step re-scores them; None = unchanged
    findings: list[Finding] | None = None
    #: inputs the step found were not covered (a Terraform module that could not be followed …)
    skipped: list[Skipped] = field(default_factory=list)


class SynthesisStep(ABC):
    name: str = ""

    @abstractmethod
    def run(self, facts: Facts, findings: list[Finding], ctx: CheckContext) -> SynthesisOutput:
        """Combine; never re-read a file."""
