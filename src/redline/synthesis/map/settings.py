"""``[threats]`` (SLA days per severity, the approvers, the day deadlines count from) and ``[[accept]]``
(risk acceptances: threat or finding id, reason, approved_by, approved_on, expires)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

from redline.core.config import ConfigError, SectionSpec, Where

DEFAULT_SLA: Mapping[str, int] = {"critical": 7, "high": 30, "medium": 90, "low": 180}


@dataclass(frozen=True)
class ThreatSettings:
    sla_days: Mapping[str, int]
    approvers: tuple[str, ...] = ()
    as_of: date | None = None  # deadlines count from this day (None = today)


def _date(value: Any, where: str) -> date | None:
    if value is None or isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value))
    except ValueError:
        raise ConfigError(f"{where} must be a date (YYYY-MM-DD), got {value!r}") from None


def parse_threats(raw: Mapping[str, Any], where: Where) -> ThreatSettings:
    sla = dict(DEFAULT_SLA)
    for key, days in dict(raw.get("sla_days", {})).items():
        if key not in DEFAULT_SLA:
            raise ConfigError(f"{where.key('sla_days.' + key)} is unknown (allowed: {', '.join(DEFAULT_SLA)})")
        if not isinstance(days, int) or isinstance(days, bool) or days <= 0:
            raise ConfigError(f"{where.key('sla_days.' + key)} must be a positive number of days")
        sla[key] = days
    approvers = raw.get("approvers", [])
    if not all(isinstance(a, str) and a.strip() for a in approvers):
        raise ConfigError(f"{where.key('approvers')} must be a list of non-empty names")
    return ThreatSettings(sla, tuple(a.strip() for a in approvers), _date(raw.get("as_of"), where.key("as_of")))


THREATS_SECTION: SectionSpec[ThreatSettings] = SectionSpec(
    name="threats",
    keys={"sla_days": dict, "approvers": list, "as_of": str},
    parse=parse_threats,
    doc="Threat register: sla_days (critical/high/medium/low, default 7/30/90/180), approvers (who may "
    "accept a risk), as_of (the day deadlines count from; default today)",
)


@dataclass(frozen=True)
class Acceptance:
    """One ``[[accept]]`` entry as written; whether it is honoured is decided against ``[threats]``."""

    index: int  # 1-based position in the file, to name the entry in messages
    target: str  # a threat id or a finding fingerprint
    reason: str
    approved_by: str
    approved_on: date | None
    expires: date | None


@dataclass(frozen=True)
class Acceptances:
    entries: tuple[Acceptance, ...] = ()


def parse_accept(raw: Mapping[str, Any], where: Where) -> Acceptances:
    out: list[Acceptance] = []
    for i, entry in enumerate(raw.get("entries", []), 1):
        target = str(entry.get("threat") or entry.get("finding") or "").strip()
        name = f"{where.source or 'configuration'}: [[accept]] entry {i}"
        if not target:
            raise ConfigError(f"{name} names no `threat` or `finding` id")
        out.append(
            Acceptance(
                i,
                target,
                str(entry.get("reason", "")).strip(),
                str(entry.get("approved_by", "")).strip(),
                _date(entry.get("approved_on"), f"{name} approved_on"),
                _date(entry.get("expires"), f"{name} expires"),
            )
        )
    return Acceptances(tuple(out))


ACCEPT_SECTION: SectionSpec[Acceptances] = SectionSpec(
    name="accept",
    keys={"threat": str, "finding": str, "reason": str, "approved_by": str, "approved_on": str, "expires": str},
    parse=parse_accept,
    array=True,
    doc="Risk acceptances ([[accept]]): threat or finding id, reason, approved_by (one of [threats] approvers), "
    "approved_on, expires; an entry without approver or expiry, expired, or approved by someone not "
    "listed is rejected and the threat stays open",
)


def judge(entry: Acceptance, settings: ThreatSettings, today: date) -> str:
    """Why ``entry`` is not honoured, or "" when it is."""
    name = f"[[accept]] entry {entry.index} ({entry.target})"
    if not entry.approved_by:
        return f"{name}: no approved_by: rejected, the threat stays open"
    if entry.approved_by not in settings.approvers:
        listed = ", ".join(settings.approvers) or "none configured"
        return f"{name}: approved_by {entry.approved_by!r} is not in [threats] approvers ({listed}): rejected"
    if entry.expires is None:
        return f"{name}: no expires date: an acceptance must expire; rejected"
    if entry.expires < today:
        return f"{name}: expired on {entry.expires.isoformat()}: rejected, the threat is open again"
    if not entry.reason:
        return f"{name}: no reason: rejected"
    return ""
