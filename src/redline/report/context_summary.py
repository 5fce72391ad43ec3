"""What the default reports say about findings in tests, docs, samples and development files.

Such findings (``core.context``: the ``context:sample`` tag, low, never gating) are real but rarely worth a
reader's time one by one: semgrep's default ignore file skips ``tests/``, bandit and checkov users exclude test
and example folders, gitleaks users allowlist them. redline keeps them all in findings.json (with the tag) and,
by default, gives the human reports (summary.md, report.html, the terminal) and SARIF one line per rule: how
many items, how many places, and the folders they sit in. ``--show-context`` or ``[report] context = "list"``
lists them one by one as before.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from redline.core.config import ConfigError, SectionSpec, Where
from redline.core.context import is_in_context
from redline.core.filekinds import context_folder
from redline.core.groups import FindingGroup
from redline.core.result import GATE_EXEMPT_TAG, AuditResult

SUMMARY = "summary"
LIST = "list"
#: folders named on a rule's line before "+N more"
FOLDERS_SHOWN = 3
HOW_TO_LIST = '`--show-context` or `[report] context = "list"` lists them one by one'


@dataclass(frozen=True)
class ReportSettings:
    #: "summary": one line per rule for the context section (default); "list": every item, one by one
    context: str = SUMMARY


def parse_report(raw: Mapping[str, Any], where: Where) -> ReportSettings:
    context = raw.get("context", SUMMARY)
    if context not in (SUMMARY, LIST):
        raise ConfigError(f"{where.key('context')} must be {SUMMARY!r} or {LIST!r}, got {context!r}")
    return ReportSettings(context=context)


REPORT_SECTION: SectionSpec[ReportSettings] = SectionSpec(
    name="report",
    keys={"context": str},
    parse=parse_report,
    doc='How the reports show findings in tests, docs, samples and development files: `context = "summary"` '
    '(default: one line per rule with counts and folders; findings.json keeps every one) or `"list"` (each one).',
)


def context_listed(result: AuditResult) -> bool:
    """Whether the reports list the context section one item at a time (``--show-context``)."""
    return result.config.settings(REPORT_SECTION).context == LIST


@dataclass(frozen=True)
class ContextLine:
    """One rule's findings in the context section: items, places and the folders they sit in."""

    rule: str
    items: int
    places: int
    folders: tuple[str, ...]
    #: items that still gate (``[secrets] gate_samples = true``); the context step exempts the others
    gating: int = 0

    def where(self, shown: int = FOLDERS_SHOWN, folder: Callable[[str], str] = str) -> str:
        """The first ``shown`` folders, each written by ``folder`` (markdown quotes them), then "(+N more)"."""
        more = len(self.folders) - shown
        return ", ".join(map(folder, self.folders[:shown])) + (f" (+{more} more)" if more > 0 else "")

    def text(self) -> str:
        places = f", {self.places} places" if self.places != self.items else ""
        return f"{self.rule}: {self.items} finding(s){places} in {self.where()}"


def context_lines(items: Iterable[FindingGroup]) -> list[ContextLine]:
    """One line per rule of the context items among ``items`` (the others are left out), most items first."""
    by_rule: dict[str, list[FindingGroup]] = defaultdict(list)
    for item in items:
        if is_in_context(item.lead):
            by_rule[item.lead.rule].append(item)
    lines = []
    for rule, group in by_rule.items():
        paths = [f.location.path for item in group for f in item.members]
        folders = tuple(dict.fromkeys(context_folder(p) for p in sorted(paths)))
        gating = sum(GATE_EXEMPT_TAG not in item.lead.tags for item in group)
        lines.append(ContextLine(rule, len(group), len(paths), folders, gating))
    return sorted(lines, key=lambda line: (-line.items, line.rule))


def context_total(lines: Iterable[ContextLine]) -> int:
    """How many context items the lines stand for."""
    return sum(line.items for line in lines)


def gate_note(lines: list[ContextLine]) -> str:
    """ "not gating", or how many still gate because the configuration says so."""
    gating = sum(line.gating for line in lines)
    return f"{gating} of them gating ([secrets] gate_samples)" if gating else "not gating"


def context_headline(lines: list[ContextLine]) -> str:
    """'13 finding(s) in tests, docs, samples and development files (low, not gating, …) are not listed: …'."""
    total = context_total(lines)
    if not total:
        return ""
    return (
        f"{total} finding(s) in tests, docs, samples and development files (low, {gate_note(lines)}, kept in "
        f"findings.json) are not listed: {HOW_TO_LIST}."
    )
