"""One run's outputs replace the last run's as a set; redline never audits its own output folder."""

from __future__ import annotations

import errno
import json
import os
import signal
from pathlib import Path

import pytest

from redline.cli.main import main
from redline.core.outputset import MANIFEST, replace_output_set

from .helpers import DOCKERFILE, audit, report, write

REPO = Path(__file__).resolve().parents[2]


def test_manifest_lists_what_the_run_wrote(tmp_path: Path) -> None:
    write(tmp_path / "src", "app.py", "x = 1\n")
    out = tmp_path / "out"
    assert audit(tmp_path / "src", out, "--format", "json", "--format", "markdown") == 0
    assert json.loads((out / MANIFEST).read_text())["files"] == ["findings.json", "plan.md", "summary.md"]


def test_a_narrower_run_removes_the_stale_outputs_of_the_last_one(tmp_path: Path) -> None:
    write(tmp_path / "src", "app.py", "x = 1\n")
    out = tmp_path / "out"
    assert audit(tmp_path / "src", out) == 0
    write(out, "notes.txt", "mine")  # not redline's: must survive
    assert audit(tmp_path / "src", out, "--format", "json") == 0
    assert sorted(p.name for p in out.iterdir()) == [MANIFEST, "findings.json", "notes.txt"]


def test_a_forged_manifest_cannot_delete_outside_the_folder(tmp_path: Path) -> None:
    write(tmp_path / "src", "app.py", "x = 1\n")
    victim = write(tmp_path, "victim.txt", "keep")
    out = tmp_path / "out"
    write(out, MANIFEST, json.dumps({"files": ["../victim.txt", "/etc/passwd", MANIFEST]}))
    assert audit(tmp_path / "src", out, "--format", "json") == 0
    assert victim.read_text() == "keep"


def test_output_folder_inside_the_tree_is_not_audited(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    src = tmp_path / "src"
    write(src, "Dockerfile", DOCKERFILE)
    counts = []
    for _ in range(3):
        assert main(["audit", str(src), "--out", str(src / "redline-report"), "--exit-zero"]) == 0
        counts.append(report(src / "redline-report")["summary"]["findings"])
        assert f"to {(src / 'redline-report').resolve()}" in capsys.readouterr().out
    assert counts[0] > 0 and counts == [counts[0]] * 3


def test_example_shop_gives_the_same_count_each_run(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The default --out (``redline-report`` in the working directory) run from inside the audited tree."""
    import shutil

    shop = tmp_path / "shop"
    shutil.copytree(REPO / "examples" / "shop", shop)
    monkeypatch.chdir(shop)
    counts = []
    for _ in range(3):
        assert (
            main(["audit", ".", "-q", "--exit-zero", "--format", "json", "--format", "sarif", "--format", "html"]) == 0
        )
        counts.append(len(report(shop / "redline-report")["findings"]))
    assert counts == [counts[0]] * 3


def test_disk_full_keeps_the_previous_reports(
    tmp_path: Path, tiny_disk: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    src = tmp_path / "src"
    write(src, "app.py", "x = 1\n")
    out = tiny_disk / "out"
    assert audit(src, out, "--format", "json") == 0
    before = {p.name: p.read_bytes() for p in out.iterdir()}
    for i in range(40):  # enough findings that the full report set no longer fits in 64 KiB
        write(src, f"m{i}.py", 'import requests\nrequests.get("https://api.example.com/x")\n' * 20)
    assert audit(src, out) == 2
    assert "No space left on device" in capsys.readouterr().err
    assert {p.name: p.read_bytes() for p in out.iterdir()} == before  # no temporaries, nothing half-written


def test_enospc_at_the_os_boundary_keeps_the_previous_reports(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """The same guarantee where mounting is not allowed: fsync is where a full disk surfaces."""
    src = tmp_path / "src"
    write(src, "app.py", "x = 1\n")
    out = tmp_path / "out"
    assert audit(src, out) == 0
    before = {p.name: p.read_bytes() for p in out.iterdir()}
    calls = {"n": 0}
    real_fsync = os.fsync

    def full_after_two(fd: int) -> None:
        calls["n"] += 1
        if calls["n"] > 2:
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
        real_fsync(fd)

    monkeypatch.setattr("redline.core.outputset.os.fsync", full_after_two)
    write(src, "client.py", 'import requests\nrequests.get("https://api.example.com/x")\n')
    assert audit(src, out, "--fail-on", "medium") == 2
    assert "No space left on device" in capsys.readouterr().err
    assert {p.name: p.read_bytes() for p in out.iterdir()} == before


def test_ctrl_c_between_two_renames_still_leaves_one_whole_set(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The interrupt arrives after the first file is in place; it is delivered once the set is complete."""
    out = tmp_path / "out"
    real_replace = os.replace
    calls = {"n": 0}

    def interrupted_after_one(src: str, dst: Path) -> None:
        real_replace(src, dst)
        calls["n"] += 1
        if calls["n"] == 1:
            os.kill(os.getpid(), signal.SIGINT)

    monkeypatch.setattr("redline.core.outputset.os.replace", interrupted_after_one)
    with pytest.raises(KeyboardInterrupt):
        replace_output_set(out, {"a.json": b"1", "b.md": b"2", "c.html": b"3"})
    assert sorted(p.name for p in out.iterdir()) == [MANIFEST, "a.json", "b.md", "c.html"]
    assert json.loads((out / MANIFEST).read_text())["files"] == ["a.json", "b.md", "c.html"]
