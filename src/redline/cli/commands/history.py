"""``redline history``: the recorded runs, open items with ages and SLA breaches, MTTR, trends and
forecasts; ``redline history export`` writes them as CSV. Also the recording flags of ``audit``."""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path
from typing import TYPE_CHECKING, TextIO

from redline.cli import exit_codes
from redline.cli.common import UsageError, config_sections, log, split_codes

if TYPE_CHECKING:
    from redline.core.result import AuditResult
    from redline.pipeline.run import AuditRequest
    from redline.store.query import Derived, RunRow
    from redline.store.settings import HistorySettings


def add_record_options(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--record",
        action=argparse.BooleanOptionalAction,
        default=None,
        help="record this run in the history store (default: when a store is configured)",
    )
    p.add_argument(
        "--store",
        metavar="URL",
        help="history store: a SQLAlchemy URL (postgresql://…) or a SQLite "
        "file (default: [history] store, else .redline/history.db); implies --record",
    )


def with_history(req: AuditRequest, args: argparse.Namespace) -> AuditRequest:
    """When this run is recorded, give scoring what the store knows (ages, SLA nearness) and fix the run's
    time; a store that cannot be read is an error before the run."""
    from redline.store.settings import HISTORY_SECTION, wants_recording

    settings = req.config.settings(HISTORY_SECTION)
    if not wants_recording(settings, record=args.record, store=args.store):
        return req
    from redline.store.engine import StoreError
    from redline.store.session import prior_view, scope_of, store_spec

    now = int(time.time())
    scope = scope_of(req.root, split_codes(args.select), split_codes(args.ignore))
    try:
        view = prior_view(req.config, req.root, store_spec(settings, args.store), scope, now)
    except StoreError as exc:
        raise UsageError(str(exc)) from None
    req.options["history_now"] = now
    if view is not None:
        req.options["history_view"] = view
    return req


def with_digest(result: AuditResult, args: argparse.Namespace, req: AuditRequest) -> AuditResult:
    """``result`` with what the history store says (trends, MTTR, late criticals) for the report, when this
    run was recorded; unchanged (after saying why) when the store cannot be read back."""
    if "history_now" not in req.options:  # not recorded: the store (and SQLAlchemy) is never imported
        return result
    from dataclasses import replace

    from redline.store.digest import digest_from
    from redline.store.engine import StoreError
    from redline.store.session import scope_of, store_spec
    from redline.store.settings import HISTORY_SECTION

    settings = result.config.settings(HISTORY_SECTION)
    scope = scope_of(Path(result.root), split_codes(args.select), split_codes(args.ignore))
    try:
        spec = store_spec(settings, args.store)
        digest = digest_from(spec, Path(result.root), scope, req.options["history_now"], settings)
    except StoreError as exc:
        log.error("%s: the report shows no history", exc)
        return result
    return replace(result, history=digest)


def record_if_asked(result: AuditResult, args: argparse.Namespace, req: AuditRequest) -> bool:
    """Record ``result`` when asked; False (after saying why) when recording failed."""
    if "history_now" not in req.options:
        return True
    from redline.report.scorecard import measured_success
    from redline.store.engine import StoreError
    from redline.store.session import record_result, scope_of, store_spec
    from redline.store.settings import HISTORY_SECTION

    settings = result.config.settings(HISTORY_SECTION)
    scope = scope_of(Path(result.root), split_codes(args.select), split_codes(args.ignore))
    spec = store_spec(settings, args.store)
    try:
        run_id, name = record_result(result, spec, scope, req.options["history_now"], measured_success(result))
    except StoreError as exc:
        log.error("%s", exc)
        return False
    if not args.quiet:
        print(f"redline: recorded run {run_id} in {name}")
    return True


def _common(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--store", metavar="URL", help="history store (default: [history] store, else .redline/history.db under --root)"
    )
    p.add_argument("--root", type=Path, default=Path("."), help="the audited tree whose history to read (default: .)")
    p.add_argument("--config", type=Path, help="configuration file (default: redline.toml or pyproject.toml in --root)")


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser("history", help="recorded runs: trends, ages, SLA breaches, MTTR, forecasts")
    _common(p)
    p.set_defaults(func=run, verbose=0, quiet=False)
    hsub = p.add_subparsers(dest="history_command")
    e = hsub.add_parser("export", help="write the history as CSV")
    _common(e)
    e.add_argument("--items", action="store_true", help="one row per root-cause item instead of per run")
    e.add_argument("-o", "--output", type=Path, help="the CSV file to write (default: standard output)")
    e.set_defaults(func=run_export)


