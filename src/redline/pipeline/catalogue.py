"""Everything a run can use: built-in checks (all families, or only those a command needs, with the
rule index standing in for the others), sources and synthesis steps, plus plugins."""

from __future__ import annotations

import logging
import os
import sys
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from functools import cache, cached_property
from typing import TYPE_CHECKING, Any

from redline.checks.builtin import builtin_checks
from redline.checks.interface import Check, rule_registry
from redline.core.config import SectionSpec
from redline.core.rules import Rule, RuleRegistry
from redline.pipeline.rule_index import RuleIndex, rule_index

if TYPE_CHECKING:
    from redline.sources.interface import FileSource, ProjectSource
    from redline.synthesis.interface import SynthesisStep

log = logging.getLogger("redline")
#: ``redline.checks.plugins.ENTRY_POINT_GROUP``, spelled here so that finding none imports no pluggy
PLUGIN_GROUP = "redline.checks"


@dataclass
class Catalogue:
    checks: list[Check]
    file_sources: list[FileSource]
    project_sources: list[ProjectSource]
    steps: list[SynthesisStep]
    plugin_problems: list[str] = field(default_factory=list)
    #: the rule index standing in for the families not loaded (``None``: every family is loaded); read
    #: only when something asks for another family's rules or tables (a configuration file, a rule code)
    index: Callable[[], RuleIndex] | None = None
    #: the rules of the plugin checks (also in ``checks``), added to the index's
    plugin_rules: list[Rule] = field(default_factory=list)

    @cached_property
    def all_sections(self) -> list[SectionSpec[Any]]:
        """Every configuration table a redline.toml may hold, including those of families not loaded."""
        return list(self.index().sections) if self.index is not None else []

    @cached_property
    def all_rules(self) -> RuleRegistry | None:
        """Every rule, including those of families not loaded (for --select/--ignore checking)."""
        if self.index is None:
            return None
        return RuleRegistry([*self.index().registry, *self.plugin_rules])

    @property
    def registry(self) -> RuleRegistry:
        """The rules of the loaded checks (each owned by exactly one)."""
        return rule_registry(self.checks)

    @property
    def sections(self) -> list[SectionSpec[Any]]:
        loaded = [spec for check in self.checks for spec in check.config_sections]
        names = {s.name for s in loaded}
        loaded += [s for s in self.all_sections if s.name not in names]
        names |= {s.name for s in loaded}
        return [*loaded, *(s for s in step_sections() if s.name not in names)]

    @property
    def run_sections(self) -> list[SectionSpec[Any]]:
        """The tables of what this run loaded (its checks and steps): all a run without a configuration file
        needs, each at its defaults. The other families' tables (``sections``) only matter to accept a file
        that holds them, and reading them costs the rule index."""
        loaded = [spec for check in self.checks for spec in check.config_sections]
        loaded += [spec for step in self.steps for spec in step.config_sections]
        return list({s.name: s for s in reversed(loaded)}.values())[::-1]

    @property
    def known_rules(self) -> RuleRegistry:
        return self.all_rules if self.all_rules is not None else self.registry


def step_sections() -> list[SectionSpec[Any]]:
    """The tables of every built-in synthesis step, loaded or not (a redline.toml may hold them for any
    command): the steps' ``config_sections``, from their light settings modules."""
    from redline.synthesis.builtin import builtin_step_sections  # noqa: PLC0415

    return builtin_step_sections()


def load_catalogue(
    with_plugins: bool = True, families: Iterable[str] | None = None, steps: Iterable[str] | None = None
) -> Catalogue:
    """The catalogue of every built-in family, or only ``families`` (with the sources their checks read
    and the rule index standing in for the other families' rules and configuration tables); every
    synthesis step or only those of ``steps`` (modules); and, unless told otherwise, the plugins."""
    from redline.sources.builtin import builtin_file_sources, builtin_project_sources, families_producing  # noqa: PLC0415
    from redline.synthesis.builtin import builtin_steps  # noqa: PLC0415

    builtin = builtin_checks(families)
    index = cache(rule_index) if families is not None else None

    def taken() -> set[str]:  # the codes of the families not loaded, which no plugin may declare again
        return {r.code for r in index().registry} if index is not None else set()

    extra, problems = _plugins(builtin, taken) if with_plugins else ([], [])
    checks = [*builtin, *extra]
    sources = None if index is None else families_producing(t for c in checks for t in getattr(c, "fact_types", ()))
    return Catalogue(
        checks,
        builtin_file_sources(sources),
        builtin_project_sources(sources),
        builtin_steps(steps),
        problems,
        index=index,
        plugin_rules=[r for c in extra for r in c.rules],
    )


def plugin_rules(taken: set[str]) -> list[Rule]:
    """The rules of installed plugins (none installed: nothing is imported beyond the entry-point scan)."""
    extra, _problems = _plugins([], lambda: taken)
    return [r for c in extra for r in c.rules]


def _plugins_installed() -> bool:
    """Whether any distribution declares a ``redline.checks`` entry point (pluggy is imported only then).

    The ``*.dist-info`` / ``*.egg-info`` folders on ``sys.path`` are read directly: importing
    ``importlib.metadata`` and letting it parse every distribution cost ~20 ms of each start-up. A path
    entry that is a file (a zip) is left to ``importlib.metadata``. A false "yes" only costs time."""
    for entry in sys.path:
        folder = entry or "."
        if os.path.isfile(folder):
            from importlib.metadata import entry_points  # noqa: PLC0415

            return bool(entry_points(group=PLUGIN_GROUP))
        if _declares_plugin(folder):
            return True
    return False


def _section(line: str) -> str | None:
    """The section a ``[name]`` line opens, read as ``importlib.metadata`` reads it."""
    line = line.strip()
    return line.strip("[]") if line.startswith("[") and line.endswith("]") else None


def _declares_plugin(folder: str) -> bool:
    try:
        with os.scandir(folder) as names:
            metadata = [e.path for e in names if e.name.lower().endswith((".dist-info", ".egg-info"))]
    except OSError:  # a missing or unreadable path entry holds no distribution
        return False
    for path in metadata:
        try:
            with open(os.path.join(path, "entry_points.txt"), encoding="utf-8", errors="replace") as fh:
                text = fh.read()
        except OSError:
            continue
        if PLUGIN_GROUP in text and any(_section(line) == PLUGIN_GROUP for line in text.splitlines()):
            return True
    return False


def _plugins(builtin: list[Check], taken_codes: Callable[[], set[str]]) -> tuple[list[Check], list[str]]:
    """Plugin checks; a plugin check whose rule codes clash with another check's (or with ``taken_codes``,
    asked only when a plugin is installed) is left out and reported."""
    if not _plugins_installed():
        return [], []
    taken = taken_codes()
    from redline.checks.plugins import load_plugin_checks  # noqa: PLC0415 - pluggy only when plugins are read

    extra, problems = load_plugin_checks()
    kept: list[Check] = []
    for check in extra:
        clash = sorted(taken & {r.code for r in check.rules})
        try:
            if clash:
                raise ValueError(f"rule {clash[0]} is already declared by a built-in check")
            rule_registry([*builtin, *kept, check])
        except ValueError as exc:
            problems.append(f"plugin check {check.name!r} not loaded: {exc}")
            continue
        kept.append(check)
    for problem in problems:
        log.error("%s", problem)
    return kept, problems
