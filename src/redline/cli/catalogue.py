"""Everything the run can use: built-in checks, sources and steps, plus plugins."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from typing import Any

from redline.checks.builtin import builtin_checks
from redline.checks.interface import Check
from redline.checks.plugins import load_plugin_checks
from redline.core.config import SectionSpec
from redline.core.rules import RuleRegistry
from redline.sources.builtin import builtin_file_sources, builtin_project_sources
from redline.sources.interface import FileSource, ProjectSource
from redline.synthesis.builtin import builtin_steps
from redline.synthesis.interface import SynthesisStep

log = logging.getLogger("redline")


@dataclass
class Catalogue:
    checks: list[Check]
    file_sources: list[FileSource]
    project_sources: list[ProjectSource]
    steps: list[SynthesisStep]
    plugin_problems: list[str] = field(default_factory=list)

    @property
    def registry(self) -> RuleRegistry:
        return RuleRegistry(rule for check in self.checks for rule in check.rules)

    @property
    def sections(self) -> list[SectionSpec[Any]]:
        specs = [spec for check in self.checks for spec in check.config_sections]
        return specs + [spec for step in self.steps for spec in step.config_sections if spec not in specs]


def load_catalogue(with_plugins: bool = True) -> Catalogue:
    checks = builtin_checks()
    problems: list[str] = []
    if with_plugins:
        extra, problems = load_plugin_checks()
        checks += extra
        for problem in problems:
            log.error("%s", problem)
    return Catalogue(checks, builtin_file_sources(), builtin_project_sources(), builtin_steps(), problems)
