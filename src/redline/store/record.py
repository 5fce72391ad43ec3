"""Recording one run: its counts, and each root-cause item's life (first seen, last seen, resolved,
reopened).

An item present in the run is open from then on (a new one opens, a resolved one reopens). An open
item absent from a *full* run of the same scope is resolved at that run's time; a partial run never
resolves anything. One transaction per run, under the scope's writer lock.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, Engine, Update, and_, bindparam, insert, select, update

from redline.core.groups import FindingGroup, item_key
from redline.core.model import Severity
from redline.core.rules import RuleRegistry
from redline.store.engine import lock
from redline.store.metrics import OpenItem, tracked_metrics
from redline.store.schema import items, resolutions, run_counts, runs
from redline.store.settings import HistorySettings


@dataclass(frozen=True, slots=True)
class ItemRecord:
    """One root-cause item as seen in a run."""

    key: str
    rule: str
    severity: Severity
    area: str
    component: str = ""
    path: str = ""
    message: str = ""
    count: int = 1


@dataclass(frozen=True, slots=True)
class RunRecord:
    scope: str  # what was audited (root and rule selection): lifecycles are per scope
    at: int  # seconds since the epoch (UTC)
    items: tuple[ItemRecord, ...]
    full: bool = True  # a partial run (changed files only) never resolves an item
    branch: str = ""
    revision: str = ""
    #: the success criteria this run measured (the report's scorecard): id ("p95", "cost") -> 1 met, 0 not met
    success: tuple[tuple[str, int], ...] = ()


def item_records(groups: Iterable[FindingGroup], rules: RuleRegistry) -> tuple[ItemRecord, ...]:
    out: dict[str, ItemRecord] = {}
    for g in groups:
        lead = g.lead
        area = str(rules.get(lead.rule).area) if lead.rule in rules else ""
        key = item_key(lead)
        seen = out.get(key)
        count = g.count + (seen.count if seen else 0)  # one cause split by suppression state: one item
        out[key] = ItemRecord(
            key, lead.rule, lead.severity, area, lead.component, lead.location.path, lead.message[:500], count
        )
    return tuple(out.values())


def record_run(engine: Engine, run: RunRecord, settings: HistorySettings) -> int:
    """Record ``run``; returns its id."""
    with engine.begin() as conn:
        lock(conn, run.scope)
        run_id = conn.execute(
            insert(runs)
            .values(
                scope=run.scope,
                at=run.at,
                branch=run.branch,
                revision=run.revision,
                full=run.full,
                findings=sum(i.count for i in run.items),
                items=len(run.items),
            )
            .returning(runs.c.id)
        ).scalar_one()
        open_items = _update_items(conn, run)
        _write_counts(conn, run_id, run, open_items, settings)
        return int(run_id)


def _update_items(conn: Connection, run: RunRecord) -> list[OpenItem]:
    """Apply the run to the scope's items; returns the items open after it."""
    known = {
        row.item_key: row
        for row in conn.execute(
            select(items.c.item_key, items.c.resolved_at, items.c.opened_at, items.c.severity, items.c.area).where(
                items.c.scope == run.scope
            )
        )
    }
    present = {i.key: i for i in run.items}
    new = [i for k, i in present.items() if k not in known]
    still = [i for k, i in present.items() if k in known and known[k].resolved_at is None]
    back = [i for k, i in present.items() if k in known and known[k].resolved_at is not None]
    if new:
        conn.execute(
            insert(items),
            [
                _row(run, i) | {"first_seen": run.at, "opened_at": run.at, "resolved_at": None, "reopened": 0}
                for i in new
            ],
        )
    if still:
        conn.execute(_refresh(), [_bind(run, i) for i in still])
    if back:
        conn.execute(
            _refresh().values(opened_at=run.at, resolved_at=None, reopened=items.c.reopened + 1),
            [_bind(run, i) for i in back],
        )
    absent_open = [row for k, row in known.items() if k not in present and row.resolved_at is None]
    if run.full:
        _resolve(conn, run, absent_open)
    opened = [OpenItem(i.key, i.severity, i.area, known[i.key].opened_at) for i in still]
    opened += [OpenItem(i.key, i.severity, i.area, run.at) for i in (*new, *back)]
    if not run.full:
        opened += [OpenItem(r.item_key, Severity(r.severity), r.area, r.opened_at) for r in absent_open]
    return opened


def _row(run: RunRecord, i: ItemRecord) -> dict[str, object]:
    return {
        "scope": run.scope,
        "item_key": i.key,
        "rule": i.rule,
        "severity": int(i.severity),
        "area": i.area,
        "component": i.component,
        "path": i.path,
        "message": i.message,
        "count": i.count,
        "last_seen": run.at,
    }


def _bind(run: RunRecord, i: ItemRecord) -> dict[str, object]:
    return {"b_" + k: v for k, v in _row(run, i).items()}


def _refresh() -> Update:
    """UPDATE one item (bound per row) with what this run saw."""
    cols = ("rule", "severity", "area", "component", "path", "message", "count", "last_seen")
    return (
        update(items)
        .where(and_(items.c.scope == bindparam("b_scope"), items.c.item_key == bindparam("b_item_key")))
        .values({c: bindparam("b_" + c) for c in cols})
    )


def _resolve(conn: Connection, run: RunRecord, gone: Sequence[Any]) -> None:
    """Resolve ``gone`` (rows of item_key, resolved_at, opened_at, severity, area) at the run's time."""
    if not gone:
        return
    conn.execute(
        update(items)
        .where(and_(items.c.scope == run.scope, items.c.item_key == bindparam("b_key")))
        .values(resolved_at=run.at),
        [{"b_key": row.item_key} for row in gone],
    )
    conn.execute(
        insert(resolutions),
        [
            {
                "scope": run.scope,
                "item_key": row.item_key,
                "severity": row.severity,
                "opened_at": row.opened_at,
                "resolved_at": run.at,
            }
            for row in gone
        ],
    )


def _write_counts(
    conn: Connection, run_id: int, run: RunRecord, open_items: list[OpenItem], settings: HistorySettings
) -> None:
    counts: Counter[tuple[str, str]] = Counter()
    for i in run.items:
        counts["area", i.area] += 1
        counts["severity", str(i.severity)] += 1
        counts["component", i.component or "(none)"] += 1
    for name, value in tracked_metrics(open_items, run.at, settings).items():
        counts["metric", name] = value
    for name, value in run.success:
        counts["success", name] = value
    if counts:
        conn.execute(
            insert(run_counts),
            [{"run_id": run_id, "dimension": d, "name": n[:255], "value": v} for (d, n), v in sorted(counts.items())],
        )
