"""A file name that is not UTF-8 is audited and reported in an escaped form, in every output."""

from __future__ import annotations

import json
import os
from pathlib import Path

from redline.core.workspace import Workspace, display_name

from .helpers import DOCKERFILE, audit, report


def _tree_with_latin1_name(tmp_path: Path) -> Path:
    src = tmp_path / "src"
    folder = os.path.join(os.fsencode(src), b"caf\xe9")
    os.makedirs(folder)
    with open(os.path.join(folder, b"Dockerfile"), "w", encoding="utf-8") as fh:
        fh.write(DOCKERFILE)
    return src


def test_display_name_escapes_undecodable_bytes_only() -> None:
    assert display_name(os.fsdecode(b"caf\xe9")) == "caf\\xe9"
    assert display_name("café") == "café"


def test_walk_lists_the_escaped_name_and_keeps_the_real_path(tmp_path: Path) -> None:
    src = _tree_with_latin1_name(tmp_path)
    [file] = Workspace(src, max_file_size=1 << 20).walk().files
    assert file.path == "caf\\xe9/Dockerfile"
    assert Path(file.abspath).read_text() == DOCKERFILE


def test_audit_reports_the_file_in_every_output(tmp_path: Path) -> None:
    src = _tree_with_latin1_name(tmp_path)
    out = tmp_path / "out"
    assert audit(src, out, "--exit-zero") == 0
    paths = {f["location"]["path"] for f in report(out)["findings"]}
    assert paths == {"caf\\xe9/Dockerfile"}
    sarif = json.loads((out / "findings.sarif").read_text())
    uris = {r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] for r in sarif["runs"][0]["results"]}
    assert uris and all(u.startswith("caf") and u.endswith("/Dockerfile") for u in uris)
    assert "caf\\xe9/Dockerfile" in (out / "summary.md").read_text(encoding="utf-8")
    assert "caf\\\\xe9/Dockerfile" in (out / "report.html").read_text(encoding="utf-8")  # JSON inside the page


def test_gitignore_the_regex_engine_refuses_is_reported_not_fatal(tmp_path: Path) -> None:
    """A fuzz find: a 200 KB pattern crashed the walk (the regex backend refuses it)."""
    (tmp_path / ".gitignore").write_text("a" * 200_000 + "*\n")
    (tmp_path / "app.py").write_text("x = 1\n")
    walk = Workspace(tmp_path, max_file_size=1 << 20).walk()
    assert [f.path for f in walk.files] == [".gitignore", "app.py"]
    assert [s.path for s in walk.skipped] == [".gitignore"] and "not honoured" in walk.skipped[0].reason


def test_repeated_gitignore_lines_compile_once(tmp_path: Path) -> None:
    """A fuzz find: 12,000 repeated lines took 20 s to compile; the last copy of each is all that counts."""
    (tmp_path / ".gitignore").write_text("*.log\n!keep.log\nbuild/\n" * 4000)
    for name in ("a.log", "keep.log", "build/x.py", "app.py"):
        (tmp_path / name).parent.mkdir(exist_ok=True)
        (tmp_path / name).write_text("x\n")
    walk = Workspace(tmp_path, max_file_size=1 << 20).walk()
    assert [f.path for f in walk.files] == [".gitignore", "app.py", "keep.log"]
