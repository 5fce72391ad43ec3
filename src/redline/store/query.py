"""Reading the history back: runs, open items with ages and SLA breaches, MTTR, trends, forecasts."""

from __future__ import annotations

import time
from collections import defaultdict
from dataclasses import dataclass, field

from sqlalchemy import Engine, and_, select

from redline.core.model import Severity
from redline.core.policy import Reference
from redline.core.priority import HistoryView
from redline.store.metrics import Forecast, Mttr, OpenItem, breaches, forecast, mttr
from redline.store.schema import items, resolutions, run_counts, runs
from redline.store.settings import HistorySettings


@dataclass(frozen=True)
class RunRow:
    id: int
    scope: str
    at: int
    branch: str
    revision: str
    full: bool
    findings: int
    items: int
    counts: dict[str, dict[str, int]] = field(default_factory=dict)  # dimension -> name -> value


@dataclass(frozen=True)
class ItemRow:
    key: str
    rule: str
    severity: Severity
    area: str
    component: str
    path: str
    message: str
    count: int
    first_seen: int
    last_seen: int
    opened_at: int
    resolved_at: int | None
    reopened: int

    def as_open(self) -> OpenItem:
        return OpenItem(self.key, self.severity, self.area, self.opened_at)


@dataclass(frozen=True)
class Derived:
    """Every figure the history gives at ``now`` for one scope."""

    now: int
    open_items: list[ItemRow]
    breaches: list[ItemRow]
    mttr: dict[Severity, Mttr]
    trend: dict[str, list[tuple[int, int]]]  # area -> (run time, items)
    forecasts: list[Forecast]


def scopes(engine: Engine) -> list[str]:
    with engine.connect() as conn:
        return [r[0] for r in conn.execute(select(runs.c.scope).distinct().order_by(runs.c.scope))]


def list_runs(engine: Engine, scope: str | None = None) -> list[RunRow]:
    """Runs oldest first, with their counts."""
    with engine.connect() as conn:
        q = select(runs).order_by(runs.c.at, runs.c.id)
        if scope is not None:
            q = q.where(runs.c.scope == scope)
        rows = list(conn.execute(q))
        counts: dict[int, dict[str, dict[str, int]]] = defaultdict(lambda: defaultdict(dict))
        cq = select(run_counts)
        if scope is not None:
            cq = cq.join(runs, runs.c.id == run_counts.c.run_id).where(runs.c.scope == scope)
        for c in conn.execute(cq):
            counts[c.run_id][c.dimension][c.name] = int(c.value)
    return [
        RunRow(
            r.id,
            r.scope,
            r.at,
            r.branch,
            r.revision,
            bool(r.full),
            r.findings,
            r.items,
            {d: dict(v) for d, v in counts[r.id].items()},
        )
        for r in rows
    ]


def item_rows(engine: Engine, scope: str, *, open_only: bool = False) -> list[ItemRow]:
    with engine.connect() as conn:
        c = items.c
        q = select(
            c.item_key,
            c.rule,
            c.severity,
            c.area,
            c.component,
            c.path,
            c.message,
            c["count"],
            c.first_seen,
            c.last_seen,
            c.opened_at,
            c.resolved_at,
            c.reopened,
        ).where(c.scope == scope)
        if open_only:
            q = q.where(c.resolved_at.is_(None))
        severities = {int(s): s for s in Severity}
        rows = conn.execute(q.order_by(c.severity.desc(), c.opened_at, c.item_key)).all()
        return [ItemRow(key, rule, severities[sev], *rest) for key, rule, sev, *rest in rows]


def episodes(engine: Engine, scope: str) -> list[tuple[Severity, int, int]]:
    with engine.connect() as conn:
        return [
            (Severity(r.severity), r.opened_at, r.resolved_at)
            for r in conn.execute(
                select(resolutions.c.severity, resolutions.c.opened_at, resolutions.c.resolved_at)
                .where(and_(resolutions.c.scope == scope))
                .order_by(resolutions.c.id)
            )
        ]


def derive(engine: Engine, scope: str, now: int, settings: HistorySettings) -> Derived:
    open_rows = item_rows(engine, scope, open_only=True)
    late = {i.key for i in breaches((r.as_open() for r in open_rows), now, settings)}
    run_rows = list_runs(engine, scope)
    trend: dict[str, list[tuple[int, int]]] = defaultdict(list)
    metrics: dict[str, list[tuple[int, float]]] = defaultdict(list)
    for run in run_rows:
        areas = run.counts.get("area", {})
        for area in sorted({a for r in run_rows for a in r.counts.get("area", {})}):
            trend[area].append((run.at, areas.get(area, 0)))
        for name, value in run.counts.get("metric", {}).items():
            metrics[name].append((run.at, float(value)))
    wanted = sorted(set(settings.budgets) | {"open_total", "sla_breaches"})
    fits = [f for name in wanted if (f := forecast(name, metrics.get(name, []), settings.budgets.get(name)))]
    return Derived(
        now, open_rows, [r for r in open_rows if r.key in late], mttr(episodes(engine, scope)), dict(trend), fits
    )


def history_view(engine: Engine, scope: str, now: int, settings: HistorySettings) -> HistoryView:
    """What scoring needs from the history before a run: when each open item of ``scope`` opened."""
    with engine.connect() as conn:
        opened: dict[str, int] = {
            key: at
            for key, at in conn.execute(
                select(items.c.item_key, items.c.opened_at).where(
                    and_(items.c.scope == scope, items.c.resolved_at.is_(None))
                )
            )
        }
    return HistoryView(opened, now, settings.sla_days)


def main_reference(engine: Engine, scope: str, branch: str) -> Reference | None:
    """The items present in the last recorded run of ``scope`` on ``branch``, or None without one.
    Present = first seen at or before that run and last seen at or after it (an item resolved and
    reopened around that run counts as present: the store keeps lifecycles, not every run's list)."""
    with engine.connect() as conn:
        last = conn.execute(
            select(runs.c.id, runs.c.at)
            .where(and_(runs.c.scope == scope, runs.c.branch == branch))
            .order_by(runs.c.at.desc(), runs.c.id.desc())
            .limit(1)
        ).first()
        if last is None:
            return None
        keys = {
            k
            for (k,) in conn.execute(
                select(items.c.item_key).where(
                    and_(items.c.scope == scope, items.c.first_seen <= last.at, items.c.last_seen >= last.at)
                )
            )
        }
    when = time.strftime("%Y-%m-%d %H:%M", time.gmtime(last.at))
    return Reference(f"run {last.id} on {branch} ({when} UTC)", item_keys=frozenset(keys))


def breach_lines(engine: Engine, scope: str, now: int, settings: HistorySettings) -> list[str]:
    """One line per open item of ``scope`` past its SLA at ``now``."""
    return [
        f"{r.severity} {r.rule} {r.path} open {(now - r.opened_at) / 86_400:.0f} days "
        f"(SLA {settings.sla_for(r.severity)})"
        for r in derive(engine, scope, now, settings).breaches
    ]
