"""What the user sees: progress off a terminal, a missing database, the state of each ecosystem."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from redline.cli.main import main
from redline.cli.progress import LogProgress, make_progress
from redline.pipeline.run import Progress as SilentProgress
from redline.sources.advisories.update import update_database

from .helpers import write

LINE = "lorem ipsum dolor sit amet consectetur adipiscing elit sed do eiusmod\n"


def _tree(tmp_path: Path) -> Path:
    src = tmp_path / "src"
    for i in range(30):
        write(src, f"t{i}.txt", LINE * 3000)
    return src


def _run(args: list[str], **env: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "redline", *args],
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, **env},
        check=False,
    )


def test_progress_lines_on_stderr_when_not_a_terminal(capfd: pytest.CaptureFixture[str]) -> None:
    chosen = make_progress(quiet=False)
    chosen.done()
    assert isinstance(chosen, LogProgress)  # stderr is captured here, not a terminal
    progress = LogProgress(interval=0.05)
    progress.stage("reading and parsing", total=40)
    progress.advance(12)
    time.sleep(0.4)
    progress.done()
    time.sleep(0.2)
    lines = capfd.readouterr().err.splitlines()
    assert len(lines) >= 3
    assert all(ln.startswith("redline: reading and parsing 12/40 (") and ln.endswith("s)") for ln in lines)
    after = len(lines)
    time.sleep(0.2)
    assert len(capfd.readouterr().err.splitlines()) == 0 and after  # silent once done


def test_progress_interval_comes_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("REDLINE_PROGRESS_INTERVAL", "0.5")
    progress = make_progress(quiet=False)
    assert isinstance(progress, LogProgress) and progress.interval == 0.5
    progress.done()
    assert type(make_progress(quiet=True)) is SilentProgress


def test_quiet_prints_no_progress(tmp_path: Path) -> None:
    done = _run(
        ["audit", str(_tree(tmp_path)), "--out", str(tmp_path / "out"), "--exit-zero", "-q"],
        REDLINE_PROGRESS_INTERVAL="0.1",
    )
    assert done.returncode == 0 and done.stderr == "" and done.stdout == ""


def test_audit_without_database_says_every_vulnerability_check_was_skipped(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("REDLINE_DB_DIR", str(tmp_path / "no-db"))
    src = tmp_path / "src"
    write(src, "requirements.txt", "requests==2.19.0\n")
    assert main(["audit", str(src), "--out", str(tmp_path / "out")]) == 0
    out = capsys.readouterr().out
    assert out.count("no vulnerability database at") == 1  # said once, as a note, not also as a warning
    assert "  note: no vulnerability database at" in out
    assert "requirements.txt: not checked for known vulnerabilities: no usable database" in out
    assert "Dependencies were NOT checked for known vulnerabilities" in out


def test_db_status_lists_every_ecosystem_with_counts_and_missing_ones(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from supply_chain.test_db_update import small_mirror

    mirror = small_mirror(tmp_path / "mirror")
    update_database(tmp_path / "db", mirror=str(mirror), ecosystems=("PyPI",))
    assert main(["db", "status", "--db-dir", str(tmp_path / "db")]) == 0
    out = capsys.readouterr().out
    [pypi] = [ln.split() for ln in out.splitlines() if ln.strip().startswith("PyPI ")]
    assert pypi[1].replace(",", "").isdigit() and pypi[2:] == ["0.0", "days"]
    for missing in ("npm", "Go", "crates.io", "Maven", "RubyGems", "Packagist", "NuGet"):
        assert any(ln.split()[:2] == [missing, "missing"] for ln in out.splitlines() if ln.strip()), missing
    assert "7 ecosystem(s) missing" in out
