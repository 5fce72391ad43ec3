"""Gate policies: what fails a merge, evaluated once over a run and what came before it.

Each policy passes, fails (saying exactly why, naming what broke it) or is skipped (saying what it
needs). The inputs beyond the run (the reference items, the SLA breaches) are handed in by the caller
(``redline gate`` reads them from the baseline or the history store), so this module stays pure.
"""

from __future__ import annotations

import enum
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from redline.core.config import ConfigError, SectionSpec, Where
from redline.core.groups import FindingGroup, item_key
from redline.core.model import Severity

#: how many offenders a message names before "and N more"
NAMED = 5


class Verdict(enum.StrEnum):
    PASS = "pass"
    FAIL = "fail"
    SKIP = "skip"


@dataclass(frozen=True)
class Outcome:
    policy: str
    verdict: Verdict
    message: str


@dataclass(frozen=True)
class PolicySettings:
    new_findings: Severity | None = Severity.HIGH  # None = off
    against: str = "baseline"  # "baseline" (--baseline file) or "main" (the last recorded run on main_branch)
    main_branch: str = "main"
    kev: bool = True
    drift: bool = True
    drift_rules: tuple[str, ...] = ("TF119",)
    max_sla_breaches: int | None = 0  # None = off


def parse_policy(raw: Mapping[str, Any], where: Where) -> PolicySettings:
    new = raw.get("new_findings", "high")
    try:
        new_sev = None if new == "off" else Severity.parse(new)
    except ValueError as exc:
        raise ConfigError(f"{where.key('new_findings')}: {exc} or 'off'") from None
    against = raw.get("against", "baseline")
    if against not in ("baseline", "main"):
        raise ConfigError(f"{where.key('against')} must be 'baseline' or 'main'")
    breaches = raw.get("max_sla_breaches", 0)
    if breaches < -1:
        raise ConfigError(f"{where.key('max_sla_breaches')} must be >= 0 (or -1 for off)")
    return PolicySettings(
        new_sev,
        against,
        raw.get("main_branch", "main"),
        raw.get("kev", True),
        raw.get("drift", True),
        tuple(raw.get("drift_rules", ("TF119",))),
        None if breaches == -1 else breaches,
    )


POLICY_SECTION: SectionSpec[PolicySettings] = SectionSpec(
    name="policy",
    keys={
        "new_findings": str,
        "against": str,
        "main_branch": str,
        "kev": bool,
        "drift": bool,
        "drift_rules": list,
        "max_sla_breaches": int,
    },
    parse=parse_policy,
    doc="Gate policies for `redline gate`: `new_findings` (severity or 'off', default high) against "
    "`against` ('baseline' or 'main': the last recorded run on `main_branch`), `kev`, `drift` "
    "(`drift_rules`, default TF119), `max_sla_breaches` (default 0; -1 = off).",
)


@dataclass(frozen=True)
class Reference:
    """What ``new`` is measured against: item keys (``groups.item_key``) or finding fingerprints."""

    name: str  # e.g. "baseline .redline-baseline.json" or "run 12 on main (2026-12-01 10:00 UTC)"
    item_keys: Collection[str] = ()
    fingerprints: Collection[str] = ()

    def knows(self, group: FindingGroup) -> bool:
        return item_key(group.lead) in self.item_keys or any(f.fingerprint in self.fingerprints for f in group.members)


def _where(group: FindingGroup) -> str:
    loc = group.lead.location
    place = f"{loc.path}:{loc.start_line}" if loc.start_line else (loc.resource or loc.path)
    extra = f" (+{group.count - 1} more)" if group.count > 1 else ""
    return f"{group.lead.rule} {place}{extra}"


def _named(groups: Sequence[FindingGroup]) -> str:
    shown = ", ".join(_where(g) for g in groups[:NAMED])
    return shown + (f" and {len(groups) - NAMED} more" if len(groups) > NAMED else "")


def new_findings(items: Sequence[FindingGroup], settings: PolicySettings, ref: Reference | None) -> Outcome:
    name = "new-findings"
    if settings.new_findings is None:
        return Outcome(name, Verdict.SKIP, "off ([policy] new_findings = 'off')")
    if ref is None:
        need = (
            "--baseline FILE"
            if settings.against == "baseline"
            else f"a recorded run on {settings.main_branch} (redline audit --record on that branch)"
        )
        return Outcome(name, Verdict.SKIP, f"no reference to compare with: needs {need}")
    threshold = settings.new_findings
    new = [g for g in items if g.lead.severity >= threshold and not ref.knows(g)]
    if new:
        return Outcome(
            name, Verdict.FAIL, f"{len(new)} new item(s) at or above {threshold} since {ref.name}: {_named(new)}"
        )
    return Outcome(name, Verdict.PASS, f"no new item at or above {threshold} since {ref.name}")


def kev(items: Sequence[FindingGroup], settings: PolicySettings) -> Outcome:
    if not settings.kev:
        return Outcome("kev", Verdict.SKIP, "off ([policy] kev = false)")
    hits = [g for g in items if any(f.evidence.get("kev") for f in g.members)]
    if hits:
        return Outcome("kev", Verdict.FAIL, f"{len(hits)} vulnerability item(s) listed in CISA KEV: {_named(hits)}")
    return Outcome("kev", Verdict.PASS, "no KEV-listed vulnerability")


def drift(items: Sequence[FindingGroup], settings: PolicySettings) -> Outcome:
    if not settings.drift:
        return Outcome("drift", Verdict.SKIP, "off ([policy] drift = false)")
    hits = [g for g in items if g.lead.rule in settings.drift_rules]
    if hits:
        return Outcome("drift", Verdict.FAIL, f"{len(hits)} drifted resource item(s): {_named(hits)}")
    return Outcome("drift", Verdict.PASS, f"no drift ({', '.join(settings.drift_rules)})")


def sla(breaches: Sequence[str] | None, settings: PolicySettings) -> Outcome:
    """``breaches``: one line per open item past its SLA, from the history; None when there is none."""
    if settings.max_sla_breaches is None:
        return Outcome("sla", Verdict.SKIP, "off ([policy] max_sla_breaches = -1)")
    if breaches is None:
        return Outcome("sla", Verdict.SKIP, "no history store: needs recorded runs (redline audit --record)")
    allowed = settings.max_sla_breaches
    if len(breaches) > allowed:
        shown = "; ".join(breaches[:NAMED]) + (f"; and {len(breaches) - NAMED} more" if len(breaches) > NAMED else "")
        return Outcome("sla", Verdict.FAIL, f"{len(breaches)} open item(s) past their SLA (allowed {allowed}): {shown}")
    return Outcome("sla", Verdict.PASS, f"{len(breaches)} open item(s) past their SLA (allowed {allowed})")


def evaluate(
    items: Sequence[FindingGroup], settings: PolicySettings, ref: Reference | None, breaches: Sequence[str] | None
) -> list[Outcome]:
    return [new_findings(items, settings, ref), kev(items, settings), drift(items, settings), sla(breaches, settings)]
