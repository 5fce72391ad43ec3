"""The ``redline`` entry point."""

from __future__ import annotations

import argparse
import atexit
import importlib
import logging
import os
import sys
from collections.abc import Sequence
from typing import NoReturn

from redline import __version__
from redline.cli import exit_codes
from redline.cli.common import UsageError
from redline.pipeline.errors import WorkerDied
from redline.pipeline.lifetime import leaving_soon

#: command name -> its module under ``redline.cli.commands``, in the order ``--help`` lists them. A run imports
#: and registers only the command it names: every command's module and options cost ~30 ms of each start-up.
COMMANDS = {
    "audit": "audit",
    "rules": "rules",
    "baseline": "baseline",
    "secrets": "secrets",
    "db": "db",
    "sbom": "sbom",
    "db-audit": "db_audit",
    "cost": "cost",
    "traces": "traces",
    "capacity": "capacity",
    "map": "map",
    "routes": "routes",
    "history": "history",
    "gate": "gate",
    "init": "init",
}
log = logging.getLogger("redline")


def build_parser(only: Sequence[str] | None = None) -> argparse.ArgumentParser:
    """The parser with every command, or with only the commands named in ``only``."""
    parser = argparse.ArgumentParser(prog="redline", description="Audit a system for performance, security and scale.")
    parser.add_argument("--version", action="version", version=f"redline {__version__}")
    sub = parser.add_subparsers(dest="command", required=True)
    for name, module in COMMANDS.items():
        if only is None or name in only:
            importlib.import_module(f"redline.cli.commands.{module}").register(sub)
    return parser


def _commands_needed(argv: Sequence[str]) -> Sequence[str] | None:
    """The command ``argv`` runs (none for a lone ``--version``); ``None`` (all) for help and bad usage,
    whose messages list every command."""
    if list(argv) == ["--version"]:
        return ()
    return argv[:1] if argv and argv[0] in COMMANDS else None


def _configure_logging(verbose: int, quiet: bool) -> None:
    level = logging.ERROR if quiet else (logging.WARNING, logging.INFO, logging.DEBUG)[min(verbose, 2)]
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("redline: %(levelname)s: %(message)s"))
    log.handlers[:] = [handler]
    log.setLevel(level)
    log.propagate = False


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser(_commands_needed(sys.argv[1:] if argv is None else argv))
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


def console() -> NoReturn:
    """The ``redline`` console script: ``main``, then leave without freeing what the run built.

    An audit's facts are millions of small objects; freeing them and then tearing down every module costs
    serial time after the reports are written. As a normal exit would, the ``atexit`` handlers run first
    (``logging.shutdown``, temporary directories, multiprocessing), then the outputs are flushed (what a
    handler printed included), then ``os._exit``. In-process callers (tests) use ``main`` and keep the
    ordinary exit."""
    leaving_soon()
    code = main()
    atexit._run_exitfuncs()  # logging registers its own ``shutdown`` here
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except (OSError, ValueError):  # a closed pipe (``| head``): nothing more can be said there
            code = 120  # what the interpreter exits with when its own final flush fails
    os._exit(code)
