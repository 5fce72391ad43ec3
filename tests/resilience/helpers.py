"""Run one file check over one fixture file, the way the pipeline does (parse, then judge)."""

from __future__ import annotations

from pathlib import Path

from redline.checks.interface import CheckContext, FileCheck
from redline.core.config import Config
from redline.core.model import Finding
from redline.core.workspace import FileText, SourceFile, read_file
from redline.sources.python import PythonSource

FIXTURES = Path(__file__).parent / "fixtures"


def run_fixture(check: FileCheck, name: str, rel: str | None = None) -> list[Finding]:
    """The findings of ``check`` on ``fixtures/<name>.py`` (reported under ``rel`` when given)."""
    path = FIXTURES / f"{name}.py"
    text = read_file(SourceFile(rel or path.name, str(path), "python", path.stat().st_size))
    return run_text(check, text)


def run_source(check: FileCheck, src: str, rel: str = "app/module.py") -> list[Finding]:
    return run_text(check, FileText(SourceFile(rel, "/dev/null", "python", len(src)), src.encode(), src))


def run_text(check: FileCheck, text: FileText) -> list[Finding]:
    module = PythonSource().parse(text)
    ctx = CheckContext(FIXTURES, Config(), frozenset(r.code for r in check.rules))
    return sorted(check.check_file(module, ctx), key=lambda f: (f.location.start_line, f.rule))


def lines_by_rule(findings: list[Finding]) -> dict[str, list[int]]:
    found: dict[str, list[int]] = {}
    for f in findings:
        found.setdefault(f.rule, []).append(f.location.start_line)
    return found
