"""``redline secrets [PATH]``: only the secret rules, over the tree and (``--history``) git history."""

from __future__ import annotations

import argparse
import contextlib
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING

from redline.cli.common import UsageError, add_scan_options, build_request, execute, finish

if TYPE_CHECKING:
    from redline.core.config import Config
    from redline.core.result import AuditResult
    from redline.pipeline.catalogue import Catalogue
    from redline.pipeline.run import AuditRequest

SECRET_CHECKS = "redline.checks.secrets"
SBOM_FORMAT = "cyclonedx"
OVERLAPS = "redline.synthesis.overlaps"


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser("secrets", help="find leaked credentials in the tree and, with --history, in git history")
    add_scan_options(p)
    add_history_options(p)
    p.add_argument("--verify", action="store_true",
                   help="ask each provider whether a found credential still works (sends it to the provider; off "
                   "by default)")
    p.add_argument("--verify-endpoint", action="append", default=[], metavar="PROVIDER=URL",
                   help="base URL of a provider's API for --verify, e.g. github=https://ghe.example.com/api/v3")
    p.add_argument("--verify-timeout", type=float, default=5.0, metavar="SECONDS",
                   help="timeout of each --verify request (default: 5)")
    p.set_defaults(func=run)


def add_history_options(p: argparse.ArgumentParser) -> None:
    """``--history`` and ``--since``: the same flags on every command that scans for secrets."""
    p.add_argument("--history", action="store_true",
                   help="also scan every unique blob reachable from any ref of the git history for secrets")
    p.add_argument("--since", metavar="REV", help="history: only blobs introduced after REV (implies --history)")


def history_options(args: argparse.Namespace) -> dict[str, object]:
    """The pipeline options the history check reads (``history``, ``since``)."""
    return {"history": bool(args.history or args.since), "since": args.since or ""}


def secret_catalogue(catalogue: Catalogue) -> Catalogue:
    """Only the secret checks, and of the synthesis steps only the merge of findings about one secret
    (a map or an SBOM is not what this command is for), so it reports what ``audit`` reports."""
    from redline.synthesis.overlaps import OverlapStep

    checks = [c for c in catalogue.checks if type(c).__module__.startswith(SECRET_CHECKS)]
    return replace(catalogue, checks=checks, steps=[s for s in catalogue.steps if isinstance(s, OverlapStep)])


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
    from redline.checks.interface import CheckError
    from redline.checks.secrets.settings import settings_for

    with contextlib.suppress(CheckError):  # the checks report it, once, with the run's other errors
        settings_for(config, root.resolve()).scanner  # noqa: B018 - the property compiles


def execute_secrets(req: AuditRequest, args: argparse.Namespace) -> AuditResult:
    """Run a request that includes the secret checks: the scanner is compiled (or loaded) before the
    pipeline forks, and with ``--history`` the tree's and the history's finding for one secret become
    one (:func:`merge_history`). ``redline secrets`` and ``redline audit`` both go through here."""
    from redline.checks.secrets.history import merge_history
    from redline.core.model import Finding

    _warm_up(req.config, req.root)
    result = execute(req, args)
    if req.options.get("history"):
        result = replace(result, findings=tuple(sorted(merge_history(result.findings), key=Finding.sort_key)))
    return result


def run(args: argparse.Namespace) -> int:
    from redline.pipeline.catalogue import load_catalogue

    catalogue = secret_catalogue(load_catalogue(families=(SECRET_CHECKS,), steps=(OVERLAPS,)))
    if args.verify_endpoint and not args.verify:
        raise UsageError("--verify-endpoint needs --verify")
    if args.verify_timeout <= 0:
        raise UsageError("--verify-timeout must be positive")
    options: dict[str, object] = {**history_options(args), "verify": args.verify,
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
    return finish(execute_secrets(req, args), args)
