"""Ctrl-C never hangs: the terminal's SIGINT reaches the whole process group at a random moment, and
every run ends promptly, leaves no worker behind and writes no partial output."""

from __future__ import annotations

import contextlib
import json
import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import psutil
import pytest

from redline.core.outputset import MANIFEST

RUNS = 30
BOUND = 20.0  # seconds from SIGINT to exit, on a busy 2-core machine; a hang never ends
LINE = "lorem ipsum dolor sit amet consectetur adipiscing elit sed do eiusmod\n"


@pytest.fixture(scope="module")
def big_tree(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """About 8 MB of text: above the size at which the audit forks its worker pool."""
    root = tmp_path_factory.mktemp("big") / "src"
    root.mkdir()
    body = LINE * (200_000 // len(LINE))
    for i in range(40):
        (root / f"t{i}.txt").write_text(body)
    return root


@pytest.fixture(scope="module")
def run_time(big_tree: Path, tmp_path_factory: pytest.TempPathFactory) -> float:
    """Wall time of one uninterrupted run on this machine now: the signal's moments are drawn within it, so
    a faster audit or a busier machine still sees most runs interrupted rather than finished."""
    out = tmp_path_factory.mktemp("whole")
    start = time.monotonic()
    subprocess.run(
        [
            sys.executable,
            "-m",
            "redline",
            "audit",
            str(big_tree),
            "--out",
            str(out),
            "-q",
            "--jobs",
            "2",
            "--exit-zero",
        ],
        check=True,
        stdout=subprocess.DEVNULL,
    )
    return time.monotonic() - start


def _wait_for_workers(pid: int) -> None:
    deadline = time.monotonic() + BOUND
    while time.monotonic() < deadline:
        try:
            if psutil.Process(pid).children():
                return
        except psutil.NoSuchProcess:
            return
        time.sleep(0.01)


def _interrupt_once(src: Path, out: Path, delay: float, after_fork: bool) -> tuple[int, str, float]:
    proc = subprocess.Popen(
        [sys.executable, "-m", "redline", "audit", str(src), "--out", str(out), "-q", "--jobs", "2", "--exit-zero"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        start_new_session=True,
    )
    if after_fork:  # half the runs: a moment while the workers are busy, the case that used to hang
        _wait_for_workers(proc.pid)
    time.sleep(delay)
    with_children = [proc.pid]
    with contextlib.suppress(psutil.NoSuchProcess):
        with_children += [c.pid for c in psutil.Process(proc.pid).children(recursive=True)]
    sent = time.monotonic()
    with contextlib.suppress(ProcessLookupError):
        os.killpg(proc.pid, signal.SIGINT)  # what Ctrl-C in a terminal does
    try:
        _, err = proc.communicate(timeout=BOUND)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.communicate()
        pytest.fail(f"hung after SIGINT at {delay:.2f}s")
    elapsed = time.monotonic() - sent
    deadline = time.monotonic() + 5
    while (
        any(psutil.pid_exists(p) and psutil.Process(p).status() != psutil.STATUS_ZOMBIE for p in with_children)
        and time.monotonic() < deadline
    ):
        time.sleep(0.05)
    left = [p for p in with_children if psutil.pid_exists(p) and psutil.Process(p).status() != psutil.STATUS_ZOMBIE]
    assert not left, f"workers left behind after SIGINT at {delay:.2f}s: {left}"
    return proc.returncode, err.decode(), elapsed


def _in_interpreter_start_up(code: int, err: str) -> bool:
    """Python itself was still starting (its streams or ``site``, or importing ``runpy`` to run ``-m redline``),
    before any redline code could handle the signal: it says so and exits 1. (-SIGINT, the other outside case,
    is the default handler at start-up or at interpreter exit.)"""
    starting = err.startswith(("Fatal Python error: init_", "Could not import runpy module"))
    return code == 1 and starting and "KeyboardInterrupt" in err


def _assert_complete_or_absent(out: Path) -> None:
    """Never a half-written set: nothing (an empty folder at most), or every file the manifest lists."""
    names = sorted(p.name for p in out.iterdir()) if out.exists() else []
    if not names:
        return
    assert MANIFEST in names, names
    listed = json.loads((out / MANIFEST).read_text())["files"]
    assert names == sorted([MANIFEST, *listed]), names


def test_sigint_at_random_moments_never_hangs(big_tree: Path, run_time: float, tmp_path: Path) -> None:
    rnd = random.Random(10)
    interrupted = 0
    for i in range(RUNS):
        out = tmp_path / f"out{i}"
        after_fork = i % 2 == 1
        delay = rnd.uniform(0, min(0.3, run_time / 2)) if after_fork else rnd.uniform(0, run_time)
        code, err, elapsed = _interrupt_once(big_tree, out, delay, after_fork)
        assert elapsed < BOUND
        if code == 0:  # finished before the signal arrived: a complete set
            assert (out / "findings.json").is_file()
            continue
        interrupted += 1
        if code != -signal.SIGINT and not _in_interpreter_start_up(code, err):
            assert code == 2 and "interrupted; no output written" in err, err
        _assert_complete_or_absent(out)
    assert interrupted >= RUNS // 4  # the test really interrupted runs, not only finished ones


def test_an_interrupt_wrapped_by_an_import_is_still_an_interrupt(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """Commands import their work lazily; a Ctrl-C inside an import can surface wrapped in another exception
    (``__set_name__`` re-raises it as RuntimeError): the run still says it was interrupted, not a bug."""
    import argparse

    from redline.cli.commands import rules
    from redline.cli.main import main

    def interrupted_import(args: argparse.Namespace) -> int:
        try:
            raise KeyboardInterrupt
        except KeyboardInterrupt as exc:
            raise RuntimeError("Error calling __set_name__") from exc

    monkeypatch.setattr(rules, "run", interrupted_import)
    assert main(["rules"]) == 2
    err = capsys.readouterr().err
    assert "redline: interrupted; no output written" in err and "internal error" not in err
