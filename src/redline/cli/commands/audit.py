"""``redline audit [PATH]``: the whole audit."""

from __future__ import annotations

import argparse

from redline.cli.catalogue import load_catalogue
from redline.cli.common import add_scan_options, build_request, execute, finish


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser("audit", help="audit a tree: every check, every output")
    add_scan_options(p)
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    catalogue = load_catalogue()
    result = execute(build_request(args, catalogue), args)
    return finish(result, args)
