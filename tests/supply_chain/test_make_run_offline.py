"""`make run` on a fresh clone with no ../shared and no network: the database step never fails the run,
the audit goes on without it and the report says so at its top."""

from __future__ import annotations

import importlib.util
import subprocess
import sys
from pathlib import Path
from types import ModuleType

import pytest

from redline.sources.advisories.database import SCHEMA_VERSION

REPO = Path(__file__).resolve().parents[2]


def _example_db() -> ModuleType:
    spec = importlib.util.spec_from_file_location("example_db", REPO / "scripts" / "example_db.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_no_mirror_and_no_network_builds_nothing_and_exits_0(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    example_db = _example_db()
    assert not example_db.reachable("upstream.invalid", timeout=1.0)
    code = example_db.main(str(tmp_path / "no-shared"), str(tmp_path / "db"), upstream_host="upstream.invalid")
    assert code == 0
    assert not (tmp_path / "db").exists()
    assert "auditing without the vulnerability database" in capsys.readouterr().err


def test_audit_without_database_says_so_at_the_top(tmp_path: Path) -> None:
    out = tmp_path / "out"
    proc = subprocess.run(
        [
            str(Path(sys.executable).with_name("redline")),
            "audit",
            str(REPO / "examples" / "shop"),
            "--out",
            str(out),
            "--exit-zero",
        ],
        capture_output=True,
        text=True,
        check=False,
        timeout=300,
        env={"REDLINE_DB_DIR": str(tmp_path / "missing-db"), "PATH": "/usr/bin:/bin", "HOME": str(tmp_path)},
    )
    assert proc.returncode == 0, proc.stderr
    assert "note: no vulnerability database at" in proc.stdout  # the terminal says it too
    summary = (out / "summary.md").read_text().splitlines()
    assert summary[2].startswith("> **vulnerability database**: no vulnerability database at ")
    assert "Dependencies were NOT checked for known vulnerabilities" in summary[2]
    html = (out / "report.html").read_text()
    assert html.index("Dependencies were NOT checked") < html.index("<h2>Findings by priority</h2>")


def test_a_database_of_another_schema_is_built_again(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """The marker records the schema the database was built for: after a schema change `make run` rebuilds
    instead of auditing with a database the audit refuses."""
    example_db = _example_db()
    db = tmp_path / "db"
    db.mkdir()
    (db / example_db.MARKER).write_text(SCHEMA_VERSION + "\n")
    assert example_db.main(str(tmp_path / "no-shared"), str(db), upstream_host="upstream.invalid") == 0
    assert capsys.readouterr().err == ""  # current: nothing to do
    (db / example_db.MARKER).write_text("1\n")  # built before Go imports were kept
    assert example_db.main(str(tmp_path / "no-shared"), str(db), upstream_host="upstream.invalid") == 0
    assert "auditing without the vulnerability database" in capsys.readouterr().err  # it tried to rebuild
