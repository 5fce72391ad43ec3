"""The audit command end to end: exit codes, gate, selection, baselines, outputs."""

from __future__ import annotations

from pathlib import Path

import pytest

from audit_helpers import cli_audit as audit
from audit_helpers import cli_findings as findings
from audit_helpers import cli_report as report
from redline.cli.main import main
from redline.pipeline.catalogue import load_catalogue

from .helpers import HTTP_CALL, write


def test_clean_tree_exits_zero_and_writes_every_format(tmp_path: Path) -> None:
    write(tmp_path / "src", "app.py", "print('hello')\n")
    out = tmp_path / "out"
    assert audit(tmp_path / "src", out) == 0
    assert sorted(p.name for p in out.iterdir()) == [
        ".redline-manifest.json",
        "findings.json",
        "findings.sarif",
        "map.dot",
        "map.json",
        "map.mmd",
        "plan.md",
        "report.html",
        "sbom.cdx.json",
        "summary.md",
        "threats.csv",
    ]
    assert report(out)["summary"]["gate"] == {
        "threshold": "high",
        "failed": False,
        "gating_findings": 0,
        "fail_on_not_covered": False,
    }


def test_gate_fails_at_threshold_and_exit_zero_overrides(tmp_path: Path) -> None:
    src = tmp_path / "src"
    write(src, "client.py", HTTP_CALL)
    assert audit(src, tmp_path / "a") == 0  # medium finding, default gate is high
    assert audit(src, tmp_path / "b", "--fail-on", "medium") == 1
    assert audit(src, tmp_path / "c", "--fail-on", "medium", "--exit-zero") == 0
    assert [f["rule"] for f in findings(tmp_path / "b")] == ["RES101"]


def test_select_and_ignore(tmp_path: Path) -> None:
    src = tmp_path / "src"
    write(src, "client.py", HTTP_CALL + "import socket\nsocket.create_connection(('db', 5432))\n")
    audit(src, tmp_path / "all")
    assert sorted(f["rule"] for f in findings(tmp_path / "all")) == ["RES101", "RES105"]
    audit(src, tmp_path / "sel", "--select", "RES105")
    assert [f["rule"] for f in findings(tmp_path / "sel")] == ["RES105"]
    audit(src, tmp_path / "ign", "--ignore", "RES105,requests-without-timeout")
    assert findings(tmp_path / "ign") == []


