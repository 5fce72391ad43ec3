"""``redline cost`` and ``redline audit --cost`` end to end: tables, cost.json against its schema, findings."""

from __future__ import annotations

import json
from importlib import resources
from pathlib import Path

import jsonschema
import pytest

from redline.cli.main import main

from .planted import write_planted


def _schema() -> dict[str, object]:
    text = resources.files("redline.report").joinpath("schema/cost.schema.json").read_text(encoding="utf-8")
    return json.loads(text)  # type: ignore[no-any-return]


def test_cost_command_writes_cost_json_and_findings(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    export, requests = write_planted(tmp_path)
    out = tmp_path / "out"
    code = main(["cost", str(export), "--requests", str(requests), "--out", str(out), "--baseline-period", "2024-08"])
    assert code == 0  # the planted findings are medium at most; the gate is high
    doc = json.loads((out / "cost.json").read_text(encoding="utf-8"))
    jsonschema.validate(doc, _schema())
    assert doc["currencies"] == ["USD"]
    checkout = {c["month"]: c for c in doc["components"] if c["component"] == "checkout"}
    assert checkout["2024-09"]["change"] > 0.2
    assert doc["criterion"][0]["status"] == "not met"
    findings = json.loads((out / "findings.json").read_text(encoding="utf-8"))
    assert {f["rule"] for f in findings["findings"]} == {f"COST10{i}" for i in range(1, 8)}
    printed = capsys.readouterr().out
    assert "by component" in printed and "COST101" in printed


def test_bad_export_is_not_covered_and_the_run_goes_on(tmp_path: Path) -> None:
    export, _ = write_planted(tmp_path)
    bad = tmp_path / "broken.csv"
    bad.write_text("x,y\n1,2\n", encoding="utf-8")
    out = tmp_path / "out"
    assert main(["cost", str(export), str(bad), "--out", str(out), "-q"]) == 0
    findings = json.loads((out / "findings.json").read_text(encoding="utf-8"))
    assert [n["path"] for n in findings["not_covered"]] == [str(bad)]
    assert json.loads((out / "cost.json").read_text(encoding="utf-8"))["not_covered"][0]["path"] == str(bad)


def test_bad_baseline_period_is_a_usage_error(tmp_path: Path) -> None:
    export, _ = write_planted(tmp_path)
    assert main(["cost", str(export), "--baseline-period", "2024-13", "--out", str(tmp_path / "o")]) == 2


def test_cost_config_is_validated(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    export, _ = write_planted(tmp_path)
    (tmp_path / "redline.toml").write_text('[cost]\nshared_spread = "magic"\n', encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    assert main(["cost", str(export), "--out", str(tmp_path / "o"), "-q"]) == 2


def test_audit_with_cost_adds_the_findings(tmp_path: Path) -> None:
    export, requests = write_planted(tmp_path)
    tree = tmp_path / "tree"
    tree.mkdir()
    (tree / "app.py").write_text("print('hi')\n", encoding="utf-8")
    out = tmp_path / "out"
    code = main(
        [
            "audit",
            str(tree),
            "--cost",
            str(export),
            "--cost-requests",
            str(requests),
            "--out",
            str(out),
            "--format",
            "json",
            "-q",
            "--exit-zero",
        ]
    )
    assert code == 0
    findings = json.loads((out / "findings.json").read_text(encoding="utf-8"))
    cost = sorted(f["rule"] for f in findings["findings"] if f["rule"].startswith("COST"))
    assert cost[:2] == ["COST101", "COST102"] and "COST107" in cost
    summary = json.loads((out / "cost.json").read_text(encoding="utf-8"))
    jsonschema.validate(summary, _schema())
    assert {c["component"] for c in summary["components"]} >= {"checkout", "search", "orders"}


def test_audit_without_cost_writes_no_cost_json(tmp_path: Path) -> None:
    tree = tmp_path / "tree"
    tree.mkdir()
    out = tmp_path / "out"
    assert main(["audit", str(tree), "--out", str(out), "--format", "json", "-q"]) == 0
    assert not (out / "cost.json").exists()
