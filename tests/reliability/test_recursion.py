"""Inputs nested 100,000 deep are reported as not covered, never a RecursionError or a lost source."""

from __future__ import annotations

from pathlib import Path

import pytest

from redline.cli.main import main

from .helpers import audit, report, write

DEPTH = 100_000


def _deep_json() -> str:
    return '{"name": "app", "license": "MIT", "x": ' + "[" * DEPTH + "]" * DEPTH + "}"


def _no_crash(doc: dict[str, object]) -> None:
    errors = doc["errors"]
    assert isinstance(errors, list)
    assert not [e for e in errors if e["fatal"]], errors
    assert "RecursionError" not in str(doc)


def test_deep_package_json_loses_only_itself_in_the_licence_source(tmp_path: Path) -> None:
    src = tmp_path / "src"
    write(src, "package.json", _deep_json())
    write(src, "node_modules/left-pad/package.json", '{"name": "left-pad", "version": "1.3.0", "license": "WTFPL"}')
    write(src, "redline.toml", '[supply_chain]\nlicense_deny = ["WTFPL"]\n')
    assert audit(src, tmp_path / "out", "--exit-zero", "--include-ignored") == 0
    doc = report(tmp_path / "out")
    _no_crash(doc)
    assert any(e["where"] == "package.json" and "nested too deeply" in e["reason"] for e in doc["errors"])
    assert "package.json" in {e["path"] for e in doc["not_covered"]}
    assert any(f["location"]["path"] == "node_modules/left-pad/package.json" for f in doc["findings"]), (
        "the other packages' licences must still be judged"
    )


def test_deep_root_pyproject_in_config_discovery(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    src = tmp_path / "src"
    write(src, "pyproject.toml", "[project]\nname = 'app'\nx = " + "[" * DEPTH + "]" * DEPTH + "\n")
    assert main(["audit", str(src), "--out", str(tmp_path / "out"), "-q"]) == 0
    assert "Traceback" not in capsys.readouterr().err
    doc = report(tmp_path / "out")
    _no_crash(doc)
    assert "pyproject.toml" in {e["path"] for e in doc["not_covered"]}


def test_deep_config_file_is_a_clear_error(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    src = tmp_path / "src"
    write(src, "redline.toml", "x = " + "[" * DEPTH + "]" * DEPTH + "\n")
    assert main(["audit", str(src), "--out", str(tmp_path / "out"), "-q"]) == 2
    assert "redline.toml: invalid TOML: nested too deeply" in capsys.readouterr().err


DEEP_FILES = {
    "package-lock.json": lambda: '{"lockfileVersion": 3, "packages": ' + "[" * DEPTH + "]" * DEPTH + "}",
    "composer.lock": lambda: '{"packages": ' + "[" * DEPTH + "]" * DEPTH + "}",
    "Cargo.lock": lambda: "version = 3\nx = " + "[" * DEPTH + "]" * DEPTH + "\n",
    "pnpm-lock.yaml": lambda: "lockfileVersion: '9.0'\nx: " + "[" * DEPTH + "]" * DEPTH + "\n",
    "deploy.yaml": lambda: "apiVersion: v1\nkind: Pod\nx: " + "[" * DEPTH + "]" * DEPTH + "\n",
    "compose.yaml": lambda: "services:\n  web:\n    x: " + "[" * DEPTH + "]" * DEPTH + "\n",
    "main.tf.json": lambda: '{"resource": ' + "[" * DEPTH + "]" * DEPTH + "}",
    "prod.tfvars": lambda: "x = " + "[" * DEPTH + "]" * DEPTH + "\n",
    "plan.tfplan.json": lambda: '{"format_version": "1.2", "x": ' + "[" * DEPTH + "]" * DEPTH + "}",
    "app.py": lambda: "x = " + "(" * DEPTH + ")" * DEPTH + "\n",
}


@pytest.mark.parametrize("name", sorted(DEEP_FILES))
def test_every_reader_reports_deep_nesting_as_not_covered(tmp_path: Path, name: str) -> None:
    src = tmp_path / "src"
    write(src, name, DEEP_FILES[name]())
    assert audit(src, tmp_path / "out", "--exit-zero") == 0
    doc = report(tmp_path / "out")
    _no_crash(doc)
    assert name in {e["path"] for e in doc["not_covered"]}, doc["not_covered"]
