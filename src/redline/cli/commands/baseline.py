"""``redline baseline FILE [PATH]``: accept today's findings so only new ones gate."""

from __future__ import annotations

import argparse
from pathlib import Path

from redline.cli import exit_codes
from redline.cli.common import add_scan_options, build_request, execute


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser("baseline", help="write a baseline of the current findings")
    p.add_argument("file", type=Path, help="the baseline file to write")
    add_scan_options(p, outputs=False)
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from redline.pipeline.catalogue import load_catalogue
    from redline.store.baseline import write_baseline

    catalogue = load_catalogue()
    result = execute(build_request(args, catalogue), args)
    if result.fatal_errors:
        for err in result.fatal_errors:
            print(f"redline: {err.where}: {err.reason}")
        print("redline: baseline not written: the run had tool errors")
        return exit_codes.TOOL_ERROR
    n = write_baseline(args.file, result.active)
    if not args.quiet:
        print(f"redline: wrote {n} fingerprint(s) to {args.file}")
    return exit_codes.OK
