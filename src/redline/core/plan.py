"""The 30/60/90 plan: ranked root-cause items put into three horizons, each with what, why, owner,
effort and a measurable done-condition.

- **Week 1 firebreak**: priority at least ``firebreak_min_priority`` and small effort — rotate a
  key, add a timeout, a patch-level upgrade.
- **Month 1 hardening**: infrastructure and security (IAM, network, pod hardening, entry-point guards):
  the security area and the infrastructure families (``hardening_prefixes``).
- **Quarter 1 resilience**: everything else — resilience, performance, capacity, cost.

Effort comes from the finding when its check set one, else the per-rule default table
(``[plan] effort``, rule code or prefix to small/medium/large), else ``medium``.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any

from redline.core.config import ConfigError, SectionSpec, Where
from redline.core.model import Area, Finding
from redline.core.priority import RankedItem
from redline.core.rules import RuleRegistry

EFFORTS = ("small", "medium", "large")
#: what a check's own effort words mean on the plan's scale
_EFFORT_WORDS = {
    "minutes": "small",
    "hours": "small",
    "small": "small",
    "days": "medium",
    "medium": "medium",
    "weeks": "large",
    "large": "large",
}
DEFAULT_EFFORT: Mapping[str, str] = MappingProxyType(
    {
        "SEC": "small",  # rotate and revoke a credential
        "RES": "small",  # a timeout, a retry budget, a pool size
        "VUL": "small",  # most fixes are an upgrade within the line
        "TF": "medium",
        "KUB": "medium",
        "DKR": "medium",
    }
)


class Horizon(enum.StrEnum):
    WEEK_1 = "Week 1: firebreak"
    MONTH_1 = "Month 1: hardening"
    QUARTER_1 = "Quarter 1: resilience"


@dataclass(frozen=True)
class PlanSettings:
    firebreak_min_priority: int = 27  # a medium finding with neutral exposure: 3 x 3 x 3 (a missing timeout)
    hardening_prefixes: tuple[str, ...] = ("TF", "KUB", "DKR", "SEC", "VUL")
    effort: Mapping[str, str] = field(default_factory=lambda: DEFAULT_EFFORT)

    def effort_of(self, rule: str, stated: str) -> tuple[str, str]:
        """(effort, where it came from)."""
        if stated and stated in _EFFORT_WORDS:
            return _EFFORT_WORDS[stated], "the check"
        best = max((k for k in self.effort if rule.startswith(k)), key=len, default=None)
        if best is not None:
            return self.effort[best], f"default for {best}"
        return "medium", "no default for this rule"


def parse_plan(raw: Mapping[str, Any], where: Where) -> PlanSettings:
    effort = dict(DEFAULT_EFFORT)
    for rule, value in raw.get("effort", {}).items():
        if value not in EFFORTS:
            raise ConfigError(f"{where.key('effort.' + rule)} must be one of: {', '.join(EFFORTS)}")
        effort[rule] = value
    minimum = raw.get("firebreak_min_priority", PlanSettings.firebreak_min_priority)
    if not 1 <= minimum <= 125:
        raise ConfigError(f"{where.key('firebreak_min_priority')} must be 1..125")
    prefixes = tuple(raw.get("hardening_prefixes", PlanSettings.hardening_prefixes))
    return PlanSettings(minimum, prefixes, MappingProxyType(effort))


PLAN_SECTION: SectionSpec[PlanSettings] = SectionSpec(
    name="plan",
    keys={"firebreak_min_priority": int, "hardening_prefixes": list, "effort": dict},
    parse=parse_plan,
    doc="The 30/60/90 plan: `firebreak_min_priority` (default 27), `hardening_prefixes` (rule families of "
    "month 1 besides the security area), `effort` (rule code or prefix to small/medium/large).",
)


@dataclass(frozen=True)
class PlanItem:
    horizon: Horizon
    what: str  # the fix
    why: str  # the rule and what it closes
    closes: tuple[str, ...]  # fingerprints of the findings it closes
    places: tuple[str, ...]  # where, for a reader
    owner: str  # the component, or "unassigned"
    effort: str
    effort_source: str
    priority: int
    done_when: str


def _horizon(item: RankedItem, area: Area | None, effort: str, settings: PlanSettings) -> Horizon:
    if item.priority >= settings.firebreak_min_priority and effort == "small":
        return Horizon.WEEK_1
    if area is Area.SECURITY or item.group.lead.rule.startswith(settings.hardening_prefixes):
        return Horizon.MONTH_1
    return Horizon.QUARTER_1


def _place(f: Finding) -> str:
    loc = f.location
    return f"{loc.path}:{loc.start_line}" if loc.start_line else (loc.resource or loc.path)


def _first_sentence(text: str, limit: int = 200) -> str:
    """The remediation's first sentence: the table says what to do; the finding keeps the whole text."""
    head = text.strip().split(". ", 1)[0].split("\n", 1)[0]
    head = head if head.endswith(".") or not head else head + "."
    return head if len(head) <= limit else head[: limit - 1] + "…"


def build_plan(ranked: Sequence[RankedItem], rules: RuleRegistry, settings: PlanSettings) -> list[PlanItem]:
    """Plan items in ranked order (the caller ranks: ``priority.rank``)."""
    out = []
    efforts: dict[tuple[str, str], tuple[str, str]] = {}  # (rule, stated effort): one prefix search each
    for item in ranked:
        lead = item.group.lead
        rule = rules.get(lead.rule) if lead.rule in rules else None
        key = (lead.rule, lead.effort)
        effort, source = efforts[key] if key in efforts else efforts.setdefault(key, settings.effort_of(*key))
        horizon = _horizon(item, rule.area if rule else None, effort, settings)
        n = item.count
        summary = rule.summary if rule else lead.rule
        what = _first_sentence(lead.remediation) or f"Fix: {summary}"
        closes = tuple(f.fingerprint for f in item.group.members)
        done = (
            f"`redline audit --select {lead.rule}` no longer reports these {n} finding(s) "
            f"(fingerprints {', '.join(c[:8] for c in closes[:3])}{' …' if n > 3 else ''}); "
            f"`redline history` shows the item resolved"
        )
        out.append(
            PlanItem(
                horizon,
                what,
                f"{lead.rule} {summary} ({n} place(s), priority {item.priority})",
                closes,
                tuple(_place(f) for f in item.group.members),
                lead.component or "unassigned",
                effort,
                source,
                item.priority,
                done,
            )
        )
    return out
