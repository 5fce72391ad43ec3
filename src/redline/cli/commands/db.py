"""``redline db update`` fetches the vulnerability feeds and builds the local database;
``redline db status`` says what the audit would use."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from redline.cli import exit_codes
from redline.cli.common import UsageError

if TYPE_CHECKING:
    from redline.pipeline.supply_chain import ByteProgress


class RichBytes:
    """A download bar per feed, on stderr, removed when done."""

    def __init__(self) -> None:
        from rich.console import Console
        from rich.progress import BarColumn, DownloadColumn, Progress, TextColumn, TransferSpeedColumn

        self._progress = Progress(
            TextColumn("{task.description:<16}"),
            BarColumn(),
            DownloadColumn(),
            TransferSpeedColumn(),
            console=Console(stderr=True),
            transient=True,
        )
        self._task: object = None
        self._progress.start()

    def start(self, label: str, total: int | None) -> None:
        self._task = self._progress.add_task(label, total=total)

    def advance(self, n: int) -> None:
        if self._task is not None:
            self._progress.advance(self._task, n)  # type: ignore[arg-type]

    def finish(self) -> None:
        if self._task is not None:
            self._progress.remove_task(self._task)  # type: ignore[arg-type]
            self._task = None

    def stop(self) -> None:
        self._progress.stop()


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser("db", help="manage the local vulnerability database (OSV, KEV, EPSS, SPDX)")
    inner = p.add_subparsers(dest="action", required=True)
    up = inner.add_parser("update", help="download the feeds and rebuild the database atomically")
    up.add_argument(
        "--db-dir",
        type=Path,
        help="database directory (default: [supply_chain] db_dir, $REDLINE_DB_DIR or redline/db in the XDG cache)",
    )
    up.add_argument(
        "--mirror",
        metavar="URL_OR_DIR",
        help="fetch from a mirror laid out as osv/<Ecosystem>/all.zip, kev/…, epss/…, spdx/…",
    )
    up.add_argument(
        "--ecosystem",
        action="append",
        dest="ecosystems",
        metavar="NAME",
        help="OSV ecosystem to fetch (repeatable; default: every ecosystem redline reads lockfiles of)",
    )
    up.add_argument("--epss-file", metavar="NAME", help="EPSS file name in the mirror's epss/ (default: the newest)")
    up.add_argument("-q", "--quiet", action="store_true", help="no progress bar, only errors")
    up.add_argument(
        "--eol-only",
        action="store_true",
        help="update only the end-of-life data (endoflife.date products; a mirror holds them as eol/products/*.md)",
    )
    st = inner.add_parser("status", help="show what the audit would read")
    st.add_argument("--db-dir", type=Path, help="database directory")
    for parser in (up, st):
        parser.add_argument(
            "--config",
            type=Path,
            help="config file whose [supply_chain] db_dir and max_db_age_days "
            "apply (default: redline.toml or [tool.redline] in pyproject.toml of the current "
            "directory)",
        )
        parser.add_argument("-v", "--verbose", action="count", default=0, help="more logging")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from redline.core.config import ConfigError
    from redline.pipeline.catalogue import load_catalogue
    from redline.pipeline.supply_chain import database_location

    try:
        db_dir, settings = database_location(args.config, args.db_dir, load_catalogue(with_plugins=False).sections)
    except ConfigError as exc:
        raise UsageError(str(exc)) from None
    if args.action == "status":
        _eol_status(args)
        return _status(db_dir, settings.max_db_age_days)
    if args.eol_only:
        return _update_eol(args)
    vulns = _update_vulns(args, db_dir)
    eol = _update_eol(args, missing_ok=True)
    return vulns if vulns != exit_codes.OK else eol


def _update_vulns(args: argparse.Namespace, db_dir: Path) -> int:
    from redline.pipeline.supply_chain import DEFAULT_ECOSYSTEMS, NoProgress, UpdateError, update_database

    progress: ByteProgress = NoProgress()
    rich_bar = None
    if not args.quiet and sys.stderr.isatty():
        rich_bar = RichBytes()
        progress = rich_bar
    try:
        report = update_database(
            db_dir,
            mirror=args.mirror,
            ecosystems=tuple(args.ecosystems or DEFAULT_ECOSYSTEMS),
            epss_file=args.epss_file,
            progress=progress,
        )
    except UpdateError as exc:
        sys.stderr.write(f"redline: db update failed: {exc}\n")
        return exit_codes.TOOL_ERROR
    finally:
        if rich_bar is not None:
            rich_bar.stop()
    if not args.quiet:
        out = sys.stdout
        out.write(f"redline: vulnerability database built from {report.source} in {report.seconds:.1f}s\n")
        for key, value in sorted(report.counts.items()):
            out.write(f"  {key:<16} {value:>9,}\n")
        for line in report.skipped:
            out.write(f"  not available: {line}\n")
        if report.warnings:
            out.write(f"  {len(report.warnings)} advisory file(s) skipped as unreadable (see -v)\n")
        out.write(f"  wrote {report.path}\n")
    from redline.pipeline.prebuild import prebuild_caches

    for line in prebuild_caches():
        if not args.quiet:
            sys.stdout.write(f"redline: {line}\n")
    return exit_codes.OK


def _update_eol(args: argparse.Namespace, *, missing_ok: bool = False) -> int:
    """The endoflife.date products, from ``--mirror``, ``[eol] mirror`` or upstream; on failure the old stay.
    With ``missing_ok`` a mirror that has no eol/ (a vulnerability-feed mirror) is noted, not an error."""
    from redline.core.config import ConfigError
    from redline.pipeline.catalogue import load_catalogue
    from redline.pipeline.eol import EolMissing, EolUpdateError, eol_location, update_eol

    try:
        folder, configured = eol_location(args.config, args.db_dir, load_catalogue(with_plugins=False).sections)
    except ConfigError as exc:
        raise UsageError(str(exc)) from None
    try:
        report = update_eol(folder, args.mirror or configured)
    except EolMissing as exc:
        if not missing_ok:
            sys.stderr.write(f"redline: end-of-life data update failed: {exc}\n")
            return exit_codes.TOOL_ERROR
        if not args.quiet:
            sys.stdout.write(f"  not available: end-of-life data ({exc})\n")
        return exit_codes.OK
    except EolUpdateError as exc:
        sys.stderr.write(f"redline: end-of-life data update failed: {exc}\n")
        return exit_codes.TOOL_ERROR
    if not args.quiet:
        sys.stdout.write(
            f"redline: end-of-life data: {report.products:,} products from {report.source} "
            f"in {report.seconds:.1f}s\n  wrote {report.folder}\n"
        )
        for line in report.skipped:
            sys.stdout.write(f"  skipped {line}\n")
    return exit_codes.OK


def _eol_status(args: argparse.Namespace) -> None:
    """The end-of-life product files the audit would read: how many, how old, where (never an error)."""
    import time

    from redline.core.config import ConfigError
    from redline.pipeline.catalogue import load_catalogue
    from redline.pipeline.eol import eol_location

    try:
        folder, _mirror = eol_location(args.config, args.db_dir, load_catalogue(with_plugins=False).sections)
    except ConfigError as exc:
        raise UsageError(str(exc)) from None
    products = sorted((folder / "products").glob("*.md")) if (folder / "products").is_dir() else []
    if not products:
        sys.stdout.write(
            f"end-of-life data: missing at {folder / 'products'}: EOL images are not judged; "
            "run `redline db update --eol-only`\n"
        )
        return
    age = (time.time() - max(p.stat().st_mtime for p in products)) / 86400
    sys.stdout.write(f"end-of-life data: {len(products):,} products, {age:.1f} days old, {folder / 'products'}\n")


def _status(db_dir: Path, max_age: int) -> int:
    """Each ecosystem an audit can check, with its advisory count and age, and the ones it cannot."""
    from redline.pipeline.supply_chain import DB_FILENAME, DEFAULT_ECOSYSTEMS, AdvisoryDatabase, DatabaseError

    try:
        db = AdvisoryDatabase(db_dir / DB_FILENAME)
    except DatabaseError as exc:
        sys.stderr.write(f"redline: {exc}\n")
        sys.stdout.write(
            f"no usable vulnerability database: every ecosystem is missing ({', '.join(DEFAULT_ECOSYSTEMS)})\n"
        )
        return exit_codes.TOOL_ERROR
    info = db.info()
    db.close()
    age = info.age_days()
    out = sys.stdout
    out.write(f"{info.path}\n  built {info.built_at} ({age:.1f} days ago) from {info.source}\n")
    out.write(f"  {'ecosystem':<12} {'advisories':>10}  age\n")
    ecosystems = [
        *DEFAULT_ECOSYSTEMS,
        *sorted(
            k.removeprefix("osv_")
            for k in info.counts
            if k.startswith("osv_") and k.removeprefix("osv_") not in DEFAULT_ECOSYSTEMS
        ),
    ]
    missing = []
    for eco in ecosystems:
        count = info.counts.get(f"osv_{eco}")
        if count is None:
            missing.append(eco)
            out.write(f"  {eco:<12} {'missing':>10}  not checked: manifests of it are listed as not covered\n")
        else:
            out.write(f"  {eco:<12} {count:>10,}  {age:.1f} days\n")
    for key in ("kev", "epss", "spdx"):
        if key in info.counts:
            out.write(f"  {key:<12} {info.counts[key]:>10,}  {age:.1f} days\n")
        else:
            out.write(f"  {key:<12} {'missing':>10}\n")
    if missing:
        out.write(f"  {len(missing)} ecosystem(s) missing: run `redline db update` (with --ecosystem …) to add them\n")
    if age > max_age:
        out.write(f"  older than {max_age} days: run `redline db update`\n")
    return exit_codes.OK
