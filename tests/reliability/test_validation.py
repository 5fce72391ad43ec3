"""Arguments and configuration are checked before any work starts: clear message, exit 2, no output."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from redline.cli.main import main

from .helpers import write

SLOW_CHECK = "redline.pipeline.run.run_audit"


@pytest.fixture
def src(tmp_path: Path) -> Path:
    root = tmp_path / "src"
    write(root, "app.py", "x = 1\n")
    return root


@pytest.fixture
def no_audit(monkeypatch: pytest.MonkeyPatch) -> None:
    """Fail the test if the audit starts: validation must happen first."""

    def refuse(*args: object, **kwargs: object) -> None:
        raise AssertionError("the audit ran before the input was validated")

    monkeypatch.setattr("redline.pipeline.run.run_audit", refuse)


def _run(src: Path, out: Path, *extra: str) -> int:
    return main(["audit", str(src), "--out", str(out), "-q", *extra])


@pytest.mark.usefixtures("no_audit")
@pytest.mark.parametrize(
    ("toml", "expected"),
    [
        ('select = ["NOPE999"]\n', "key 'select': no rule matches 'NOPE999'"),
        ('ignore = ["ZZZ"]\n', "key 'ignore': no rule matches 'ZZZ'"),
        ('[severity]\nZZZ101 = "high"\n', "key 'severity.ZZZ101': no rule has the code 'ZZZ101'"),
        ('[gate]\nZZZ101 = "high"\n', "key 'gate.ZZZ101': no rule has the code 'ZZZ101'"),
        ("[supply_chain]\nepss_threshold = 7\n", "key 'supply_chain.epss_threshold' must be within 0..1, got 7"),
        ("jobs = -1\n", "jobs' must be a non-negative integer"),
        ("jobs = 100000\n", "jobs = 100000 is more than 4 per core"),
        ('[secrets]\nsalt = ""\n', "key 'secrets.salt' must be a non-empty string"),
    ],
)
def test_bad_configuration_is_refused_before_the_audit(
    src: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], toml: str, expected: str
) -> None:
    write(src, "redline.toml", toml)
    assert _run(src, tmp_path / "out") == 2
    err = capsys.readouterr().err
    assert expected in err and "redline.toml" in err
    assert not (tmp_path / "out").exists()


@pytest.mark.usefixtures("no_audit")
@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (["--jobs", "-1"], "--jobs: jobs must be 0 (one per core) or a positive number, got -1"),
        (["--jobs", "100000"], "--jobs: jobs = 100000 is more than 4 per core"),
        (["--select", "NOPE999"], "no rule matches 'NOPE999'"),
        (["--epss-threshold", "7"], "--epss-threshold must be within 0..1"),
    ],
)
def test_bad_arguments_are_refused_before_the_audit(
    src: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], args: list[str], expected: str
) -> None:
    assert _run(src, tmp_path / "out", *args) == 2
    assert expected in capsys.readouterr().err


@pytest.mark.usefixtures("no_audit")
def test_out_that_is_a_file_is_refused(src: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = write(tmp_path, "out", "not a folder")
    assert _run(src, out) == 2
    assert "exists and is not a directory" in capsys.readouterr().err
    assert out.read_text() == "not a folder"


@pytest.mark.usefixtures("no_audit")
def test_out_under_proc_is_refused(src: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert _run(src, Path("/proc/redline-report")) == 2
    assert "--out /proc/redline-report: cannot write in /proc" in capsys.readouterr().err


@pytest.mark.usefixtures("no_audit")
def test_out_in_a_read_only_folder_is_refused(
    src: Path, read_only_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert _run(src, read_only_dir / "report") == 2
    assert "cannot write in" in capsys.readouterr().err
    assert os.listdir(read_only_dir) == []


def test_valid_configuration_runs(src: Path, tmp_path: Path) -> None:
    write(
        src,
        "redline.toml",
        'select = ["RES", "SEC"]\njobs = 2\n[severity]\nRES101 = "high"\n'
        '[gate]\nVUL101 = "high"\n[supply_chain]\nepss_threshold = 0.5\n',
    )
    assert _run(src, tmp_path / "out") == 0
    assert (tmp_path / "out" / "findings.json").is_file()


def test_secrets_command_accepts_a_file_naming_other_families(src: Path, tmp_path: Path) -> None:
    write(src, "redline.toml", '[severity]\nRES101 = "high"\n')
    assert main(["secrets", str(src), "--out", str(tmp_path / "out"), "-q"]) == 0