def _settings(args: argparse.Namespace) -> HistorySettings:
    from redline.core.config import ConfigError, find_config, load_config
    from redline.pipeline.catalogue import load_catalogue
    from redline.store.settings import HISTORY_SECTION

    if not args.root.is_dir():
        raise UsageError(f"{args.root}: not a directory")
    try:
        config = load_config(args.config or find_config(args.root), config_sections(load_catalogue()))
    except (ConfigError, ValueError) as exc:
        raise UsageError(str(exc)) from None
    return config.settings(HISTORY_SECTION)


def _open(args: argparse.Namespace, settings: HistorySettings):  # type: ignore[no-untyped-def]
    from redline.store.engine import StoreError, open_store
    from redline.store.session import store_spec

    spec = store_spec(settings, args.store)
    if not args.store and "://" not in spec and not (args.root / spec).exists():
        raise UsageError(f"no history at {args.root / spec} (record one with: redline audit --record)")
    try:
        return open_store(spec, args.root)
    except StoreError as exc:
        raise UsageError(str(exc)) from None


def _when(at: int) -> str:
    return time.strftime("%Y-%m-%d %H:%M", time.gmtime(at))


def run(args: argparse.Namespace) -> int:
    from redline.store.query import derive, list_runs, scopes

    settings = _settings(args)
    engine = _open(args, settings)
    now = int(time.time())
    for scope in scopes(engine):
        _print_scope(scope, list_runs(engine, scope), derive(engine, scope, now, settings), settings, sys.stdout)
    engine.dispose()
    return exit_codes.OK


def _print_scope(scope: str, runs: list[RunRow], d: Derived, settings: HistorySettings, out: TextIO) -> None:
    out.write(f"{scope}: {len(runs)} run(s)\n")
    out.write(
        f"  {'run':>5}  {'when (UTC)':16}  {'branch':20}  {'items':>6}  {'findings':>8}  {'open':>5}  "
        f"{'SLA breaches':>12}\n"
    )
    for r in runs[-20:]:
        m = r.counts.get("metric", {})
        out.write(
            f"  {r.id:>5}  {_when(r.at):16}  {r.branch[:20]:20}  {r.items:>6}  {r.findings:>8}  "
            f"{m.get('open_total', 0):>5}  {m.get('sla_breaches', 0):>12}{'' if r.full else '  (partial)'}\n"
        )
    out.write(f"  open items: {len(d.open_items)}; SLA breaches: {len(d.breaches)}\n")
    for item in d.breaches[:20]:
        out.write(
            f"    {item.severity} {item.rule} open {item.as_open().age_days(d.now):.1f} days "
            f"(SLA {settings.sla_for(item.severity)}): {item.path} {item.message[:80]}\n"
        )
    for mt in d.mttr.values():
        out.write(f"  MTTR {mt.severity}: {mt.mean_days:.1f} days over {mt.resolved} resolved\n")
    for area, series in sorted(d.trend.items()):
        out.write(f"  trend {area}: {' → '.join(str(v) for _, v in series[-8:])}\n")
    for f in d.forecasts:
        out.write(f"  forecast: {f.sentence()}\n")
    from redline.store.success import success_criteria

    for c in success_criteria(d, runs):
        out.write(f"  success: {c.name}: {c.status} ({c.detail})\n")


def run_export(args: argparse.Namespace) -> int:
    from redline.store.export import write_items_csv, write_runs_csv

    settings = _settings(args)
    engine = _open(args, settings)
    write = write_items_csv if args.items else write_runs_csv
    if args.output is None:
        write(engine, sys.stdout, int(time.time()), settings)
    else:
        with args.output.open("w", encoding="utf-8", newline="") as fh:
            write(engine, fh, int(time.time()), settings)
    engine.dispose()
    return exit_codes.OK
