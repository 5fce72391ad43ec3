"""One redline.toml, every command: a table `redline audit` accepts is accepted by every command that reads
the file (each used to load it against its own, shorter list of tables)."""

from __future__ import annotations

from pathlib import Path

import pytest

from redline.cli.main import main

CONFIG = '[scoring]\nfirst_among_equals = ["RES"]\n[secrets]\ngate_samples = false\n[cost]\nmetric = "BilledCost"\n'


def test_history_reads_the_file_audit_reads(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "redline.toml").write_text(CONFIG)
    monkeypatch.chdir(tmp_path)
    assert main(["history", "--root", str(tmp_path)]) == 2  # nothing recorded yet: said, not a config error
    err = capsys.readouterr().err
    assert "no history at" in err and "is unknown" not in err


def test_capacity_reads_the_file_audit_reads(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "redline.toml").write_text(CONFIG)
    monkeypatch.chdir(tmp_path)
    assert main(["capacity", "--arrival-rate", "10", "--service-time-ms", "50"]) == 0
    assert "is unknown" not in capsys.readouterr().err
