"""``redline secrets [PATH]``: only the secret rules, over the tree and (``--history``) git history."""

from __future__ import annotations

import argparse
import os
from pathlib import Path

from redline.cli.common import UsageError, add_scan_options, build_request, execute, finish

#: the family and the one synthesis step ``redline secrets`` loads (nothing else is imported)
SECRET_CHECKS = "redline.checks.secrets"
OVERLAPS = "redline.synthesis.overlaps"


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser("secrets", help="find leaked credentials in the tree and, with --history, in git history")
    add_scan_options(p)
    add_history_options(p)
    p.add_argument(
        "--files",
        nargs="*",
        metavar="FILE",
        help="scan only these files (relative to the current directory), not the whole tree: what a pre-commit "
        "hook passes (the staged files)",
    )
    p.add_argument(
        "--verify",
        action="store_true",
        help="ask each provider whether a found credential still works (sends it to the provider; off by default)",
    )
    p.add_argument(
        "--verify-endpoint",
        action="append",
        default=[],
        metavar="PROVIDER=URL",
        help="base URL of a provider's API for --verify, e.g. github=https://ghe.example.com/api/v3",
    )
    p.add_argument(
        "--verify-timeout",
        type=float,
        default=5.0,
        metavar="SECONDS",
        help="timeout of each --verify request (default: 5)",
    )
    p.set_defaults(func=run)


def add_history_options(p: argparse.ArgumentParser) -> None:
    """``--history`` and ``--since``: the same flags on every command that scans for secrets."""
    p.add_argument(
        "--history",
        action="store_true",
        help="also scan every unique blob reachable from any ref of the git history for secrets",
    )
    p.add_argument("--since", metavar="REV", help="history: only blobs introduced after REV (implies --history)")


def history_options(args: argparse.Namespace) -> dict[str, object]:
    """The pipeline options the history check reads (``history``, ``since``)."""
    return {"history": bool(args.history or args.since), "since": args.since or ""}


def _endpoints(values: list[str]) -> dict[str, str]:
    out: dict[str, str] = {}
    for value in values:
        key, sep, url = value.partition("=")
        if not sep or not key.strip() or not url.startswith(("http://", "https://")):
            raise UsageError(f"--verify-endpoint {value!r}: expected PROVIDER=http(s)://host/path")
        out[key.strip().lower()] = url.strip()
    return out


def run(args: argparse.Namespace) -> int:
    from redline.core.config import ConfigError
    from redline.pipeline.catalogue import load_catalogue
    from redline.pipeline.secrets import secrets_request

    catalogue = load_catalogue(families=(SECRET_CHECKS,), steps=(OVERLAPS,))
    if args.verify_endpoint and not args.verify:
        raise UsageError("--verify-endpoint needs --verify")
    if args.verify_timeout <= 0:
        raise UsageError("--verify-timeout must be positive")
    options: dict[str, object] = {
        **history_options(args),
        "verify": args.verify,
        "verify_endpoints": _endpoints(args.verify_endpoint),
        "verify_timeout": args.verify_timeout,
    }
    try:
        req = secrets_request(
            build_request(args, catalogue, **options), verify=args.verify, formats_given=bool(args.formats)
        )
    except ConfigError as exc:
        raise UsageError(str(exc)) from None
    if args.files is not None:
        req.only = _relative(args.files, req.root)
    return finish(execute(req, args), args)


def _relative(files: list[str], root: Path) -> tuple[str, ...]:
    """``--files`` (relative to the current directory, as git and pre-commit give them) relative to the root;
    a file outside the root keeps its absolute path (and is reported as not covered)."""
    base = root.resolve()
    out = []
    for name in files:
        path = Path(os.path.normpath(Path.cwd() / name))
        try:
            out.append(path.relative_to(base).as_posix())
        except ValueError:
            out.append(str(path))
    return tuple(out)
