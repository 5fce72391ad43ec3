"""Every input redline claims but cannot parse is a visible not-covered entry; a gate can fail on it."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from redline.cli.main import main

from .helpers import audit, report, write

CONFLICTED_LOCK = """{
  "name": "app",
  "lockfileVersion": 3,
<<<<<<< HEAD
  "packages": {"node_modules/left-pad": {"version": "1.3.0"}}
=======
  "packages": {"node_modules/left-pad": {"version": "1.2.0"}}
>>>>>>> main
}
"""


def _tree(tmp_path: Path) -> Path:
    src = tmp_path / "src"
    write(src, "package-lock.json", CONFLICTED_LOCK)
    write(src, "app.py", "x = 1\n")
    return src


def test_conflicted_lockfile_is_listed_in_every_output_and_the_terminal(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    src, out = _tree(tmp_path), tmp_path / "out"
    assert main(["audit", str(src), "--out", str(out)]) == 0  # off by default, but shown
    terminal = capsys.readouterr().out
    assert "input(s) not covered (fail_on_not_covered is off)" in terminal
    assert "package-lock.json: could not be parsed: " in terminal
    doc = report(out)
    [entry] = [e for e in doc["not_covered"] if e["reason"].startswith("could not be parsed")]
    assert entry["path"] == "package-lock.json" and "invalid JSON at line 4" in entry["reason"]
    assert doc["summary"]["not_covered"] == len(doc["not_covered"])
    summary = (out / "summary.md").read_text()
    assert "`package-lock.json`: could not be parsed" in summary and "input(s) not covered**" in summary
    sarif = json.loads((out / "findings.sarif").read_text())
    notes = sarif["runs"][0]["invocations"][0]["toolExecutionNotifications"]
    assert any(n["descriptor"]["id"] == "not-covered" and "package-lock.json" in n["message"]["text"] for n in notes)
    html = (out / "report.html").read_text()
    assert "could not be parsed: npm-lock: invalid JSON" in html


def test_fail_on_not_covered_fails_the_gate_from_file_and_flag(tmp_path: Path) -> None:
    src = _tree(tmp_path)
    assert audit(src, tmp_path / "flag", "--fail-on-not-covered") == 1
    assert report(tmp_path / "flag")["summary"]["gate"]["failed"] is True
    write(src, "redline.toml", "fail_on_not_covered = true\n")
    assert audit(src, tmp_path / "file") == 1
    assert audit(src, tmp_path / "zero", "--exit-zero") == 0


def test_fail_on_not_covered_must_be_a_boolean(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    src = _tree(tmp_path)
    write(src, "redline.toml", 'fail_on_not_covered = "yes"\n')
    assert audit(src, tmp_path / "out") == 2
    assert "fail_on_not_covered" in capsys.readouterr().err


def test_binary_files_do_not_fail_the_gate(tmp_path: Path) -> None:
    src = tmp_path / "src"
    write(src, "logo.png", b"\x89PNG\x00\x00")
    write(src, "redline.toml", "fail_on_not_covered = true\n")
    assert audit(src, tmp_path / "out") == 0
