"""``redline db-audit URL | --snapshot FILE``: audit one PostgreSQL database, read-only.

Thin: parse, call the pipeline, print. Writes ``findings.json`` (the usual format) and ``snapshot.json``
(the facts the checks saw, replayable with ``--snapshot``) into ``--out``.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from redline.cli import exit_codes
from redline.cli.common import UsageError, config_sections, exit_code, split_codes

if TYPE_CHECKING:
    from redline.core.config import Config
    from redline.core.result import AuditResult
    from redline.pipeline.database import PostgresSettings, Snapshot

#: ``redline.pipeline.database.ENV_URL``, spelled here so that building the parser imports nothing
ENV_URL = "REDLINE_POSTGRES_URL"


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser("db-audit", help="audit a PostgreSQL database (read-only) or a saved snapshot of one")
    p.add_argument(
        "url",
        nargs="?",
        help=f"postgresql://user@host:port/dbname (default: ${ENV_URL} or "
        "[postgres] url; prefer the environment or ~/.pgpass for the password)",
    )
    p.add_argument("--snapshot", type=Path, metavar="FILE", help="re-run the checks on a saved snapshot.json, offline")
    p.add_argument("--out", type=Path, default=Path("redline-report"), help="output directory")
    p.add_argument("--config", type=Path, help="config file (default: redline.toml in the current directory)")
    p.add_argument("--select", action="append", default=[], metavar="CODES", help="only these rules")
    p.add_argument("--ignore", action="append", default=[], metavar="CODES", help="skip these rules")
    p.add_argument("--statement-timeout-ms", type=int, help="statement_timeout of the audit session")
    p.add_argument("--lock-timeout-ms", type=int, help="lock_timeout of the audit session")
    p.add_argument("--fail-on", help="gate severity: info, low, medium, high, critical (default: high)")
    p.add_argument("--exit-zero", action="store_true", help="exit 0 even when the gate fails")
    p.add_argument("-q", "--quiet", action="store_true", help="only errors")
    p.add_argument("-v", "--verbose", action="count", default=0, help="more logging")
    p.set_defaults(func=run)


def _settings(args: argparse.Namespace) -> tuple[PostgresSettings, Config]:
    from redline.core.config import ConfigError, find_config, load_config
    from redline.core.model import Severity
    from redline.pipeline.catalogue import load_catalogue
    from redline.pipeline.database import SettingsError, settings_from

    path = args.config or find_config(Path("."))
    try:
        config = load_config(path, config_sections(load_catalogue(with_plugins=False)))
        if args.fail_on:
            config = config.with_overrides(fail_on=Severity.parse(args.fail_on))
        overrides = {
            k: v
            for k, v in (("statement_timeout_ms", args.statement_timeout_ms), ("lock_timeout_ms", args.lock_timeout_ms))
            if v is not None
        }
        if any(v <= 0 for v in overrides.values()):
            raise UsageError("--statement-timeout-ms and --lock-timeout-ms must be positive")
        return settings_from(config, url=args.url, environ=os.environ, **overrides), config
    except (ConfigError, SettingsError, ValueError) as exc:
        raise UsageError(str(exc)) from None


def run(args: argparse.Namespace) -> int:
    from redline.core.atomic import write_atomic
    from redline.core.config import OutputFormat
    from redline.pipeline.database import ConnectError, SnapshotError, audit_snapshot, to_json
    from redline.report.formats import write_reports

    if args.url and args.snapshot:
        raise UsageError("give a URL or --snapshot, not both")
    settings, config = _settings(args)
    try:
        snap = _snapshot(args, settings)
    except (ConnectError, SnapshotError) as exc:
        sys.stderr.write(f"redline: db-audit: {exc}\n")
        return exit_codes.TOOL_ERROR
    audit = audit_snapshot(snap, config, settings, select=split_codes(args.select), ignore=split_codes(args.ignore))
    written = write_reports(audit.result, args.out, [OutputFormat.JSON])
    snapshot_path = args.out / "snapshot.json"
    write_atomic(snapshot_path, to_json(snap).encode())
    if not args.quiet:
        _summary(audit.result, snap, settings)
        for path in (*written, snapshot_path):
            sys.stdout.write(f"  wrote {path}\n")
    return exit_code(audit.result, exit_zero=args.exit_zero)


def _snapshot(args: argparse.Namespace, settings: PostgresSettings) -> Snapshot:
    from redline.pipeline.database import check_url, read_snapshot, redact_url, snapshot_live

    if args.snapshot is not None:
        return read_snapshot(args.snapshot)
    if not settings.url:
        raise UsageError(f"give a postgresql:// URL, --snapshot FILE, ${ENV_URL} or [postgres] url")

    check_url(settings.url)
    if not args.quiet:
        sys.stderr.write(f"redline: reading {redact_url(settings.url)} (read-only)\n")
    return snapshot_live(settings)


def _summary(result: AuditResult, snap: Snapshot, settings: PostgresSettings) -> None:
    out = sys.stdout
    server = snap.server
    out.write(
        f"redline: {server.address} (PostgreSQL {server.version_num // 10000}), "
        f"{len(snap.tables):,} tables, {len(snap.indexes):,} indexes, {len(snap.statements):,} statements\n"
    )
    top = sorted(snap.statements, key=lambda s: (-s.total_ms, s.queryid))[: settings.top_statements]
    total = snap.database.statements_total_ms or 1.0
    if top:
        out.write(f"  top {len(top)} statements by total time:\n")
        for s in top:
            text = " ".join(s.query.split())[:70]
            out.write(
                f"    {s.total_ms / total:6.1%} {s.total_ms / 1000:9.1f}s {s.calls:>9,} calls "
                f"{s.mean_ms:9.2f} ms  {s.queryid}  {text}\n"
            )
    out.write(f"  {len(result.active)} finding(s)\n")
    for f in result.active:
        out.write(f"  {f.rule} {f.severity}: {f.message}\n")
    for gap in result.skipped:
        out.write(f"  not covered: {gap.reason}\n")
