"""Faults injected into real runs: a worker killed, the database truncated, the cache read-only.

Each asserts a clear message, the exit code, and that the output folder holds either the previous good
set untouched or a complete new one (never a mix, never a torn file). The full disk is in
``test_output_set``.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import psutil
import pytest

from redline.cli.main import main
from redline.sources.advisories.database import DB_FILENAME
from redline.sources.advisories.update import update_database

from .helpers import audit, report, write

LINE = "lorem ipsum dolor sit amet consectetur adipiscing elit sed do eiusmod\n"


def _snapshot(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in folder.iterdir()}


def test_killed_worker_stops_the_run_and_keeps_the_previous_reports(tmp_path: Path) -> None:
    src = tmp_path / "src"
    for i in range(40):
        write(src, f"t{i}.txt", LINE * 3000)
    out = tmp_path / "out"
    assert audit(src, out, "--exit-zero") == 0
    before = _snapshot(out)
    for i in range(400):  # more work, so the workers are still busy when one is killed
        write(src, f"more/t{i}.txt", LINE * 3000)
    proc = subprocess.Popen(
        # three workers: the main process and two forked ones (two forked workers tell the pool from a lone
        # subprocess between fork and exec)
        [sys.executable, "-m", "redline", "audit", str(src), "--out", str(out), "-q", "--jobs", "3", "--exit-zero"],
        stderr=subprocess.PIPE,
        text=True,
    )
    deadline = time.monotonic() + 60
    victim = None
    workers: list[psutil.Process] = []
    while victim is None and time.monotonic() < deadline and proc.poll() is None:
        with contextlib.suppress(psutil.Error):  # a child may end between listing and reading it
            parent = psutil.Process(proc.pid)
            # a forked worker runs the parent's command line; a `git` the run starts is not a worker
            workers = [c for c in parent.children() if c.cmdline() == parent.cmdline()]
            # both pool workers up: a lone same-command child can be a subprocess between fork and exec
            victim = workers[0] if len(workers) >= 2 else None
        time.sleep(0.01)
    assert victim is not None, "the run never started workers"
    os.kill(victim.pid, signal.SIGKILL)
    _, err = proc.communicate(timeout=60)
    assert proc.returncode == 2
    assert "a worker process died (killed by signal 9)" in err and "no output written" in err
    assert _snapshot(out) == before
    assert _leftovers(workers, within=10.0) == []


def _leftovers(workers: list[psutil.Process], within: float) -> list[int]:
    """This run's workers still alive once ``within`` seconds have passed: a worker sent SIGKILL is gone at once on
    an idle machine, and within seconds under load average 10. Only this run's own processes are looked at (a
    redline another test started in the same test process is not this run's; ``is_running`` also tells a reused
    pid from the worker)."""
    deadline = time.monotonic() + within
    while True:
        alive = []
        for worker in workers:
            with contextlib.suppress(psutil.Error):  # gone between listing and reading it
                if worker.is_running() and worker.status() != psutil.STATUS_ZOMBIE:
                    alive.append(worker.pid)
        if not alive or time.monotonic() >= deadline:
            return alive
        time.sleep(0.05)


@pytest.fixture(scope="module")
def small_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from supply_chain.test_db_update import small_mirror

    base = tmp_path_factory.mktemp("db")
    update_database(base / "db", mirror=str(small_mirror(base / "mirror")), ecosystems=("PyPI",))
    return base / "db" / DB_FILENAME


@pytest.mark.parametrize("keep", [0.02, 0.3, 0.6, 0.95])
def test_truncated_database_is_reported_not_trusted(
    tmp_path: Path, small_db: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], keep: float
) -> None:
    db_dir = tmp_path / "db"
    db_dir.mkdir()
    data = small_db.read_bytes()
    (db_dir / DB_FILENAME).write_bytes(data[: int(len(data) * keep)])
    monkeypatch.setenv("REDLINE_DB_DIR", str(db_dir))
    src = tmp_path / "src"
    write(src, "requirements.txt", "demo-pkg==1.0\n")
    assert main(["audit", str(src), "--out", str(tmp_path / "out")]) == 0
    terminal = capsys.readouterr().out
    assert "not a readable vulnerability database" in terminal
    assert "Dependencies were NOT checked for known vulnerabilities" in terminal
    doc = report(tmp_path / "out")
    assert ("requirements.txt", "not checked for known vulnerabilities: no usable database") in {
        (e["path"], e["reason"]) for e in doc["not_covered"]
    }
    assert main(["audit", str(src), "--out", str(tmp_path / "gate"), "-q", "--fail-on-not-covered"]) == 1


def test_read_only_cache_dir_changes_nothing_but_speed(
    tmp_path: Path, read_only_dir: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    src = tmp_path / "src"
    write(src, "settings.py", 'GITHUB_TOKEN = "ghp_' + "Ab3dE6gH9jK2mN5pQ8sT1vW4yZ7bC0eF3hJ6" + '"\n')
    monkeypatch.setenv("REDLINE_CACHE_DIR", str(tmp_path / "cache"))
    assert audit(src, tmp_path / "warm", "--exit-zero") == 0
    monkeypatch.setenv("REDLINE_CACHE_DIR", str(read_only_dir))
    capsys.readouterr()
    assert main(["audit", str(src), "--out", str(tmp_path / "out-ro"), "--exit-zero"]) == 0  # not -q: warnings show
    assert os.listdir(read_only_dir) == []
    err = capsys.readouterr().err
    assert f"cache directory {read_only_dir} cannot be written (" in err  # said, once per folder and reason
    assert err.count("rebuilt on every run; point REDLINE_CACHE_DIR at a writable folder") == 1
    warm = report(tmp_path / "warm")["findings"]
    assert report(tmp_path / "out-ro")["findings"] == warm
    assert warm and warm[0]["rule"].startswith("SEC")


def test_cache_dir_that_is_a_file_changes_nothing(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The same where mounting is not allowed: a file where the cache folder should be."""
    src = tmp_path / "src"
    write(src, "settings.py", 'GITHUB_TOKEN = "ghp_' + "Ab3dE6gH9jK2mN5pQ8sT1vW4yZ7bC0eF3hJ6" + '"\n')
    blocker = write(tmp_path, "cache-file", "x")
    monkeypatch.setenv("REDLINE_CACHE_DIR", str(blocker / "redline"))
    assert audit(src, tmp_path / "out", "--exit-zero") == 0
    assert next(f["rule"] for f in report(tmp_path / "out")["findings"]).startswith("SEC")
    assert blocker.read_text() == "x"
    shutil.rmtree(tmp_path / "out")
