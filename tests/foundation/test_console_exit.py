"""The console entry point leaves with ``os._exit`` (no freeing of the run's facts, no module teardown):
what it printed and wrote must still all be there, with the exit code ``main`` chose."""

from __future__ import annotations

import gc
import json
import os
import subprocess
import sys
from pathlib import Path

from redline.core.config import Config
from redline.pipeline import lifetime
from redline.pipeline.run import AuditRequest, run_audit


def _console(args: list[str], tmp_path: Path) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k != "PYTHONUNBUFFERED"}  # stdout block-buffered into the pipe
    env["REDLINE_CACHE_DIR"] = str(tmp_path / "cache")
    return subprocess.run(
        [sys.executable, "-m", "redline", *args], capture_output=True, text=True, timeout=120, env=env, check=False
    )


def _tree(tmp_path: Path) -> Path:
    src = tmp_path / "src"
    src.mkdir()
    (src / "app.py").write_text("import requests\n\n\ndef fetch(url):\n    return requests.get(url)\n")
    return src


def test_console_flushes_the_summary_and_writes_the_reports(tmp_path: Path) -> None:
    out = tmp_path / "out"
    done = _console(["audit", str(_tree(tmp_path)), "--out", str(out), "--format", "json", "--no-record"], tmp_path)
    assert done.returncode == 0, done.stderr
    assert f"wrote {out / 'findings.json'}" in done.stdout  # printed into a pipe, flushed before os._exit
    findings = json.loads((out / "findings.json").read_text())["findings"]
    assert [(f["rule"], f["location"]["start_line"]) for f in findings] == [("RES101", 5)]  # no timeout


def test_console_exits_with_the_gate_code(tmp_path: Path) -> None:
    args = ["audit", str(_tree(tmp_path)), "--out", str(tmp_path / "out"), "--no-record", "--fail-on", "medium"]
    done = _console(args, tmp_path)
    assert done.returncode == 1, done.stderr
    assert "gate FAILED at medium" in done.stdout


def test_console_keeps_the_exit_code_of_bad_usage(tmp_path: Path) -> None:
    done = _console(["audit", "--no-such-option"], tmp_path)
    assert done.returncode == 2
    assert "unrecognized arguments: --no-such-option" in done.stderr


def test_in_process_runs_keep_nothing_alive(tmp_path: Path) -> None:
    assert lifetime._kept is None  # only the console entry point says it is leaving
    run_audit(AuditRequest(root=_tree(tmp_path), config=Config(), checks=[], file_sources=[]))
    assert lifetime._kept is None


def test_what_a_leaving_run_keeps_is_out_of_the_collectors_sight(tmp_path: Path) -> None:
    """Reports written after the run must not start a full collection over every fact (never freed anyway)."""
    facts = [[n] for n in range(1000)]  # tracked containers, like the run's facts
    gc.unfreeze()  # whatever an earlier test left frozen
    lifetime.leaving_soon()
    try:
        lifetime.keep(facts)
        frozen = gc.get_freeze_count()
    finally:
        lifetime._kept = None
        gc.unfreeze()
    assert frozen >= len(facts)
