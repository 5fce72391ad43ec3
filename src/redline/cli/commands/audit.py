"""``redline audit [PATH]``: the whole audit."""

from __future__ import annotations

import argparse
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING

from redline.cli import exit_codes
from redline.cli.commands.history import add_record_options, record_if_asked, with_digest, with_history
from redline.cli.commands.sbom import add_supply_chain_options, with_supply_chain_options
from redline.cli.commands.secrets import add_history_options, history_options
from redline.cli.common import UsageError, add_scan_options, build_request, execute, finish, reports_ahead

if TYPE_CHECKING:
    pass


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser("audit", help="audit a tree: every check, every output")
    add_scan_options(p)
    add_history_options(p)
    add_supply_chain_options(
        p,
        kev_help="rate KEV-listed vulnerabilities critical in development dependencies too, so the gate "
        "fails on every one",
        epss_help="report vulnerabilities with an EPSS probability of at least P (0..1) as likely exploited "
        "(VUL103, at least high in runtime dependencies)",
    )
    p.add_argument(
        "--postgres",
        metavar="URL",
        help="also audit this PostgreSQL database, read-only (default: $REDLINE_POSTGRES_URL or [postgres] url)",
    )
    p.add_argument(
        "--cost",
        action="append",
        default=[],
        type=Path,
        metavar="EXPORT",
        help="also judge billing exports (FOCUS, AWS CUR 2.0, Azure; file or folder; repeatable)",
    )
    p.add_argument(
        "--cost-requests",
        action="append",
        default=[],
        metavar="[SERVICE=]FILE",
        help="request volume for --cost (see redline cost --help)",
    )
    p.add_argument(
        "--traces",
        type=Path,
        nargs="+",
        default=[],
        metavar="PATH",
        help="trace exports (OTLP JSON, Jaeger, Zipkin) to measure with the audit",
    )
    add_record_options(p)
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from redline.pipeline.catalogue import load_catalogue

    catalogue = load_catalogue()
    req = with_supply_chain_options(build_request(args, catalogue, **history_options(args)), args)
    if args.postgres:
        from redline.pipeline.database import ConnectError, with_postgres

        try:
            req = with_postgres(req, args.postgres)
        except ConnectError as exc:
            raise UsageError(f"--postgres: {exc}") from None
    if args.cost:
        from redline.pipeline.cost import with_cost

        req = with_cost(req, args.cost, args.cost_requests, args.traces or [])  # requests from traces too
    if args.traces:
        from redline.pipeline.traces import with_trace_paths

        req = replace(req, config=with_trace_paths(req.config, args.traces))
    req = reports_ahead(with_history(req, args))
    result = execute(req, args)
    recorded = record_if_asked(result, args, req)
    if recorded:
        result = with_digest(result, args, req)
    code = finish(result, args)  # the reports, with plan.md and (with --cost) cost.json in the same set
    return code if recorded else max(code, exit_codes.TOOL_ERROR)
