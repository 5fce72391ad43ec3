"""``redline map PATH [--out DIR]``: the system map — print the inventory as a table, write map.json,
map.mmd and map.dot. Runs the whole audit (the colours need its findings) but writes only the map."""

from __future__ import annotations

import argparse
import logging
from pathlib import Path
from typing import TYPE_CHECKING

from redline.cli import exit_codes
from redline.cli.common import add_scan_options, build_request, execute

if TYPE_CHECKING:
    from redline.core.map_model import SystemMap

log = logging.getLogger("redline")


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser("map", help="the system map: components, flows, trust zones, colours and probes")
    add_scan_options(p, outputs=False)
    p.add_argument(
        "--out",
        type=Path,
        default=Path("redline-report"),
        help="output directory for map.json, map.mmd, map.dot and threats.csv",
    )
    p.set_defaults(func=run)


def inventory_table(m: SystemMap) -> list[str]:
    """The components as aligned text rows, then flows, probes and problems."""
    rows = [("component", "kind", "zone", "colour", "technology", "owners", "findings", "seen at")]
    for c in m.components:
        rows.append(
            (
                c.id,
                str(c.kind),
                str(c.zone),
                str(c.colour),
                c.technology,
                " ".join(c.owners),
                str(len(c.findings)),
                ", ".join(str(s) for s in c.seen[:3]) + (" …" if len(c.seen) > 3 else ""),
            )
        )
    widths = [min(max(len(r[i]) for r in rows), 40) for i in range(len(rows[0]))]
    lines = ["  ".join(cell[:40].ljust(w) for cell, w in zip(row, widths, strict=True)).rstrip() for row in rows]
    lines.append("")
    lines.append(f"{len(m.flows)} flows, {len(m.probes)} probes, {len(m.problems)} problems")
    lines += [f"probe: {p.question} (seen at {', '.join(str(s) for s in p.seen)})" for p in m.probes]
    lines += [f"problem: {p}" for p in m.problems]
    return lines


def run(args: argparse.Namespace) -> int:
    from redline.core.config import OutputFormat
    from redline.core.map_model import SystemMap
    from redline.pipeline.catalogue import load_catalogue
    from redline.report.formats import write_reports

    req = build_request(args, load_catalogue())
    result = execute(req, args)
    m = result.system_map or SystemMap((), ())
    for line in inventory_table(m):
        print(line)
    if result.threats is not None:
        open_threats = [t for t in result.threats.threats if t.status == "open"]
        print(f"{len(result.threats.threats)} threats, {len(open_threats)} open")
        for why in result.threats.rejected:
            log.warning("%s", why)
    for path in write_reports(
        result, args.out, (OutputFormat.MAP_JSON, OutputFormat.MERMAID, OutputFormat.DOT, OutputFormat.THREATS_CSV)
    ):
        if not args.quiet:
            print(f"  wrote {path}")
    for err in result.fatal_errors:
        log.error("%s: %s", err.where, err.reason)
    return exit_codes.TOOL_ERROR if result.fatal_errors else exit_codes.OK
