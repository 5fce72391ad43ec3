"""The extension point for synthesis steps, which run after every check."""

from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import dataclass, field
from typing import Any

from redline.checks.interface import CheckContext
from redline.core.facts import Facts
from redline.core.model import Finding, Skipped


@dataclass
class SynthesisOutput:
    #: named results for reporters (``"sbom"``, ``"map"`` …)
    extras: dict[str, Any] = field(default_factory=dict)
    #: findings that replace the input findings, when the step re-scores them; None = unchanged
    findings: list[Finding] | None = None
    #: inputs the step found were not covered (a Terraform module that could not be followed …)
    skipped: list[Skipped] = field(default_factory=list)


class SynthesisStep(ABC):
    name: str = ""

    @abstractmethod
    def run(self, facts: Facts, findings: list[Finding], ctx: CheckContext) -> SynthesisOutput:
        """Combine; never re-read a file."""
