"""``redline audit [PATH]``: the whole audit."""

from __future__ import annotations

import argparse
from dataclasses import replace
from pathlib import Path

from redline.cli.catalogue import load_catalogue
from redline.cli.commands.sbom import add_supply_chain_options, with_supply_chain_options
from redline.cli.commands.secrets import add_history_options, history_options
from redline.cli.common import add_scan_options, build_request, execute, finish
from redline.pipeline.traces import with_trace_paths


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser("audit", help="audit a tree: every check, every output")
    add_scan_options(p)
    add_history_options(p)
    add_supply_chain_options(
        p, kev_help="rate KEV-listed vulnerabilities critical in development dependencies too, so the gate "
                    "fails on every one",
        epss_help="report vulnerabilities with an EPSS probability of at least P (0..1) as likely exploited "
                  "(VUL103, at least high in runtime dependencies)")
    p.add_argument("--traces", type=Path, nargs="+", default=[], metavar="PATH",
                   help="trace exports (OTLP JSON, Jaeger, Zipkin) to measure with the audit")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    catalogue = load_catalogue()
    req = with_supply_chain_options(build_request(args, catalogue, **history_options(args)), args)
    if args.traces:
        req = replace(req, config=with_trace_paths(req.config, args.traces))
    return finish(execute(req, args), args)
