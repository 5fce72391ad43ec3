"""What the default reports say about findings in tests, docs, samples and development files.

Such findings (``core.context``: the ``context:sample`` tag, low, never gating) are real but rarely worth a
reader's time one by one: semgrep's default ignore file skips ``tests/``, bandit and checkov users exclude test
and example folders, gitleaks users allowlist them. redline keeps them all in findings.json (with the tag) and,
by default, gives the human reports (summary.md, report.html, the terminal) and SARIF one line per rule: how
many items, how many places, and the folders they sit in. ``--show-context`` or ``[report] context = "list"``
lists them one by one as before.

Advisories on Go modules whose vulnerable packages no built source file imports (``context:unreached``,
``checks.supply_chain.vulns``) are the section's second reason, with a group of their own: govulncheck's default
output lists only what the code reaches and counts module-level matches in one closing line; redline does the
same, and the same flag lists them.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from redline.core.config import ConfigError, SectionSpec, Where
from redline.core.context import CONTEXT_TAG, UNREACHED_TAG, apart_tag
from redline.core.filekinds import context_folder
from redline.core.groups import FindingGroup
from redline.core.model import Finding
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
    doc="How the reports show findings in tests, docs, samples and development files, and advisories on modules "
    'the code does not import: `context = "summary"` '
    '(default: one line per rule with counts and folders; findings.json keeps every one) or `"list"` (each one).',
)


def context_listed(result: AuditResult) -> bool:
    """Whether the reports list the context section one item at a time (``--show-context``)."""
    return result.config.settings(REPORT_SECTION).context == LIST


@dataclass(frozen=True)
class ApartReason:
    """Why a group of findings is listed apart, in the words each report uses for it."""

    tag: str  # the ``core.context`` tag the findings carry
    key: str  # the HTML section's id
    title: str  # the section's title
    what: str  # "finding(s) <what>" in the headlines
    short: str  # SARIF's "not listed (<short>; --show-context lists them)"
    note: str = ""  # said before "low, not gating" (why they are apart)
    #: what a line names where its items are: the folders they sit in, or the packages they are about (an
    #: advisory's manifest folder says little; its module says which upgrade it waits for)
    places: str = "folders"

    def place(self, finding: Finding) -> str:
        if self.places == "modules" and finding.location.resource:
            return finding.location.resource
        return context_folder(finding.location.path)


SAMPLES = ApartReason(
    CONTEXT_TAG,
    "samples",
    "In tests, docs and samples",
    "in tests, docs, samples and development files",
    "tests, docs and samples",
)
UNREACHED = ApartReason(
    UNREACHED_TAG,
    "unreached",
    "Advisories in modules your code does not import",
    "on modules whose vulnerable packages your code does not import",
    "advisories in modules your code does not import, module-level match only",
    "module-level match only",
    "modules",
)
#: the reasons in the order the reports show their groups
REASONS = (SAMPLES, UNREACHED)
_BY_TAG = {reason.tag: reason for reason in REASONS}


def reason_of(item: FindingGroup) -> ApartReason | None:
    """The reason the item is listed apart, or None when it belongs on the main list."""
    return _BY_TAG.get(apart_tag(item.lead))


@dataclass(frozen=True)
class ContextLine:
    """One rule's findings of one reason in the context section: items, places and the folders they sit in."""

    rule: str
    items: int
    places: int
    folders: tuple[str, ...]
    #: items that still gate (``[secrets] gate_samples = true``); the context step exempts the others
    gating: int = 0
    reason: ApartReason = SAMPLES

    def where(self, shown: int = FOLDERS_SHOWN, folder: Callable[[str], str] = str) -> str:
        """The first ``shown`` folders, each written by ``folder`` (markdown quotes them), then "(+N more)"."""
        more = len(self.folders) - shown
        return ", ".join(map(folder, self.folders[:shown])) + (f" (+{more} more)" if more > 0 else "")

    def text(self) -> str:
        places = f", {self.places} places" if self.places != self.items else ""
        return f"{self.rule}: {self.items} finding(s){places} in {self.where()}"


def context_lines(items: Iterable[FindingGroup]) -> list[ContextLine]:
    """One line per reason and rule of the context items among ``items`` (the others are left out): the
    reasons in :data:`REASONS` order, most items first within one."""
    by_rule: dict[tuple[ApartReason, str], list[FindingGroup]] = defaultdict(list)
    for item in items:
        if (reason := reason_of(item)) is not None:
            by_rule[reason, item.lead.rule].append(item)
    lines = []
    for (reason, rule), group in by_rule.items():
        members = sorted((f for item in group for f in item.members), key=lambda f: f.sort_key())
        folders = tuple(dict.fromkeys(reason.place(f) for f in members))
        gating = sum(GATE_EXEMPT_TAG not in item.lead.tags for item in group)
        lines.append(ContextLine(rule, len(group), len(members), folders, gating, reason))
    return sorted(lines, key=lambda line: (REASONS.index(line.reason), -line.items, line.rule))


def items_by_reason(items: Iterable[FindingGroup]) -> list[tuple[ApartReason, list[FindingGroup]]]:
    """The context items of each reason that has any, in :data:`REASONS` order (the reports list them with
    ``--show-context``, else summarise each reason's with :func:`context_lines`)."""
    grouped: dict[ApartReason, list[FindingGroup]] = {reason: [] for reason in REASONS}
    for item in items:
        if (reason := reason_of(item)) is not None:
            grouped[reason].append(item)
    return [(reason, group) for reason, group in grouped.items() if group]


def context_total(lines: Iterable[ContextLine]) -> int:
    """How many context items the lines stand for."""
    return sum(line.items for line in lines)


def gate_note(lines: list[ContextLine]) -> str:
    """ "not gating", or how many still gate because the configuration says so."""
    gating = sum(line.gating for line in lines)
    return f"{gating} of them gating ([secrets] gate_samples)" if gating else "not gating"


def how_ranked(reason: ApartReason, lines: list[ContextLine]) -> str:
    """ "low, not gating" preceded by the reason's note ("module-level match only; low, not gating")."""
    return (f"{reason.note}; " if reason.note else "") + f"low, {gate_note(lines)}"


def context_headline(lines: list[ContextLine]) -> str:
    """'13 finding(s) in tests, docs, samples and development files (low, not gating, …) are not listed: …',
    for the lines of one reason."""
    total = context_total(lines)
    if not total:
        return ""
    reason = lines[0].reason
    return (
        f"{total} finding(s) {reason.what} ({how_ranked(reason, lines)}, kept in findings.json) are not listed: "
        f"{HOW_TO_LIST}."
    )
