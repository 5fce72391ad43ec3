"""``redline audit --record`` / ``--store`` and ``redline history [export]`` end to end on a small tree."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest

from redline.cli.main import main

CALL = 'import requests\nrequests.get("http://example.test/a")\n'


def tree(tmp_path: Path) -> Path:
    root = tmp_path / "svc"
    root.mkdir()
    (root / "app.py").write_text(CALL)
    return root


def audit(root: Path, tmp_path: Path, *extra: str) -> int:
    return main(["audit", str(root), "--out", str(tmp_path / "out"), "--exit-zero", "-q", "--format", "json", *extra])


def test_record_then_resolve_and_export(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    root = tree(tmp_path)
    assert audit(root, tmp_path, "--record") == 0
    assert (root / ".redline" / "history.db").is_file()
    (root / "app.py").write_text('import requests\nrequests.get("http://example.test/a", timeout=5)\n')
    assert audit(root, tmp_path, "--record") == 0
    capsys.readouterr()

    assert main(["history", "--root", str(root)]) == 0
    out = capsys.readouterr().out
    assert f"{root.resolve()}: 2 run(s)" in out
    assert "open items: 0; SLA breaches: 0" in out
    assert "MTTR medium: 0.0 days over 1 resolved" in out

    assert main(["history", "export", "--root", str(root), "--items"]) == 0
    rows = list(csv.DictReader(io.StringIO(capsys.readouterr().out)))
    assert [(r["rule"], r["path"], r["severity"], r["sla_days"]) for r in rows] == [
        ("RES101", "app.py", "medium", "90")
    ]
    assert rows[0]["resolved_at"] != "" and rows[0]["age_days"] == ""

    target = tmp_path / "runs.csv"
    assert main(["history", "export", "--root", str(root), "-o", str(target)]) == 0
    runs = list(csv.DictReader(target.open()))
    assert [(r["run"], r["items"], r["metric:open_total"]) for r in runs] == [("1", "1", "1"), ("2", "0", "0")]


def test_history_dir_is_never_audited(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    root = tree(tmp_path)
    (root / "app.py").write_text("x = 1\n")
    (root / ".redline").mkdir()
    (root / ".redline" / "leftover.py").write_text(CALL)
    assert audit(root, tmp_path, "--record") == 0
    capsys.readouterr()
    assert main(["history", "export", "--root", str(root), "--items"]) == 0
    assert capsys.readouterr().out.count("\n") == 1  # the header only


def test_store_in_config_records_by_default(tmp_path: Path) -> None:
    root = tree(tmp_path)
    db = tmp_path / "team.db"
    (root / "redline.toml").write_text(f'[history]\nstore = "{db}"\nsla_days = {{ medium = 1 }}\n')
    assert audit(root, tmp_path) == 0
    assert db.is_file() and not (root / ".redline").exists()
    assert audit(root, tmp_path, "--no-record") == 0
    from redline.store.engine import open_store
    from redline.store.query import list_runs

    assert len(list_runs(open_store(str(db)))) == 1


def test_without_store_nothing_is_recorded(tmp_path: Path) -> None:
    root = tree(tmp_path)
    assert audit(root, tmp_path) == 0
    assert not (root / ".redline").exists()


def test_bad_sla_is_a_config_error(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    root = tree(tmp_path)
    (root / "redline.toml").write_text("[history]\nsla_days = { critical = 0 }\n")
    assert audit(root, tmp_path) == 2
    assert "key 'history.sla_days.critical' must be a positive number of days" in capsys.readouterr().err


def test_unreachable_store_is_reported_without_its_password(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    root = tree(tmp_path)
    code = audit(root, tmp_path, "--store", "postgresql://u:hunter2@127.0.0.1:1/nodb")
    err = capsys.readouterr().err
    assert code == 2
    assert "history store postgresql+psycopg://u:***@127.0.0.1:1/nodb: cannot open" in err
    assert "hunter2" not in err
    assert not (tmp_path / "out").exists()  # said before the run, not after minutes of auditing


def test_history_without_store_says_how_to_start(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["history", "--root", str(tmp_path)]) == 2
    assert "no history at" in capsys.readouterr().err
