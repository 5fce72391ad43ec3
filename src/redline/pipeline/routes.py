"""The ``routes`` run: only what builds the entry points (code index, entry points, the route table
step), with the route rules selected so the plan reads the code; and the table's plain rows."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Mapping
from dataclasses import replace
from typing import Any

from redline.checks.code.routes import RouteAuthenticationCheck
from redline.checks.interface import Check
from redline.core.result import AuditResult
from redline.pipeline.run import AuditRequest
from redline.synthesis.routes import RouteTableStep

COLUMNS = ("methods", "path", "handler", "authenticated", "authorized", "file", "line", "framework")


def routes_request(req: AuditRequest) -> AuditRequest:
    checks: list[Check] = [c for c in req.checks if isinstance(c, RouteAuthenticationCheck)]
    return replace(
        req,
        checks=checks,
        steps=[s for s in req.steps if isinstance(s, RouteTableStep)],
        select=tuple(r.code for c in checks for r in c.rules),
    )


def _cell(route: Mapping[str, Any], column: str) -> str:
    value = route[column]
    return ",".join(value) if isinstance(value, list) else str(value)


def render_routes(result: AuditResult, fmt: str) -> str:
    """The route table as ``table`` (aligned text), ``json`` or ``csv``."""
    routes = result.routes.as_list() if result.routes is not None else []
    if fmt == "json":
        return json.dumps({"routes": routes}, indent=2) + "\n"
    rows = [[_cell(r, c) for c in COLUMNS] for r in routes]
    if fmt == "csv":
        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(COLUMNS)
        writer.writerows(rows)
        return out.getvalue()
    widths = [max([len(c), *(len(row[i]) for row in rows)]) for i, c in enumerate(COLUMNS)]
    lines = ["  ".join(c.upper().ljust(w) for c, w in zip(COLUMNS, widths, strict=True)).rstrip()]
    lines += ["  ".join(v.ljust(w) for v, w in zip(row, widths, strict=True)).rstrip() for row in rows]
    return "\n".join(lines) + "\n"
