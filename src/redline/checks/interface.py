"""The extension point for checks.

A ``FileCheck`` looks at the facts of one file and runs in worker processes
right after that file was parsed. A ``ProjectCheck`` looks at all kept facts
at once in the main process (a compose file and the Dockerfiles it builds, a
lockfile and the vulnerability database). Either declares the rules it may
emit; the registry is built from those declarations.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from redline.core.config import Config, SectionSpec
from redline.core.facts import Facts
from redline.core.model import Confidence, Finding, Location, PriorityFactors, Severity, Skipped, ToolError
from redline.core.rules import Rule


class CheckError(Exception):
    """A check could not complete; recorded as a tool error naming the check."""


@dataclass(frozen=True)
class CheckContext:
    root: Path
    config: Config
    enabled: frozenset[str]  # rule codes enabled for this run
    options: dict[str, Any] = field(default_factory=dict)  # command-line extras (e.g. secrets --history)


class Check:
    #: a short, stable, kebab-case name used in error messages
    name: str = ""
    #: every rule this check may emit
    rules: tuple[Rule, ...] = ()
    #: configuration tables this check owns
    config_sections: tuple[SectionSpec, ...] = ()

    def finding(
        self,
        rule: Rule,
        message: str,
        location: Location,
        *,
        severity: Severity | None = None,
        confidence: Confidence = Confidence.HIGH,
        evidence: Iterable[tuple[str, str]] = (),
        tags: Iterable[str] = (),
        remediation: str = "",
        effort: str = "",
        priority: PriorityFactors | None = None,
        identity: str = "",
        component: str = "",
    ) -> Finding:
        """Build a finding with the rule's defaults filled in."""
        return Finding(
            rule=rule.code,
            message=message,
            severity=rule.severity if severity is None else severity,
            location=location,
            confidence=confidence,
            component=component,
            evidence=tuple(evidence),
            tags=tuple(dict.fromkeys((*rule.tags, *tags))),
            remediation=remediation,
            effort=effort,
            priority=priority or PriorityFactors(),
            identity=identity,
        )


class FileCheck(Check, ABC):
    #: fact types this check looks at (``FileText`` for raw text)
    fact_types: tuple[type, ...] = ()

    @abstractmethod
    def check_file(self, fact: Any, ctx: CheckContext) -> Iterable[Finding]:
        """Judge the fact of one file."""


class ProjectCheck(Check, ABC):
    #: fact types this check needs; their sources run only when some check needs them
    fact_types: tuple[type, ...] = ()

    @abstractmethod
    def check(self, facts: Facts, ctx: CheckContext) -> Iterable[Finding | Skipped | ToolError]:
        """Judge all facts of the run. A ``Skipped`` names an input the check could not cover
        (a git blob over the size limit …); the report lists it with the reason. A non-fatal
        ``ToolError`` is a notice every output shows (a partial advisory database …)."""
