"""``redline sbom PATH``: write the CycloneDX 1.6 SBOM (components, licences, dependency graph,
known vulnerabilities) without the rest of the audit; optionally gate on exploited vulnerabilities."""

from __future__ import annotations

import argparse
import json
import logging
import sys
from dataclasses import replace
from pathlib import Path
from typing import Any

from redline.checks.supply_chain.vulns import EXPLOITED, LIKELY_EXPLOITED
from redline.cli import exit_codes
from redline.cli.catalogue import load_catalogue
from redline.cli.common import UsageError, add_scan_options, build_request, execute
from redline.core.atomic import write_atomic
from redline.pipeline.run import AuditRequest
from redline.report.cyclonedx import empty_bom

log = logging.getLogger("redline")
SELECT = ("VUL", "LIC", "DEP")


def add_supply_chain_options(p: argparse.ArgumentParser, *, kev_help: str, epss_help: str) -> None:
    """``--db-dir``, ``--fail-on-kev`` and ``--epss-threshold``, shared with ``redline audit``."""
    p.add_argument("--db-dir", help="vulnerability database directory (default: [supply_chain] db_dir, "
                                    "$REDLINE_DB_DIR or the XDG cache)")
    p.add_argument("--fail-on-kev", action="store_true", help=f"{kev_help} ([supply_chain] fail_on_kev)")
    p.add_argument("--epss-threshold", type=float, metavar="P", help=f"{epss_help} ([supply_chain] epss_threshold)")


def with_supply_chain_options(req: AuditRequest, args: argparse.Namespace) -> AuditRequest:
    """The request with ``[supply_chain]`` overridden by the command-line options."""
    if args.epss_threshold is not None and not 0 <= args.epss_threshold <= 1:
        raise UsageError("--epss-threshold must be within 0..1")
    section = dict(req.config.section("supply_chain"))
    if args.db_dir:
        section["db_dir"] = str(Path(args.db_dir).resolve())
    if args.epss_threshold is not None:
        section["epss_threshold"] = args.epss_threshold
    if args.fail_on_kev:
        section["fail_on_kev"] = True
    return replace(req, config=req.config.with_overrides(sections={**req.config.sections, "supply_chain": section}))


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser("sbom", help="write a CycloneDX 1.6 SBOM with licences and known vulnerabilities")
    add_scan_options(p, outputs=False)
    p.add_argument("--out", type=Path, default=Path("sbom.cdx.json"), help="output file ('-' for stdout)")
    add_supply_chain_options(
        p, kev_help="exit 1 when a dependency has a vulnerability in CISA's KEV catalog",
        epss_help="exit 1 when a vulnerability's EPSS probability is at least P (0..1)")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    catalogue = load_catalogue()
    req = with_supply_chain_options(build_request(args, catalogue), args)
    req = replace(req, config=req.config.with_overrides(formats=("cyclonedx",)),
                  select=SELECT if not req.select else req.select,
                  steps=[s for s in req.steps if s.name == "sbom"])
    result = execute(req, args)
    doc: dict[str, Any] = result.extras.get("sbom") or empty_bom()
    data = (json.dumps(doc, indent=2, ensure_ascii=False) + "\n").encode()
    for err in result.errors:
        log.log(logging.ERROR if err.fatal else logging.WARNING, "%s: %s", err.where, err.reason)
    if result.fatal_errors:
        return exit_codes.TOOL_ERROR
    if str(args.out) == "-":
        sys.stdout.buffer.write(data)
    else:
        write_atomic(args.out, data)
        if not args.quiet:
            vulns = len(doc.get("vulnerabilities", []))
            sys.stdout.write(f"redline: wrote {args.out} ({len(doc.get('components', []))} components, "
                             f"{vulns} vulnerabilities)\n")
    gating = [f for f in result.active
              if (args.fail_on_kev and f.rule == EXPLOITED.code)
              or (args.epss_threshold is not None and f.rule in (EXPLOITED.code, LIKELY_EXPLOITED.code)
                  and _epss(f) >= args.epss_threshold)]
    if gating:
        sys.stderr.write(f"redline: gate failed: {len(gating)} exploited or likely exploited vulnerabilities\n")
        return exit_codes.GATE_FAILED
    return exit_codes.OK


def _epss(finding: object) -> float:
    """The highest EPSS probability among the finding's advisories (one ``epss`` entry each)."""
    best = 0.0
    for key, value in getattr(finding, "evidence", ()):
        if key == "epss":
            try:
                best = max(best, float(value.split("probability ")[1].split(",")[0]))
            except (IndexError, ValueError):
                continue
    return best
