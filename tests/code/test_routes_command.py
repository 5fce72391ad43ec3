"""``redline routes``: the table, JSON and CSV of the entry points."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest

from redline.cli.main import main

FIXTURES = Path(__file__).parent / "fixtures" / "routes"


def test_table_json_and_csv(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["routes", str(FIXTURES / "fastapiapp"), "--jobs", "1"]) == 0
    table = capsys.readouterr().out.splitlines()
    assert table[0].split() == [
        "METHODS",
        "PATH",
        "HANDLER",
        "AUTHENTICATED",
        "AUTHORIZED",
        "FILE",
        "LINE",
        "FRAMEWORK",
    ]
    assert table[2].split() == ["POST", "/v1/items/", "create_item", "yes", "unknown", "main.py", "15", "fastapi"]
    assert main(["routes", str(FIXTURES / "fastapiapp"), "--format", "json", "--jobs", "1"]) == 0
    routes = json.loads(capsys.readouterr().out)["routes"]
    assert [(r["path"], r["auth_evidence"]) for r in routes][2] == (
        "/things/{tid}",
        ["Security(get_current_user, scopes=things:write)"],
    )
    assert main(["routes", str(FIXTURES / "aioapp"), "--format", "csv", "--jobs", "1"]) == 0
    rows = list(csv.reader(io.StringIO(capsys.readouterr().out)))
    assert rows[1:] == [
        ["GET", "/profile", "profile", "no", "no", "server.py", "10", "aiohttp"],
        ["POST", "/login", "login", "no", "no", "server.py", "17", "aiohttp"],
        ["DELETE", "/session", "login", "no", "no", "server.py", "18", "aiohttp"],
    ]


def test_unparsable_module_is_reported_and_the_rest_listed(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "app.py").write_text(
        'from flask import Flask\napp = Flask(__name__)\n@app.post("/x")\ndef x():\n    pass\n'
    )
    (tmp_path / "broken.py").write_text("def (:\n")
    (tmp_path / "bundle.py").write_text("x = '" + "a" * 20_000 + "'\n")
    (tmp_path / "blob.py").write_bytes(b"\x00\x01\x02binary" * 100)
    assert main(["routes", str(tmp_path), "--jobs", "1"]) == 0
    captured = capsys.readouterr()
    assert "/x" in captured.out
    assert "broken.py" in captured.err and "syntax error at line 1" in captured.err
    assert "bundle.py" in captured.err and "minified or generated" in captured.err
    assert "blob.py" in captured.err and "binary" in captured.err
