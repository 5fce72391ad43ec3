"""The database audit: a snapshot (live or from a file) through the database checks, into an AuditResult
the usual reporters render. ``redline db-audit`` calls this; ``redline audit --postgres`` goes through the
ordinary pipeline with ``PostgresSource`` instead."""

from __future__ import annotations

import time
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from redline.checks.database import checks as database_checks
from redline.checks.database.common import OPTION_KEY
from redline.checks.interface import CheckContext
from redline.core.config import Config
from redline.core.facts import Facts
from redline.core.model import Finding, Skipped, Stage, ToolError
from redline.core.redact import redact_url
from redline.core.result import AuditResult, RunStats
from redline.pipeline.plan import make_plan
from redline.pipeline.run import AuditRequest, override_severity, route
from redline.sources.postgres import PostgresSource, not_covered
from redline.sources.postgres.connect import ConnectError, check_url
from redline.sources.postgres.model import Snapshot
from redline.sources.postgres.serialize import SnapshotError, read_snapshot, to_json
from redline.sources.postgres.settings import ENV_URL, POSTGRES_SECTION, PostgresSettings, SettingsError, settings_from
from redline.synthesis.database import DatabaseInventoryStep

#: what the ``db-audit`` command uses of the PostgreSQL source, re-exported so the CLI never imports sources
__all__ = [
    "ENV_URL",
    "POSTGRES_SECTION",
    "ConnectError",
    "PostgresSettings",
    "SettingsError",
    "Snapshot",
    "SnapshotError",
    "check_url",
    "read_snapshot",
    "redact_url",
    "settings_from",
    "snapshot_live",
    "to_json",
    "with_postgres",
]


def with_postgres(req: AuditRequest, url: str) -> AuditRequest:
    """``req`` that also snapshots the database at ``url`` (``audit --postgres``); the URL is checked first."""
    check_url(url)
    req.project_sources = [s for s in req.project_sources if not isinstance(s, PostgresSource)]
    req.project_sources.append(PostgresSource(url))
    return req


def snapshot_live(settings: PostgresSettings) -> Snapshot:
    """A read-only snapshot of the live server (psycopg imported only now)."""
    from redline.sources.postgres.live import snapshot_database  # noqa: PLC0415

    return snapshot_database(settings)


@dataclass(frozen=True)
class DatabaseAudit:
    result: AuditResult
    snapshot: Snapshot


def audit_snapshot(
    snap: Snapshot,
    config: Config,
    settings: PostgresSettings,
    *,
    select: Iterable[str] = (),
    ignore: Iterable[str] = (),
) -> DatabaseAudit:
    started = time.perf_counter()
    checks = database_checks()
    plan = make_plan(checks, [], [], config, select=select, ignore=ignore)
    ctx = CheckContext(Path("."), config, plan.enabled, {OPTION_KEY: settings})
    facts = Facts([snap])
    findings: list[Finding] = []
    skipped: list[Skipped] = not_covered(snap)
    errors: list[ToolError] = []
    for check in plan.project_checks:
        try:
            for item in check.check(facts, ctx):
                route(item, plan.enabled, findings, skipped, errors)
        except Exception as exc:  # noqa: BLE001 - recorded, the run goes on
            errors.append(
                ToolError(check.name, f"check failed: {type(exc).__name__}: {exc}", stage=Stage.CHECK, fatal=True)
            )
    findings = [override_severity(f, config) for f in findings]
    inventory = DatabaseInventoryStep().run(facts, findings, ctx).postgres
    result = AuditResult(
        root=f"postgres/{snap.server.database}",
        findings=tuple(sorted(findings, key=Finding.sort_key)),
        rules=plan.registry,
        config=config,
        errors=tuple(errors),
        skipped=tuple(sorted(set(skipped), key=lambda s: (s.path, s.reason))),
        stats=RunStats(0, 0, round(time.perf_counter() - started, 3), 1),
        facts_summary={
            "Snapshot": 1,
            "Statement": len(snap.statements),
            "Table": len(snap.tables),
            "Index": len(snap.indexes),
        },
        postgres=inventory,
    )
    return DatabaseAudit(result, snap)
