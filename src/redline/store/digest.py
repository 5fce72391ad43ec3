"""What the report shows of the history: a ``HistoryDigest`` (core) built from the store, so the report
never opens the store itself (report and store are sibling layers)."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import Engine

from redline.core.inventory import HistoryDigest
from redline.core.model import Severity
from redline.store.engine import open_store
from redline.store.metrics import DAY
from redline.store.query import derive, list_runs
from redline.store.settings import HistorySettings

#: the age past which an open critical vulnerability breaks the success criterion
CRITICAL_CVE_DAYS = 7
#: the per-run metrics drawn as trends besides the areas
TRACKED = ("open_total", "sla_breaches")


def history_digest(engine: Engine, scope: str, now: int, settings: HistorySettings) -> HistoryDigest:
    runs = list_runs(engine, scope)
    d = derive(engine, scope, now, settings)
    series: dict[str, tuple[tuple[int, float], ...]] = {
        f"{area} items": tuple((at, float(v)) for at, v in points) for area, points in d.trend.items()
    }
    for name in TRACKED:
        points = tuple((r.at, float(r.counts["metric"][name])) for r in runs if name in r.counts.get("metric", {}))
        if points:
            series[name] = points
    resolved = sum(m.resolved for m in d.mttr.values())
    mean = sum(m.mean_seconds * m.resolved for m in d.mttr.values()) / resolved if resolved else 0.0
    late = tuple(
        f"{r.rule} {r.path}"
        for r in d.open_items
        if r.rule.startswith("VUL") and r.severity is Severity.CRITICAL and now - r.opened_at > CRITICAL_CVE_DAYS * DAY
    )
    return HistoryDigest(
        runs=len(runs),
        series=series,
        forecasts=tuple(f.sentence() for f in d.forecasts),
        sla_breaches=len(d.breaches),
        mttr=(resolved, mean) if resolved else None,
        late_critical_cves=late,
    )


def digest_from(spec: str, root: Path, scope: str, now: int, settings: HistorySettings) -> HistoryDigest:
    """Open the store ``spec`` (relative paths under ``root``), build the digest, close it."""
    engine = open_store(spec, root)
    try:
        return history_digest(engine, scope, now, settings)
    finally:
        engine.dispose()
