"""The history as CSV: one row per run (counts as columns) or one row per root-cause item."""

from __future__ import annotations

import csv
import time
from typing import TextIO

from sqlalchemy import Engine

from redline.store.query import item_rows, list_runs, scopes
from redline.store.settings import HistorySettings


def _iso(at: int | None) -> str:
    return "" if at is None else time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(at))


def write_runs_csv(engine: Engine, out: TextIO, now: int, settings: HistorySettings) -> None:
    del now, settings  # a run's figures were fixed when it was recorded
    runs = list_runs(engine)
    extra = sorted({f"{d}:{n}" for r in runs for d, names in r.counts.items() for n in names})
    w = csv.writer(out, lineterminator="\n")
    w.writerow(["run", "scope", "at", "branch", "revision", "full", "items", "findings", *extra])
    for r in runs:
        cells = [r.counts.get(k.split(":", 1)[0], {}).get(k.split(":", 1)[1], 0) for k in extra]
        w.writerow([r.id, r.scope, _iso(r.at), r.branch, r.revision, int(r.full), r.items, r.findings, *cells])


def write_items_csv(engine: Engine, out: TextIO, now: int, settings: HistorySettings) -> None:
    w = csv.writer(out, lineterminator="\n")
    w.writerow(
        [
            "scope",
            "item",
            "rule",
            "severity",
            "area",
            "component",
            "path",
            "count",
            "first_seen",
            "last_seen",
            "resolved_at",
            "reopened",
            "age_days",
            "sla_days",
            "sla_breached",
        ]
    )
    for scope in scopes(engine):
        for r in item_rows(engine, scope):
            sla = settings.sla_for(r.severity)
            age = "" if r.resolved_at is not None else f"{(now - r.opened_at) / 86400:.2f}"
            late = r.resolved_at is None and sla is not None and now - r.opened_at > sla * 86400
            w.writerow(
                [
                    scope,
                    r.key,
                    r.rule,
                    str(r.severity),
                    r.area,
                    r.component,
                    r.path,
                    r.count,
                    _iso(r.first_seen),
                    _iso(r.last_seen),
                    _iso(r.resolved_at),
                    r.reopened,
                    age,
                    "" if sla is None else sla,
                    int(late),
                ]
            )
