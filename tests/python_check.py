"""Run one file check (or the per-module half of a module check) over Python source the way the pipeline does
(parse, then judge): shared by the resilience and data-path tests, each with its own fixture folder."""

from __future__ import annotations

from pathlib import Path

from redline.checks.interface import CheckContext, FileCheck, ModuleCheck
from redline.core.config import Config
from redline.core.model import Finding
from redline.core.workspace import FileText, SourceFile, read_file
from redline.sources.python import PythonSource

#: a file check, or a module check whose per-module half judges one Python module
Judge = FileCheck | ModuleCheck


def run_file(check: Judge, path: Path, rel: str | None = None) -> list[Finding]:
    """The findings of ``check`` on the file ``path`` (reported under ``rel`` when given)."""
    text = read_file(SourceFile(rel or path.name, str(path), "python", path.stat().st_size))
    return run_text(check, text, path.parent)


def run_source(check: Judge, src: str, rel: str = "app/module.py", root: Path = Path()) -> list[Finding]:
    return run_text(check, FileText(SourceFile(rel, "/dev/null", "python", len(src)), src.encode(), src), root)


def run_text(check: Judge, text: FileText, root: Path) -> list[Finding]:
    module = PythonSource().parse(text)
    ctx = CheckContext(root, Config(), frozenset(r.code for r in check.rules))
    found = check.check_file(module, ctx) if isinstance(check, FileCheck) else check.check_module(module, ctx)
    return sorted(found, key=lambda f: (f.location.start_line, f.rule))


def lines_by_rule(findings: list[Finding]) -> dict[str, list[int]]:
    found: dict[str, list[int]] = {}
    for f in findings:
        found.setdefault(f.rule, []).append(f.location.start_line)
    return found
