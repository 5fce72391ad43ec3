"""Scoring and ranking: user impact x exploitability x cost of delay, each 1-5 with its reason.

A check sets the factors its facts decide (a KEV listing, a CVSS score, a share of the bill); the
scoring step (``synthesis/scoring.py``) fills every factor still unknown from facts every finding has
(severity, the KEV and EPSS evidence) and leaves the rest at the neutral 3, saying what it needs.

Ranking: priority (the product, 1-125) first; among equal priorities, tail-latency amplifiers and
authorisation gaps first (``first_among_equals``: rule-code prefixes or tags), then severity, then
place. A root-cause item is ranked once, by its lead, with its count.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from types import MappingProxyType
from typing import Any

from redline.core.config import ConfigError, SectionSpec, Where
from redline.core.evidence import Evidence
from redline.core.groups import FindingGroup, item_key
from redline.core.model import Factor, Finding, PriorityFactors, Severity

DEFAULT_SEVERITY_DELAY: Mapping[Severity, int] = MappingProxyType(
    {
        Severity.CRITICAL: 5,
        Severity.HIGH: 4,
        Severity.MEDIUM: 3,
        Severity.LOW: 2,
        Severity.INFO: 1,
    }
)
#: EPSS percentile at or above which exploitability is 5, 4, 3, 2 (else 1)
DEFAULT_EPSS_STEPS = (0.95, 0.8, 0.5, 0.2)
#: what ranks first among equal priorities: resilience rules (timeouts, retries, pools: tail-latency
#: amplifiers) and missing authentication/authorisation (CWE-306, CWE-862, CWE-863, CWE-285)
DEFAULT_FIRST = ("RES", "CWE-306", "CWE-862", "CWE-863", "CWE-285")
NEEDS_EXPOSURE = "not known: neutral default (needs the map: entry points, internet exposure)"


@dataclass(frozen=True)
class ScoringSettings:
    severity_delay: Mapping[Severity, int] = field(default_factory=lambda: DEFAULT_SEVERITY_DELAY)
    epss_steps: tuple[float, ...] = DEFAULT_EPSS_STEPS
    first_among_equals: tuple[str, ...] = DEFAULT_FIRST

    def is_first(self, f: Finding) -> bool:
        return any(f.rule.startswith(k) or k in f.tags for k in self.first_among_equals)


def _severity_delay(raw: Mapping[str, Any], where: Where) -> Mapping[Severity, int]:
    out = dict(DEFAULT_SEVERITY_DELAY)
    for name, value in raw.items():
        try:
            sev = Severity.parse(name)
        except ValueError:
            raise ConfigError(f"{where.key('severity_delay.' + name)}: not a severity") from None
        if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= 5:
            raise ConfigError(f"{where.key('severity_delay.' + name)} must be 1..5")
        out[sev] = value
    return MappingProxyType(out)


def parse_scoring(raw: Mapping[str, Any], where: Where) -> ScoringSettings:
    steps = raw.get("epss_steps", list(DEFAULT_EPSS_STEPS))
    if (
        len(steps) != 4
        or any(not isinstance(s, int | float) or not 0 <= s <= 1 for s in steps)
        or list(steps) != sorted(steps, reverse=True)
    ):
        raise ConfigError(f"{where.key('epss_steps')} must be four descending percentiles in 0..1")
    first = raw.get("first_among_equals", list(DEFAULT_FIRST))
    if not all(isinstance(k, str) and k for k in first):
        raise ConfigError(f"{where.key('first_among_equals')} must be a list of rule prefixes or tags")
    return ScoringSettings(
        _severity_delay(raw.get("severity_delay", {}), where), tuple(float(s) for s in steps), tuple(first)
    )


SCORING_SECTION: SectionSpec[ScoringSettings] = SectionSpec(
    name="scoring",
    keys={"severity_delay": dict, "epss_steps": list, "first_among_equals": list},
    parse=parse_scoring,
    doc="Priority scoring: `severity_delay` (cost of delay by severity, default critical 5 … info 1), "
    "`epss_steps` (EPSS percentiles for exploitability 5/4/3/2, default 0.95, 0.8, 0.5, 0.2), "
    "`first_among_equals` (rule prefixes or tags ranked first among equal priorities).",
)


def _exploitability(ev: Evidence, settings: ScoringSettings) -> Factor:
    if ev.get("kev"):
        return Factor(5, "listed in CISA KEV: exploited in the wild")
    epss = ev.get("epss")
    if isinstance(epss, Evidence) and isinstance(p := epss.get("percentile"), int | float):
        value = next((5 - i for i, step in enumerate(settings.epss_steps) if p >= step), 1)
        return Factor(value, f"EPSS percentile {p:.2f}")
    return Factor(3, NEEDS_EXPOSURE)


DAY = 86_400


@dataclass(frozen=True)
class HistoryView:
    """What the history store knows before a run: when each open item (``groups.item_key``) opened,
    the time of this run and the SLA days per severity. Passed to the scoring step as the pipeline
    option ``history``; without it cost of delay rests on severity alone and says so."""

    opened_at: Mapping[str, int]
    now: int
    sla_days: Mapping[Severity, int]


def _delay(f: Finding, settings: ScoringSettings, history: HistoryView | None) -> Factor:
    base = settings.severity_delay[f.severity]
    if history is None:
        return Factor(base, f"severity {f.severity} (no history: age and SLA not known)")
    opened = history.opened_at.get(item_key(f))
    sla = history.sla_days.get(f.severity)
    if opened is None:
        return Factor(base, f"severity {f.severity}, new since the last recorded run")
    age = (history.now - opened) / DAY
    if sla is None:
        return Factor(base, f"severity {f.severity}, open {age:.0f} days (no SLA)")
    if age > sla:
        return Factor(5, f"severity {f.severity}, open {age:.0f} days: past its SLA of {sla} days")
    if age >= 0.75 * sla:
        return Factor(
            min(5, base + 1),
            f"severity {f.severity}, open {age:.0f} days: SLA of {sla} days due in {sla - age:.0f} days",
        )
    return Factor(base, f"severity {f.severity}, open {age:.0f} days (SLA {sla} days)")


NEEDS_REACH = (
    "not known: neutral default (not in a route handler, on a hot query or on a component the map shows "
    "exposed or internal-only)"
)


def score(
    f: Finding, settings: ScoringSettings, history: HistoryView | None = None, impact: Factor | None = None
) -> Finding:
    """``f`` with every factor its check left unknown decided from the facts it carries (``impact``: what
    reachability decided, and the history, when given), else neutral."""
    p = f.priority
    impact = p.user_impact if p.user_impact.known else (impact or Factor(3, NEEDS_REACH))
    exploit = p.exploitability if p.exploitability.known else _exploitability(f.evidence, settings)
    delay = p.cost_of_delay if p.cost_of_delay.known else _delay(f, settings, history)
    scored = PriorityFactors(impact, exploit, delay)
    return f if scored == p else replace(f, priority=scored)


@dataclass(frozen=True, slots=True)
class RankedItem:
    group: FindingGroup
    first_among_equals: bool

    @property
    def priority(self) -> int:
        return self.group.lead.priority.score

    @property
    def count(self) -> int:
        return self.group.count


def rank(groups: Iterable[FindingGroup], settings: ScoringSettings) -> list[RankedItem]:
    """Items by priority, then the tie-breaker, then severity, then place (deterministic)."""
    items = [RankedItem(g, settings.is_first(g.lead)) for g in groups]
    return sorted(
        items,
        key=lambda i: (-i.priority, not i.first_among_equals, -int(i.group.lead.severity), i.group.lead.sort_key()),
    )
