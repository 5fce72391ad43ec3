"""The runtime-evidence sections shared by summary.md and report.html: what the PostgreSQL snapshot and the
billing exports showed besides the findings. Each function returns plain rows; the reporters format them."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from markupsafe import escape

from redline.core.result import AuditResult

#: how many rows a section lists (findings.json and cost.json keep every one)
ROWS = 10
QUERY_CHARS = 90


@dataclass(frozen=True)
class Table:
    title: str
    columns: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]
    numeric: frozenset[int] = frozenset()  # column indexes aligned right


def database_tables(result: AuditResult) -> list[Table]:
    """Per audited database: the top statements by total time and the largest tables."""
    if result.postgres is None:
        return []
    tables = []
    for db in result.postgres.as_list():
        name = f"{db.get('component', 'postgres')} ({db.get('address', '')})"
        top = [
            (
                f"{s['share']:.1%}",
                f"{s['total_ms'] / 1000:,.1f}",
                f"{s['calls']:,}",
                f"{s['mean_ms']:,.2f}",
                str(s["queryid"]),
                " ".join(str(s["query"]).split())[:QUERY_CHARS],
            )
            for s in db.get("top_statements", [])[:ROWS]
        ]
        tables.append(
            Table(
                f"PostgreSQL {name}: top statements by total time",
                ("share", "total s", "calls", "mean ms", "queryid", "statement"),
                tuple(top),
                frozenset({0, 1, 2, 3}),
            )
        )
        largest = [
            (str(t["table"]), f"{t['rows']:,}", _mib(t["total_bytes"]), f"{t['seq_scan']:,}", f"{t['idx_scan']:,}")
            for t in db.get("largest_tables", [])[:ROWS]
        ]
        tables.append(
            Table(
                f"PostgreSQL {name}: largest tables",
                ("table", "rows", "size", "seq scans", "index scans"),
                tuple(largest),
                frozenset({1, 2, 3, 4}),
            )
        )
    return tables


def cost_tables(result: AuditResult) -> list[Table]:
    """Cost by component and by month (per currency, never summed across currencies), and the
    cost-per-request criterion when a baseline was given."""
    if result.cost is None:
        return []
    doc = result.cost.document
    metric = str(doc.get("metric", "cost"))
    totals: Mapping[str, list[Mapping[str, Any]]] = doc.get("totals", {})
    by_component = sorted(totals.get("component", []), key=lambda t: (t["currency"], -(t["amount"] or 0)))
    tables = [
        Table(
            f"{metric} by component",
            ("currency", "component", "amount"),
            tuple((t["currency"], str(t["key"]), f"{t['amount'] or 0:,.2f}") for t in by_component[:ROWS]),
            frozenset({2}),
        )
    ]
    months = sorted(totals.get("month", []), key=lambda t: (t["currency"], t["key"]))
    tables.append(
        Table(
            f"{metric} by month",
            ("currency", "month", "amount"),
            tuple((t["currency"], str(t["key"]), f"{t['amount'] or 0:,.2f}") for t in months),
            frozenset({2}),
        )
    )
    criteria = doc.get("criterion", [])
    if criteria:
        tables.append(
            Table(
                "cost per request vs the baseline period",
                ("currency", "baseline", "current", "status", "reason"),
                tuple(
                    (c["currency"], str(c["baseline_month"]), str(c["current_month"]), c["status"], c["reason"])
                    for c in criteria
                ),
            )
        )
    return tables


def monthly_cost_svg(result: AuditResult, width: int = 480, height: int = 120) -> str:
    """A bar per month of the first currency's total, as inline SVG (no script, no external reference)."""
    if result.cost is None:
        return ""
    per: dict[str, list[tuple[str, float]]] = defaultdict(list)
    for t in result.cost.document.get("totals", {}).get("month", []):
        per[t["currency"]].append((str(t["key"]), float(t["amount"] or 0)))
    if not per:
        return ""
    currency = sorted(per)[0]
    months = sorted(per[currency])
    top = max((v for _m, v in months), default=0.0) or 1.0
    step = width / max(len(months), 1)
    bars = []
    for i, (month, value) in enumerate(months):
        h = max(1.0, (height - 20) * max(value, 0.0) / top)
        x = i * step + 4
        bars.append(
            f'<rect x="{x:.1f}" y="{height - 16 - h:.1f}" width="{max(step - 8, 2):.1f}" height="{h:.1f}">'
            f"<title>{escape(month)}: {value:,.2f} {escape(currency)}</title></rect>"
            f'<text x="{x:.1f}" y="{height - 2}" font-size="10">{escape(month)}</text>'
        )
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" role="img" aria-label="monthly cost in {escape(currency)}" '
        f'width="{width}" height="{height}" viewBox="0 0 {width} {height}">{"".join(bars)}</svg>'
    )


def _mib(n: int) -> str:
    return f"{n / 1024 / 1024:,.1f} MiB"