def test_unknown_rule_in_select_is_a_usage_error(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    write(tmp_path / "src", "a.py", "x = 1\n")
    assert audit(tmp_path / "src", tmp_path / "out", "--select", "NOPE999") == 2
    assert "NOPE999" in capsys.readouterr().err
    assert not (tmp_path / "out").exists()


def test_format_option_limits_outputs(tmp_path: Path) -> None:
    write(tmp_path / "src", "a.py", "x = 1\n")
    out = tmp_path / "out"
    assert audit(tmp_path / "src", out, "--format", "sarif", "--format", "markdown") == 0
    assert sorted(p.name for p in out.iterdir()) == [
        ".redline-manifest.json",
        "findings.sarif",
        "plan.md",
        "summary.md",
    ]


def test_outputs_are_deterministic(tmp_path: Path) -> None:
    src = tmp_path / "src"
    for i in range(5):
        write(src, f"pkg/m{i}.py", HTTP_CALL * (i + 1))
    audit(src, tmp_path / "one")
    audit(src, tmp_path / "two", "--jobs", "1")
    for name in ("findings.json", "findings.sarif", "summary.md", "report.html", "sbom.cdx.json"):
        assert (tmp_path / "one" / name).read_bytes() == (tmp_path / "two" / name).read_bytes(), name


def test_baseline_hides_known_findings_from_the_gate(tmp_path: Path) -> None:
    src = tmp_path / "src"
    write(src, "client.py", HTTP_CALL)
    base = tmp_path / "baseline.json"
    assert main(["baseline", str(base), str(src), "--quiet"]) == 0
    assert audit(src, tmp_path / "a", "--fail-on", "medium", "--baseline", str(base)) == 0
    first = findings(tmp_path / "a")
    assert [f["new"] for f in first] == [False]
    # a new finding above the old one: the old keeps its fingerprint, the new one gates
    write(src, "client.py", 'import requests\nrequests.post("https://x")\n' + HTTP_CALL)
    assert audit(src, tmp_path / "b", "--fail-on", "medium", "--baseline", str(base)) == 1
    second = {f["location"]["snippet"]: f["new"] for f in findings(tmp_path / "b")}
    assert second == {'requests.post("https://x")': True, 'requests.get("https://api.example.com/orders")': False}


def test_bad_baseline_is_exit_two(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    write(tmp_path / "src", "a.py", "x = 1\n")
    bad = write(tmp_path, "base.json", '{"version": 99, "findings": []}')
    assert audit(tmp_path / "src", tmp_path / "out", "--baseline", str(bad)) == 2
    assert "version 99" in capsys.readouterr().err


def test_missing_path_is_exit_two(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert audit(tmp_path / "nope", tmp_path / "out") == 2
    assert "not a directory" in capsys.readouterr().err


def test_rules_list_and_explain(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["rules", "--area", "resilience"]) == 0
    assert "RES101" in capsys.readouterr().out
    assert main(["rules", "explain", "res101"]) == 0
    text = capsys.readouterr().out
    for section in ("What it does", "Why is this bad?", "Example", "Use instead", "References"):
        assert f"### {section}" in text
    assert main(["rules", "explain", "NOPE1"]) == 2


def test_explain_of_a_prefix_lists_its_rules_the_same_way_every_time(capsys: pytest.CaptureFixture[str]) -> None:
    outputs = []
    for _ in range(3):
        assert main(["rules", "explain", "RES"]) == 0
        outputs.append(capsys.readouterr().out)
    assert outputs[0] == outputs[1] == outputs[2]
    expected = sorted(r.code for r in load_catalogue(with_plugins=False).registry if r.code.startswith("RES"))
    lines = outputs[0].splitlines()
    assert lines[0] == f"'RES' matches {len(expected)} rules; explain one of them:"
    assert [line.split()[0] for line in lines[1:]] == expected
    assert main(["rules", "explain", "requests-without-timeout"]) == 0
    assert capsys.readouterr().out.startswith("## RES101 requests-without-timeout\n")


def test_fingerprint_unchanged_after_inserting_lines_above(tmp_path: Path) -> None:
    src = tmp_path / "src"
    write(src, "client.py", HTTP_CALL)
    audit(src, tmp_path / "before")
    write(src, "client.py", "# a new header\n\n\n" + HTTP_CALL.replace("import requests\n", "import requests\n\n\n"))
    audit(src, tmp_path / "after")
    (before,), (after,) = findings(tmp_path / "before"), findings(tmp_path / "after")
    assert after["location"]["start_line"] == before["location"]["start_line"] + 5
    assert after["fingerprint"] == before["fingerprint"]


def test_rule_gate_floor_and_its_config_override(tmp_path: Path) -> None:
    from dataclasses import replace

    from redline.core.config import Config
    from redline.core.model import Finding, Location, Severity
    from redline.core.result import AuditResult
    from redline.core.rules import RuleRegistry

    from .checks_for_tests import MARKER

    floored = replace(MARKER, gate_floor=Severity.CRITICAL)
    high = Finding("TST101", "m", Severity.HIGH, Location("a.py", 1, 1, 1, 2, "x"))
    critical = Finding("TST101", "m", Severity.CRITICAL, Location("b.py", 1, 1, 1, 2, "y"))
    result = AuditResult(".", (high, critical), RuleRegistry([floored]), Config())
    assert result.gating(Severity.HIGH) == [critical]
    assert result.gating(Severity.LOW) == [critical]
    lowered = AuditResult(".", (high, critical), RuleRegistry([floored]), Config(gate_floors={"TST101": Severity.HIGH}))
    assert lowered.gating(Severity.CRITICAL) == [high, critical]
    assert result.gate == (critical,) and lowered.gate == (high, critical)  # at config.fail_on (high), decided once
    assert result.gate is result.gate
