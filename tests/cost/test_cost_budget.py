"""Gate budget policy with real billing exports and request volume: cost per request against the
``[policy] cost_baseline_period`` month (cost-budget) through ``redline audit --fail-on`` and ``redline
gate``, and the scorecard's "cost per request down 20 %" in report.html."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from redline.cli.main import main
from redline.core.policy import cost_change

from .planted import write_planted

OFF = '[policy]\nnew_findings = "off"\n'


def test_audit_and_gate_fail_on_cost_per_request(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    export, requests = write_planted(tmp_path)
    root = tmp_path / "svc"
    root.mkdir()
    (root / "app.py").write_text("print('hello')\n")
    (root / "redline.toml").write_text(OFF + 'cost_baseline_period = "2024-08"\n')
    cost = ["--cost", str(export), "--cost-requests", str(requests)]
    out = tmp_path / "out"
    code = main(["audit", str(root), "--out", str(out), "--format", "html", "--fail-on", "high,cost-budget", *cost])
    assert code == 1
    printed = capsys.readouterr().out
    assert "  gate FAILED: cost-budget: cost per request regressed: USD cost per request " in printed
    assert "in 2024-09 vs " in printed and "in 2024-08 (+" in printed and "tolerance +5%)" in printed
    html = (out / "report.html").read_text()
    assert '<p class="notice"><b>gate failed: cost-budget</b>: cost per request regressed: USD' in html
    card = html.split("cost per request down 20 %</b>")[1].split("</div>")[0]
    assert 'st-not-met">not met' in card and "USD" in card and "in 2024-09 vs" in card
    assert main(["gate", str(root), "-q", *cost]) == 1
    assert "  FAIL cost-budget: cost per request regressed" in capsys.readouterr().out


def test_cost_change_sums_days_per_month() -> None:
    doc = {
        "daily": [
            {"currency": "USD", "day": "2024-08-01", "cost": 10.0, "requests": 100},
            {"currency": "USD", "day": "2024-08-02", "cost": 10.0, "requests": 100},
            {"currency": "USD", "day": "2024-09-01", "cost": 30.0, "requests": 200},
        ]
    }
    change = cost_change(json.loads(json.dumps(doc)), "2024-08")
    assert not isinstance(change, str)
    assert (change.baseline, change.current, change.month) == (0.1, 0.15, "2024-09")
    assert round(change.ratio, 6) == 1.5
