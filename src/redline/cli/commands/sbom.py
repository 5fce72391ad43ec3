"""``redline sbom PATH``: write the CycloneDX 1.6 SBOM (components, licences, dependency graph,
known vulnerabilities) without the rest of the audit; optionally gate on exploited vulnerabilities."""

from __future__ import annotations

import argparse
import logging
import sys
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING

from redline.cli import exit_codes
from redline.cli.common import UsageError, add_scan_options, build_request, execute

if TYPE_CHECKING:
    from redline.pipeline.run import AuditRequest

log = logging.getLogger("redline")


def add_supply_chain_options(p: argparse.ArgumentParser, *, kev_help: str, epss_help: str) -> None:
    """``--db-dir``, ``--fail-on-kev`` and ``--epss-threshold``, shared with ``redline audit``."""
    p.add_argument(
        "--db-dir",
        help="vulnerability database directory (default: [supply_chain] db_dir, $REDLINE_DB_DIR or the XDG cache)",
    )
    p.add_argument("--fail-on-kev", action="store_true", help=f"{kev_help} ([supply_chain] fail_on_kev)")
    p.add_argument("--epss-threshold", type=float, metavar="P", help=f"{epss_help} ([supply_chain] epss_threshold)")


def with_supply_chain_options(req: AuditRequest, args: argparse.Namespace) -> AuditRequest:
    """The request with ``[supply_chain]`` overridden by the command-line options."""
    from redline.core.config import ConfigError
    from redline.pipeline.supply_chain import with_supply_chain_overrides

    try:
        config = with_supply_chain_overrides(
            req.config, db_dir=args.db_dir, epss_threshold=args.epss_threshold, fail_on_kev=args.fail_on_kev
        )
    except ConfigError as exc:
        raise UsageError(str(exc)) from None
    return replace(req, config=config)


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser("sbom", help="write a CycloneDX 1.6 SBOM with licences and known vulnerabilities")
    add_scan_options(p, outputs=False)
    p.add_argument("--out", type=Path, default=Path("sbom.cdx.json"), help="output file ('-' for stdout)")
    add_supply_chain_options(
        p,
        kev_help="exit 1 when a dependency has a vulnerability in CISA's KEV catalog",
        epss_help="exit 1 when a vulnerability's EPSS probability is at least P (0..1)",
    )
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from redline.core.atomic import write_atomic
    from redline.pipeline.catalogue import load_catalogue
    from redline.pipeline.supply_chain import exploitation_gate, sbom_request
    from redline.report.cyclonedx import CycloneDxReporter

    catalogue = load_catalogue()
    req = with_supply_chain_options(build_request(args, catalogue), args)
    result = execute(sbom_request(req), args)
    data = CycloneDxReporter().render(result)
    for err in result.errors:
        log.log(logging.ERROR if err.fatal else logging.WARNING, "%s: %s", err.where, err.reason)
    if result.fatal_errors:
        return exit_codes.TOOL_ERROR
    if str(args.out) == "-":
        sys.stdout.buffer.write(data)
    else:
        write_atomic(args.out, data)
        if not args.quiet:
            doc = result.sbom or {}
            sys.stdout.write(
                f"redline: wrote {args.out} ({len(doc.get('components', []))} components, "
                f"{len(doc.get('vulnerabilities', []))} vulnerabilities)\n"
            )
    gating = exploitation_gate(result, fail_on_kev=args.fail_on_kev, epss_threshold=args.epss_threshold)
    if gating:
        sys.stderr.write(f"redline: gate failed: {len(gating)} exploited or likely exploited vulnerabilities\n")
        return exit_codes.GATE_FAILED
    return exit_codes.OK
