"""``redline secrets [PATH]``: only the secret rules, over the tree and (``--history``) git history."""

from __future__ import annotations

import argparse
import contextlib
from dataclasses import replace
from pathlib import Path

from redline.checks.interface import CheckError
from redline.checks.secrets.history import merge_history
from redline.checks.secrets.settings import settings_for
from redline.cli.catalogue import Catalogue, load_catalogue
from redline.cli.common import UsageError, add_scan_options, build_request, execute, finish
from redline.core.config import Config
from redline.report.interface import OutputFormat

SECRET_CHECKS = "redline.checks.secrets"
SBOM_FORMAT = OutputFormat.CYCLONEDX.value


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser("secrets", help="find leaked credentials in the tree and, with --history, in git history")
    add_scan_options(p)
    p.add_argument("--history", action="store_true",
                   help="also scan every unique blob reachable from any ref of the git history")
    p.add_argument("--since", metavar="REV", help="history: only blobs introduced after REV (implies --history)")
    p.add_argument("--verify", action="store_true",
                   help="ask each provider whether a found credential still works (sends it to the provider; off "
                   "by default)")
    p.add_argument("--verify-endpoint", action="append", default=[], metavar="PROVIDER=URL",
                   help="base URL of a provider's API for --verify, e.g. github=https://ghe.example.com/api/v3")
    p.add_argument("--verify-timeout", type=float, default=5.0, metavar="SECONDS",
                   help="timeout of each --verify request (default: 5)")
    p.set_defaults(func=run)


def secret_catalogue(catalogue: Catalogue) -> Catalogue:
    """Only the secret checks, and no synthesis steps (a map or an SBOM is not what this command is for)."""
    checks = [c for c in catalogue.checks if type(c).__module__.startswith(SECRET_CHECKS)]
    return replace(catalogue, checks=checks, steps=[])


def _endpoints(values: list[str]) -> dict[str, str]:
    out: dict[str, str] = {}
    for value in values:
        key, sep, url = value.partition("=")
        if not sep or not key.strip() or not url.startswith(("http://", "https://")):
            raise UsageError(f"--verify-endpoint {value!r}: expected PROVIDER=http(s)://host/path")
        out[key.strip().lower()] = url.strip()
    return out


def _warm_up(config: Config, root: Path) -> None:
    """Compile (or load) the scanner before the pipeline forks, so workers inherit it."""
    with contextlib.suppress(CheckError):  # the checks report it, once, with the run's other errors
        settings_for(config, root.resolve()).scanner  # noqa: B018 - the property compiles


def run(args: argparse.Namespace) -> int:
    catalogue = secret_catalogue(load_catalogue())
    history = bool(args.history or args.since)
    if args.verify_endpoint and not args.verify:
        raise UsageError("--verify-endpoint needs --verify")
    if args.verify_timeout <= 0:
        raise UsageError("--verify-timeout must be positive")
    options: dict[str, object] = {"history": history, "since": args.since or "", "verify": args.verify,
                                  "verify_endpoints": _endpoints(args.verify_endpoint),
                                  "verify_timeout": args.verify_timeout}
    req = build_request(args, catalogue, **options)
    section = req.config.section("secrets")
    if args.verify and section.get("verify") is False:
        raise UsageError(f"{req.config.source}: [secrets] verify = false forbids --verify")
    if section.get("include_ignored"):
        req.include_ignored = True
    if not req.select:
        req.select = ("SEC",)
    if not args.formats and SBOM_FORMAT in req.config.formats:  # an empty SBOM is noise here
        req.config = req.config.with_overrides(formats=tuple(f for f in req.config.formats if f != SBOM_FORMAT))
    _warm_up(req.config, req.root)
    result = execute(req, args)
    if history:
        result = replace(result, findings=tuple(merge_history(result.findings)))
    return finish(result, args)
