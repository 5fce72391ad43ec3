"""Run one file check over one fixture file (tests/python_check.py does the work)."""

from __future__ import annotations

from pathlib import Path

from python_check import lines_by_rule, run_file, run_source
from redline.checks.interface import FileCheck, ModuleCheck
from redline.core.model import Finding

FIXTURES = Path(__file__).parent / "fixtures"

__all__ = ["FIXTURES", "lines_by_rule", "run_fixture", "run_source"]


def run_fixture(check: FileCheck | ModuleCheck, name: str, rel: str | None = None) -> list[Finding]:
    """The findings of ``check`` on ``fixtures/<name>.py`` (reported under ``rel`` when given)."""
    return list(run_file(check, FIXTURES / f"{name}.py", rel))
