"""``redline audit [PATH]``: the whole audit."""

from __future__ import annotations

import argparse
from pathlib import Path

from redline.cli.catalogue import load_catalogue
from redline.cli.commands.sbom import add_supply_chain_options, with_supply_chain_options
from redline.cli.commands.secrets import add_history_options, execute_secrets, history_options
from redline.cli.common import add_scan_options, build_request, finish
from redline.core.atomic import write_atomic
from redline.report.cost_json import render_cost_json
from redline.sources.cost.dataset import CostExportSource


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser("audit", help="audit a tree: every check, every output")
    add_scan_options(p)
    add_history_options(p)
    add_supply_chain_options(
        p, kev_help="rate KEV-listed vulnerabilities critical in development dependencies too, so the gate "
                    "fails on every one",
        epss_help="report vulnerabilities with an EPSS probability of at least P (0..1) as likely exploited "
                  "(VUL103, at least high in runtime dependencies)")
    p.add_argument("--cost", action="append", default=[], type=Path, metavar="EXPORT",
                   help="also judge billing exports (FOCUS, AWS CUR 2.0, Azure; file or folder; repeatable)")
    p.add_argument("--cost-requests", action="append", default=[], metavar="[SERVICE=]FILE",
                   help="request volume for --cost (see redline cost --help)")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    catalogue = load_catalogue()
    req = with_supply_chain_options(build_request(args, catalogue, **history_options(args)), args)
    if args.cost:
        req.project_sources.append(CostExportSource(args.cost, args.cost_requests))
    result = execute_secrets(req, args)
    if "cost" in result.extras:  # --cost: the cost summary beside the reports
        write_atomic(args.out / "cost.json", render_cost_json(result.extras["cost"]))
    return finish(result, args)
