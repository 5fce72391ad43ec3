"""The single page's computed sections: the success scorecard (each criterion met, not met, or not measured
with what it needs), the SBOM summary, the trends from a real history store, and the page's escaping."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from redline.checks.builtin import builtin_checks
from redline.cli.main import main
from redline.core.config import Config
from redline.core.inventory import HistoryDigest, LatencyInventory, RouteLatency
from redline.core.model import Finding, Location, Severity, Stage, ToolError
from redline.core.result import AuditResult
from redline.core.rules import RuleRegistry
from redline.report.sbom_summary import summarise
from redline.report.scorecard import critical_cves, mttr, p95_at_peak, scorecard
from redline.report.trends_svg import sparkline

REGISTRY = RuleRegistry(rule for check in builtin_checks() for rule in check.rules)


def _result(findings: tuple[Finding, ...] = (), **kw: object) -> AuditResult:
    return AuditResult(root="/x", findings=findings, rules=REGISTRY, config=Config(), **kw)  # type: ignore[arg-type]


def _digest(**kw: object) -> HistoryDigest:
    base: dict[str, object] = {
        "runs": 3,
        "series": {},
        "forecasts": (),
        "sla_breaches": 0,
        "mttr": None,
        "late_critical_cves": (),
    }
    return HistoryDigest(**{**base, **kw})  # type: ignore[arg-type]


CRITICAL_VUL = Finding("VUL101", "pkg 1.0 has CVE-1", Severity.CRITICAL, Location("requirements.txt", 3), identity="v")


def test_nothing_measured_says_what_each_criterion_needs() -> None:
    cards = {c.name: (c.status, c.detail) for c in scorecard(_result())}
    assert cards == {
        "p95 under budget at 95 % of peak": (
            "not measured",
            'needs trace exports (--traces) and [slo."ROUTE"] p95_ms objectives',
        ),
        "zero critical CVEs open > 7 days": ("met", "no critical vulnerability open"),
        "MTTR under 30 minutes": ("not measured", "needs recorded runs (redline audit --record) with an item resolved"),
        "cost per request down 20 %": (
            "not measured",
            "needs billing exports (--cost) with request volume (--cost-requests)",
        ),
    }


def test_without_the_vulnerability_database_critical_cves_are_not_measured() -> None:
    notice = ToolError("vulnerability database", "no vulnerability database at /nowhere", stage=Stage.SOURCE)
    card = critical_cves(_result(errors=(notice,)))
    assert (card.status, card.detail) == (
        "not measured",
        "needs the vulnerability database: dependencies were not checked",
    )


def test_critical_cves_need_history_for_their_age() -> None:
    open_now = _result((CRITICAL_VUL,))
    assert critical_cves(open_now).status == "not measured"
    assert "their age needs recorded runs" in critical_cves(open_now).detail
    young = _result((CRITICAL_VUL,), history=_digest())
    assert (critical_cves(young).status, critical_cves(young).detail) == (
        "met",
        "1 critical open, none longer than 7 days",
    )
    late = _result((CRITICAL_VUL,), history=_digest(late_critical_cves=("VUL101 requirements.txt",)))
    assert (critical_cves(late).status, critical_cves(late).detail) == (
        "not met",
        "1 open longer than 7 days: VUL101 requirements.txt",
    )


def test_mttr_against_thirty_minutes() -> None:
    fast = mttr(_result(history=_digest(mttr=(4, 20 * 60.0))))
    slow = mttr(_result(history=_digest(mttr=(2, 3 * 86_400.0))))
    assert (fast.status, fast.detail) == ("met", "20 minutes over 4 resolved item(s), between recorded runs")
    assert (slow.status, slow.detail) == ("not met", "3.0 days over 2 resolved item(s), between recorded runs")


def _route(peak_count: int, peak_p95: float | None, objective: float | None) -> RouteLatency:
    return RouteLatency("api", "GET /orders", 500, 180.0, 12, peak_count, peak_p95, objective)


def test_p95_at_peak_needs_objectives_and_enough_requests_at_peak() -> None:
    def card(*routes: RouteLatency) -> tuple[str, str]:
        c = p95_at_peak(_result(latency=LatencyInventory(routes)))
        return c.status, c.detail

    assert card(_route(40, 150.0, None)) == (
        "not measured",
        'needs [slo."ROUTE"] p95_ms for the measured routes (busiest: GET /orders)',
    )
    assert card(_route(5, 150.0, 200.0)) == (
        "not measured",
        "needs at least 20 requests at 95 % of peak per route: GET /orders has 5",
    )
    assert card(_route(40, 150.0, 200.0)) == ("met", "1 route(s) within their p95 objective at peak load")
    assert card(_route(40, 250.0, 200.0)) == ("not met", "1 of 1 route(s) over: GET /orders: 250 ms > 200 ms")


def test_sbom_summary_counts_ecosystems_licences_and_vulnerabilities() -> None:
    doc = {
        "components": [
            {"type": "application", "name": "redline"},
            {"type": "library", "purl": "pkg:pypi/a@1", "licenses": [{"expression": "MIT"}]},
            {"type": "library", "purl": "pkg:pypi/b@1", "scope": "optional", "licenses": [{"license": {"id": "MIT"}}]},
            {"type": "library", "purl": "pkg:npm/c@1"},
        ],
        "vulnerabilities": [
            {"ratings": [{"severity": "high"}, {"severity": "critical"}]},
            {"ratings": [{"severity": "medium"}]},
            {"ratings": []},
        ],
    }
    s = summarise(doc)
    assert s is not None
    assert (s.components, s.optional, s.unlicensed) == (3, 1, 1)
    assert s.ecosystems == (("pypi", 2), ("npm", 1)) and s.licences == (("MIT", 2),)
    assert s.vulnerabilities == (("critical", 1), ("medium", 1), ("unknown", 1))
    assert summarise(None) is None


def test_sparkline_is_inline_svg_with_escaped_name() -> None:
    svg = str(sparkline('<open "high">', [(0, 1.0), (100, 3.0), (200, 2.0)]))
    assert svg.startswith('<svg class="spark"') and "&lt;open &#34;high&#34;&gt;" in svg
    assert 'points="4.0,36.0 110.0,4.0 216.0,20.0"' in svg and "<script" not in svg


def test_recorded_runs_become_trends_in_the_page(tmp_path: Path) -> None:
    root = tmp_path / "svc"
    root.mkdir()
    (root / "a.py").write_text('import requests\nrequests.get("http://a")\n')
    out = tmp_path / "out"
    for extra in (None, "b.py", "c.py"):
        if extra:
            (root / extra).write_text('import requests\nrequests.get("http://b")\n')
        assert main(["audit", str(root), "--record", "--out", str(out), "--format", "html", "-q", "--exit-zero"]) == 0
    html = (out / "report.html").read_text()
    trends = html.split('<section id="trends">')[1].split("</section>")[0]
    assert "3 recorded run(s); 0 open item(s) past their SLA." in trends
    row = trends.split("<td>resilience items</td>")[1].split("</tr>")[0]
    assert '<td class="num">3</td><td class="num">1</td><td class="num">3</td>' in row and "<svg" in row
    assert "<td>open_total</td>" in trends


def test_the_plan_is_built_once_for_every_output(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import redline.core.plan as plan_module
    from redline.core.config import OutputFormat
    from redline.core.plan import build_plan
    from redline.report.formats import write_reports

    calls: list[int] = []
    real = build_plan

    def counting(*args: Any, **kwargs: Any) -> Any:
        calls.append(1)
        return real(*args, **kwargs)

    monkeypatch.setattr(plan_module, "build_plan", counting)  # AuditResult.plan imports it when first asked
    result = _result((CRITICAL_VUL,))
    write_reports(result, tmp_path, [OutputFormat.MARKDOWN, OutputFormat.HTML, OutputFormat.JSON])
    assert (tmp_path / "plan.md").exists() and "30/60/90 plan" in (tmp_path / "report.html").read_text()
    assert calls == [1]


def test_the_map_panel_carries_four_keys_per_finding() -> None:
    from redline.core.map_model import Component, Kind, SystemMap, Zone
    from redline.report.map_html import panel_data

    api = Component("api", "api", Kind.SERVICE, Zone.INTERNAL, findings=(CRITICAL_VUL.fingerprint,))
    data = panel_data(_result((CRITICAL_VUL,)), SystemMap((api,), ()))
    assert data["api"]["findings"] == [
        {
            "rule": "VUL101",
            "severity": "critical",
            "message": "pkg 1.0 has CVE-1",
            "location": {
                "path": "requirements.txt",
                "start_line": 3,
                "end_line": 0,
                "start_column": 0,
                "end_column": 0,
                "snippet": "",
                "resource": "",
            },
        }
    ]
