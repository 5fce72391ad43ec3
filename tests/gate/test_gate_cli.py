"""``redline gate`` end to end: against a baseline, against the last run on main, SLA from the history."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from redline.cli.main import main
from redline.core.model import Severity
from redline.store.engine import open_store
from redline.store.record import ItemRecord, RunRecord, record_run
from redline.store.session import scope_of
from redline.store.settings import HistorySettings

CALL = 'import requests\nrequests.get("http://example.test/a")\n'


@pytest.fixture
def root(tmp_path: Path) -> Path:
    root = tmp_path / "svc"
    root.mkdir()
    (root / "app.py").write_text(CALL)
    (root / "redline.toml").write_text('[policy]\nnew_findings = "medium"\n')
    return root


def test_new_finding_against_a_baseline(root: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    base = tmp_path / "base.json"
    assert main(["baseline", str(base), str(root), "-q"]) == 0
    (root / "more.py").write_text(CALL)
    junit = tmp_path / "gate.xml"
    assert main(["gate", str(root), "-q", "--baseline", str(base), "--junit", str(junit)]) == 1
    out = capsys.readouterr().out
    assert "redline gate: FAILED" in out
    assert f"  FAIL new-findings: 1 new item(s) at or above medium since baseline {base}: RES101 more.py:2" in out
    assert "  PASS kev: no KEV-listed vulnerability" in out
    assert "  SKIP sla: no history store: needs recorded runs (redline audit --record)" in out
    assert b'name="new-findings"' in junit.read_bytes()
    (root / "more.py").unlink()
    assert main(["gate", str(root), "-q", "--baseline", str(base)]) == 0
    assert "  PASS new-findings: no new item at or above medium since baseline" in capsys.readouterr().out


def test_against_the_last_run_on_main_and_sla(
    root: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("GITHUB_REF_NAME", "main")
    assert main(["audit", str(root), "--record", "-q", "--exit-zero", "--out", str(root.parent / "out")]) == 0
    (root / "more.py").write_text(CALL)
    assert main(["gate", str(root), "-q", "--against", "main"]) == 1
    out = capsys.readouterr().out
    assert "FAIL new-findings: 1 new item(s) at or above medium since run 1 on main (" in out
    assert "PASS sla: 0 open item(s) past their SLA (allowed 0)" in out

    engine = open_store(str(root / ".redline" / "history.db"))  # an item open for 100 days
    old = int(time.time()) - 100 * 86_400
    late = ItemRecord("f" * 32, "TF101", Severity.MEDIUM, "security", path="main.tf")
    record_run(engine, RunRecord(scope_of(root), old, (late,), full=False), HistorySettings())
    engine.dispose()
    assert main(["gate", str(root), "-q", "--against", "main"]) == 1
    assert (
        "FAIL sla: 1 open item(s) past their SLA (allowed 0): medium TF101 main.tf open 100 days (SLA 90)"
        in capsys.readouterr().out
    )
