"""Gate budget policies with real trace exports: each route's measured p95 against its ``[slo]`` objective
(latency-budget) through ``redline gate`` and ``redline audit --fail-on``, the scorecard's "p95 under budget
at 95 % of peak" from the same traces, and what each budget policy says when its input is missing."""

from __future__ import annotations

from pathlib import Path

import pytest

from redline.cli.main import main
from redline.core.policy import PolicySettings, Verdict, cost_budget, latency_budget

from .builders import TraceBuilder, write_otlp

#: 40 requests of GET /orders, 4 per second over 10 seconds, 20 ms … 410 ms (p95 = 390.5 ms)
DURATIONS = [20 + 10 * i for i in range(40)]


def _traces(path: Path) -> Path:
    traces = []
    for i, dur in enumerate(DURATIONS):
        t = TraceBuilder(service="shop")
        t.server("GET /orders", dur, start_ms=(i // 4) * 1000 + (i % 4) * 10)
        traces.append(t)
    return write_otlp(path, *traces)


def _tree(tmp_path: Path, toml: str) -> Path:
    root = tmp_path / "svc"
    root.mkdir()
    (root / "app.py").write_text("print('hello')\n")
    _traces(root / "traces.json")
    (root / "redline.toml").write_text('[traces]\npaths = ["traces.json"]\n\n' + toml)
    return root


SLO_100 = '[slo."GET /orders"]\np95_ms = 100\n'
SLO_400 = '[slo."GET /orders"]\np95_ms = 400\n'
OFF = '[policy]\nnew_findings = "off"\n'


def test_gate_fails_on_a_route_over_its_objective(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    root = _tree(tmp_path, OFF + "\n" + SLO_100)
    junit = tmp_path / "gate.xml"
    assert main(["gate", str(root), "-q", "--junit", str(junit)]) == 1
    out = capsys.readouterr().out
    assert (
        "  FAIL latency-budget: 1 route(s) over their p95 objective beyond the tolerance of 10%: "
        "shop 'GET /orders' p95 390.5 ms over its objective 100 ms by 290 %"
    ) in out
    assert "  SKIP cost-budget: no billing exports: needs --cost with --cost-requests" in out
    assert b'name="latency-budget"' in junit.read_bytes()


def test_gate_passes_within_the_tolerance(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    root = _tree(tmp_path, OFF + "latency_tolerance = 0.0\n\n" + SLO_400)
    assert main(["gate", str(root), "-q"]) == 0
    assert "  PASS latency-budget: 1 route(s) within their p95 objective (tolerance 0%)" in capsys.readouterr().out


def test_audit_fails_on_the_latency_budget_only_when_asked(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    root = _tree(tmp_path, SLO_100)
    out = tmp_path / "out"
    # TRC108 (high) reports the same route; at critical only the budget policy can fail the audit
    assert main(["audit", str(root), "--out", str(out), "--format", "json", "--fail-on", "critical"]) == 0
    code = main(["audit", str(root), "--out", str(out), "--format", "json", "--fail-on", "critical,latency-budget"])
    assert code == 1
    printed = capsys.readouterr().out
    assert "  gate FAILED: latency-budget: 1 route(s) over their p95 objective" in printed
    assert main(["audit", str(root), "--out", str(out), "--fail-on", "high,nonsense"]) == 2


def test_scorecard_p95_at_peak_from_the_traces(tmp_path: Path) -> None:
    root = _tree(tmp_path, SLO_400)
    out = tmp_path / "out"
    assert main(["audit", str(root), "--out", str(out), "--format", "html", "-q", "--exit-zero"]) == 0
    card = (out / "report.html").read_text().split("p95 under budget at 95 % of peak</b>")[1].split("</div>")[0]
    assert 'st-met">met' in card and "1 route(s) within their p95 objective at peak load" in card


def test_policies_without_inputs_say_what_they_need() -> None:
    settings = PolicySettings()
    assert latency_budget(None, settings).message == "no traces: needs trace exports (--traces or [traces] paths)"
    assert (
        cost_budget({"daily": []}, settings).message == "no baseline: needs [policy] cost_baseline_period = 'YYYY-MM'"
    )
    with_period = PolicySettings(cost_baseline_period="2024-07")
    outcome = cost_budget({"daily": [{"currency": "USD", "day": "2024-08-01", "cost": 5, "requests": 10}]}, with_period)
    assert outcome.verdict is Verdict.SKIP
    assert outcome.message == (
        "needs requests and costs in the baseline month 2024-07 and a later one (the exports cover 2024-08)"
    )
