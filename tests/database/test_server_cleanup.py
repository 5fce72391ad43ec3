"""The throwaway PostgreSQL of the tests goes with the test process, however it ends: a killed ``make test``
once left servers running that the next run had to find and stop by hand."""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

import pytest

from database.server import find_bindir

HOLD = """
import sys, time
sys.path.insert(0, {tests!r})
from database.server import running_server
with running_server() as server:
    print(server.datadir.parent, flush=True)
    time.sleep(600)
"""


def test_a_killed_test_process_leaves_no_server_behind(tmp_path: Path) -> None:
    if find_bindir() is None:
        pytest.skip("no PostgreSQL server binaries (make system-deps installs them)")
    script = tmp_path / "hold.py"
    script.write_text(HOLD.format(tests=str(Path(__file__).resolve().parents[1])))
    proc = subprocess.Popen([sys.executable, str(script)], stdout=subprocess.PIPE, text=True)
    assert proc.stdout is not None
    base = Path(proc.stdout.readline().strip())
    assert (base / "data" / "postmaster.pid").is_file()  # the server is up
    proc.kill()  # no finally block runs
    proc.wait()
    deadline = time.monotonic() + 30
    while base.exists() and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not base.exists()
    running = subprocess.run(["ps", "-eo", "args"], capture_output=True, text=True, check=True).stdout
    assert [line for line in running.splitlines() if str(base) in line] == []
