"""``redline routes PATH``: every HTTP entry point with the authentication and authorization guarding it."""

from __future__ import annotations

import argparse
import logging
import sys

from redline.cli import exit_codes
from redline.cli.common import add_scan_options, build_request, execute

log = logging.getLogger("redline")


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser(
        "routes", help="list HTTP entry points (Python, JavaScript/TypeScript, Go, Java frameworks) and their guards"
    )
    add_scan_options(p, outputs=False)
    p.add_argument("--format", choices=("table", "json", "csv"), default="table", help="output (default: table)")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from redline.pipeline.catalogue import load_catalogue
    from redline.pipeline.routes import render_routes, routes_request

    args.quiet = True  # the table is the output; progress would interleave with it
    result = execute(routes_request(build_request(args, load_catalogue())), args)
    for err in result.errors:
        log.log(logging.ERROR if err.fatal else logging.WARNING, "%s: %s", err.where, err.reason)
    for skipped in result.skipped:
        log.warning("not covered: %s: %s", skipped.path, skipped.reason)
    sys.stdout.write(render_routes(result, args.format))
    return exit_codes.TOOL_ERROR if result.fatal_errors else exit_codes.OK
