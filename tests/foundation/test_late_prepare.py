"""A check's late preparation (``Check.prepare_later``) that fails leaves that check out of the run and says
so once, with one worker (prepared before the files) and with two (prepared while they parse)."""

from __future__ import annotations

from pathlib import Path

import pytest

from redline.checks.secrets.engine import SecretScanner
from redline.core.model import Stage, ToolError
from redline.core.result import AuditResult
from redline.pipeline import run as pipeline_run

from .helpers import audit_with_catalogue

KEY = "AKIA" + "Z7Q4X2M6K3LB5WNR"  # an AWS access key id shape, split so this file holds none


def _failing_compile(self: SecretScanner) -> None:
    raise RuntimeError("no memory for the database")


def _places(result: AuditResult) -> set[tuple[str, str, int]]:
    return {(f.rule, f.location.path, f.location.start_line) for f in result.findings}


@pytest.mark.parametrize("jobs", [1, 2])
def test_a_failing_late_preparation_drops_its_check_and_reports_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, jobs: int
) -> None:
    root = tmp_path / "tree"
    root.mkdir()
    (root / "settings.py").write_text(f'AWS_ACCESS_KEY_ID = "{KEY}"\nDEBUG = True\n')
    monkeypatch.setattr(pipeline_run, "PARALLEL_MIN_COST", 0)
    monkeypatch.setenv("REDLINE_CACHE_DIR", str(tmp_path / "cache-ok"))
    found = _places(audit_with_catalogue(root, jobs))
    key = {p for p in found if p[0].startswith("SEC")}
    assert key == {("SEC100", "settings.py", 1)}  # the key is found when the scanner compiles

    monkeypatch.setenv("REDLINE_CACHE_DIR", str(tmp_path / "cache"))  # empty: the database must be compiled
    monkeypatch.setattr(SecretScanner, "compile", _failing_compile)
    result = audit_with_catalogue(root, jobs)
    assert result.stats.workers == jobs
    not_run = [e for e in result.errors if e.reason.startswith("check not run")]
    assert not_run == [
        ToolError("secrets", "check not run: RuntimeError: no memory for the database", stage=Stage.CHECK, fatal=True)
    ]
    assert _places(result) == found - key  # every other check ran (DEBUG = True is still reported)
    assert ("settings.py", 2) in {p[1:] for p in found - key}
