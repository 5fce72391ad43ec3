"""Pure figures over history: ages, SLA breaches, MTTR, and a linear trend forecast.

Kept free of the database so the same functions serve recording (metrics stored per run), the
``history`` command and the tests. The age of an open item runs from the start of its current open
episode: a reopened item's SLA clock starts again when it comes back.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from redline.core.model import Severity
from redline.store.settings import HistorySettings

DAY = 86_400
WEEK = 7 * DAY
#: fewest points a forecast is fitted on
MIN_POINTS = 4


@dataclass(frozen=True, slots=True)
class OpenItem:
    key: str
    severity: Severity
    area: str
    opened_at: int

    def age_days(self, now: int) -> float:
        return (now - self.opened_at) / DAY


def breaches(open_items: Iterable[OpenItem], now: int, settings: HistorySettings) -> list[OpenItem]:
    """Open items older than their severity's SLA (strictly: a critical open 7 days is not yet late)."""
    out = []
    for item in open_items:
        days = settings.sla_for(item.severity)
        if days is not None and now - item.opened_at > days * DAY:
            out.append(item)
    return out


def tracked_metrics(open_items: Sequence[OpenItem], now: int, settings: HistorySettings) -> dict[str, int]:
    """The metrics stored with every run: open items in total and per severity, and SLA breaches."""
    out = {"open_total": len(open_items), "sla_breaches": len(breaches(open_items, now, settings))}
    for severity in Severity:
        out[f"open_{severity}"] = sum(1 for i in open_items if i.severity == severity)
    return out


@dataclass(frozen=True, slots=True)
class Mttr:
    severity: Severity
    resolved: int  # episodes that ended
    mean_seconds: float

    @property
    def mean_days(self) -> float:
        return self.mean_seconds / DAY


def mttr(episodes: Iterable[tuple[Severity, int, int]]) -> dict[Severity, Mttr]:
    """Mean time to resolve per severity over (severity, opened_at, resolved_at) episodes."""
    sums: dict[Severity, list[int]] = {}
    for severity, opened, resolved in episodes:
        sums.setdefault(severity, []).append(resolved - opened)
    return {s: Mttr(s, len(v), sum(v) / len(v)) for s, v in sorted(sums.items(), reverse=True)}


@dataclass(frozen=True, slots=True)
class Forecast:
    metric: str
    points: int
    current: float
    slope_per_week: float  # least-squares slope
    budget: float | None
    weeks_to_budget: float | None  # from the last point, at the current rate; None if never / not set / over

    def sentence(self) -> str:
        rate = (
            f"{self.metric} {'grows' if self.slope_per_week >= 0 else 'falls'} "
            f"{abs(self.slope_per_week):.1f}/week (now {self.current:g}, {self.points} runs)"
        )
        if self.budget is None:
            return f"{rate}; no budget set"
        if self.current > self.budget:
            return f"{rate}; already over its budget of {self.budget:g}"
        if self.weeks_to_budget is None:
            return f"{rate}; does not reach its budget of {self.budget:g} at this rate"
        return f"{rate}; exceeds its budget of {self.budget:g} in about {self.weeks_to_budget:.1f} weeks"


def forecast(metric: str, series: Sequence[tuple[int, float]], budget: float | None) -> Forecast | None:
    """A least-squares line through (time, value); None below ``MIN_POINTS`` points or in one instant.
    The crossing is measured from the last point along the fitted slope."""
    if len(series) < MIN_POINTS:
        return None
    n = len(series)
    xs = [t / WEEK for t, _ in series]
    ys = [float(v) for _, v in series]
    mx, my = sum(xs) / n, sum(ys) / n
    sxx = sum((x - mx) ** 2 for x in xs)
    if sxx == 0:
        return None
    slope = sum((x - mx) * (y - my) for x, y in zip(xs, ys, strict=True)) / sxx
    current = ys[-1]
    weeks = None
    if budget is not None and slope > 0 and current <= budget:
        weeks = (budget - current) / slope
    return Forecast(metric, n, current, slope, budget, weeks)
