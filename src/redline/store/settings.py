"""The ``[history]`` table: where runs are recorded, the SLA per severity, budgets for forecasts.

Parsed once at load into frozen ``HistorySettings``; free of SQLAlchemy so start-up stays instant.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any

from redline.core.config import ConfigError, SectionSpec, Where
from redline.core.model import Severity

#: days a finding of each severity may stay open before it breaches its SLA
DEFAULT_SLA_DAYS: Mapping[Severity, int] = MappingProxyType(
    {
        Severity.CRITICAL: 7,
        Severity.HIGH: 30,
        Severity.MEDIUM: 90,
        Severity.LOW: 180,
    }
)
#: the history file used when recording is asked for and no store is configured
DEFAULT_STORE_PATH = ".redline/history.db"


@dataclass(frozen=True)
class HistorySettings:
    store: str = ""  # a SQLAlchemy URL or a file path; "" = none configured
    record: bool | None = None  # None = record exactly when a store is configured
    sla_days: Mapping[Severity, int] = field(default_factory=lambda: DEFAULT_SLA_DAYS)
    #: per tracked metric (e.g. "open_high", "sla_breaches"), the value a forecast warns about
    budgets: Mapping[str, float] = field(default_factory=lambda: MappingProxyType({}))

    def sla_for(self, severity: Severity) -> int | None:
        """Days allowed for ``severity``; None when it has no SLA (info)."""
        return self.sla_days.get(severity)


def _sla_days(raw: Mapping[str, Any], where: Where) -> Mapping[Severity, int]:
    days = dict(DEFAULT_SLA_DAYS)
    for name, value in raw.items():
        try:
            severity = Severity.parse(name)
        except ValueError:
            raise ConfigError(f"{where.key('sla_days.' + name)}: not a severity") from None
        if isinstance(value, bool) or not isinstance(value, int) or value <= 0:
            raise ConfigError(f"{where.key('sla_days.' + name)} must be a positive number of days")
        days[severity] = value
    return MappingProxyType(days)


def _budgets(raw: Mapping[str, Any], where: Where) -> Mapping[str, float]:
    out: dict[str, float] = {}
    for name, value in raw.items():
        if isinstance(value, bool) or not isinstance(value, int | float) or value < 0:
            raise ConfigError(f"{where.key('budgets.' + name)} must be a number >= 0")
        out[name] = float(value)
    return MappingProxyType(out)


def parse_history(raw: Mapping[str, Any], where: Where) -> HistorySettings:
    return HistorySettings(
        store=str(raw.get("store", "")),
        record=raw.get("record"),
        sla_days=_sla_days(raw.get("sla_days", {}), where),
        budgets=_budgets(raw.get("budgets", {}), where),
    )


HISTORY_SECTION: SectionSpec[HistorySettings] = SectionSpec(
    name="history",
    keys={"store": str, "record": bool, "sla_days": dict, "budgets": dict},
    parse=parse_history,
    doc="Run history: `store` (SQLAlchemy URL or file; default `.redline/history.db` when recording), "
    "`record` (default: record when a store is configured), `sla_days` per severity "
    "(critical 7, high 30, medium 90, low 180), `budgets` per tracked metric for the forecasts.",
)


def wants_recording(settings: HistorySettings, *, record: bool | None, store: str | None) -> bool:
    """Whether this run is recorded: ``--record``/``--no-record``, else ``--store``, else the table. Here, not
    in ``session``, so a run that records nothing never imports SQLAlchemy (≈0.3 s of every audit)."""
    if record is not None:
        return record
    if store:
        return True
    return settings.record if settings.record is not None else bool(settings.store)
