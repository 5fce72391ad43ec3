"""The ``redline`` entry point."""

from __future__ import annotations

import argparse
import logging
import sys
from collections.abc import Sequence

from redline import __version__
from redline.cli import exit_codes
from redline.cli.commands import (
    audit,
    baseline,
    capacity,
    cost,
    db,
    db_audit,
    gate,
    history,
    init,
    routes,
    rules,
    sbom,
    secrets,
    traces,
)
from redline.cli.commands import map as map_command
from redline.cli.common import UsageError
from redline.pipeline.errors import WorkerDied

COMMANDS = (
    audit,
    rules,
    baseline,
    secrets,
    db,
    sbom,
    db_audit,
    cost,
    traces,
    capacity,
    map_command,
    routes,
    history,
    gate,
    init,
)
log = logging.getLogger("redline")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="redline", description="Audit a system for performance, security and scale.")
    parser.add_argument("--version", action="version", version=f"redline {__version__}")
    sub = parser.add_subparsers(dest="command", required=True)
    for command in COMMANDS:
        command.register(sub)
    return parser


def _configure_logging(verbose: int, quiet: bool) -> None:
    level = logging.ERROR if quiet else (logging.WARNING, logging.INFO, logging.DEBUG)[min(verbose, 2)]
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("redline: %(levelname)s: %(message)s"))
    log.handlers[:] = [handler]
    log.setLevel(level)
    log.propagate = False


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:  # argparse exits 2 on bad usage, 0 on --help
        return int(exc.code or 0)
    _configure_logging(getattr(args, "verbose", 0), getattr(args, "quiet", False))
    try:
        return int(args.func(args))
    except UsageError as exc:
        sys.stderr.write(f"redline: error: {exc}\n")
        return exit_codes.TOOL_ERROR
    except WorkerDied as exc:  # killed from outside (OOM killer, kill -9): say so, not a traceback
        sys.stderr.write(f"redline: error: {exc}; no output written\n")
        return exit_codes.TOOL_ERROR
    except Exception as exc:  # a bug in redline: say so, exit 2, keep the traceback for -v
        if _caused_by_interrupt(exc):  # Ctrl-C inside an import: Python wraps it (e.g. in __set_name__)
            sys.stderr.write("redline: interrupted; no output written\n")
        else:
            log.exception("internal error; no output written")
        return exit_codes.TOOL_ERROR
    except KeyboardInterrupt:
        sys.stderr.write("redline: interrupted; no output written\n")
        return exit_codes.TOOL_ERROR


def _caused_by_interrupt(exc: BaseException) -> bool:
    """Whether a KeyboardInterrupt stands anywhere in the chain of causes (commands import their work
    lazily, and the import machinery re-raises an interrupt as another exception)."""
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        if isinstance(current, KeyboardInterrupt):
            return True
        seen.add(id(current))
        current = current.__cause__ or current.__context__
    return False
