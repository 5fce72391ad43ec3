"""The runtime-evidence sections of summary.md and report.html: the PostgreSQL snapshot's top statements and
largest tables, the cost by component and month with a monthly chart — rendered from the typed inventory,
escaped, and absent when the run had no such input."""

from __future__ import annotations

from pathlib import Path

from redline.core.config import Config, OutputFormat
from redline.core.inventory import CostSummary, DatabaseInventory
from redline.core.result import AuditResult
from redline.core.rules import RuleRegistry
from redline.report.formats import write_reports

DATABASE = {
    "component": "postgres/shop",
    "address": "127.0.0.1:5432",
    "top_statements": [
        {
            "share": 0.625,
            "total_ms": 12_500.0,
            "calls": 5000,
            "mean_ms": 2.5,
            "queryid": 42,
            "query": "SELECT * FROM orders WHERE customer_id = $1 AND status = $2",
        },
        {
            "share": 0.375,
            "total_ms": 7_500.0,
            "calls": 10,
            "mean_ms": 750.0,
            "queryid": 7,
            "query": "SELECT '<script>' || note FROM audit_log",
        },
    ],
    "largest_tables": [
        {"table": "public.orders", "rows": 100_000, "total_bytes": 8 * 1024 * 1024, "seq_scan": 120, "idx_scan": 3}
    ],
}
COST = {
    "metric": "EffectiveCost",
    "totals": {
        "component": [
            {"currency": "USD", "key": "checkout", "amount": 120.5},
            {"currency": "USD", "key": "search", "amount": 300.25},
            {"currency": "EUR", "key": "search", "amount": 10.0},
        ],
        "month": [
            {"currency": "USD", "key": "2024-09", "amount": 200.0},
            {"currency": "USD", "key": "2024-08", "amount": 100.0},
        ],
    },
    "criterion": [
        {
            "currency": "USD",
            "baseline_month": "2024-08",
            "current_month": "2024-09",
            "status": "not met",
            "reason": "cost per request rose 12 %",
        }
    ],
}


def _render(tmp_path: Path, result: AuditResult) -> tuple[str, str]:
    write_reports(result, tmp_path, [OutputFormat.MARKDOWN, OutputFormat.HTML])
    return (tmp_path / "summary.md").read_text(encoding="utf-8"), (tmp_path / "report.html").read_text("utf-8")


def _result(postgres: DatabaseInventory | None = None, cost: CostSummary | None = None) -> AuditResult:
    return AuditResult(root="x", findings=(), rules=RuleRegistry(()), config=Config(), postgres=postgres, cost=cost)


def test_database_and_cost_sections(tmp_path: Path) -> None:
    md, html = _render(tmp_path, _result(postgres=DatabaseInventory((DATABASE,)), cost=CostSummary(COST)))
    assert "### PostgreSQL postgres/shop (127.0.0.1:5432): top statements by total time" in md
    assert "| 62.5% | 12.5 | 5,000 | 2.50 | 42 | SELECT * FROM orders WHERE customer_id = $1 AND status = $2 |" in md
    assert "| public.orders | 100,000 | 8.0 MiB | 120 | 3 |" in md
    # per currency, largest first, never summed across currencies
    assert md.index("| USD | search | 300.25 |") < md.index("| USD | checkout | 120.50 |")
    assert "| EUR | search | 10.00 |" in md
    assert "| USD | 2024-08 | 2024-09 | not met | cost per request rose 12 % |" in md
    assert "&lt;script&gt;" in html and "<script>' ||" not in html  # statement text is escaped
    assert "<h2>Monthly cost</h2>" in html
    assert html.count("<rect ") == 2 and "<title>2024-08: 100.00 USD</title>" in html


def test_no_sections_without_the_inputs(tmp_path: Path) -> None:
    md, html = _render(tmp_path, _result())
    assert "PostgreSQL" not in md and "EffectiveCost" not in md
    assert "Monthly cost" not in html and "<svg" not in html
