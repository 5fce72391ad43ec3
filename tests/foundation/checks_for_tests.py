"""Tiny real checks used to exercise the pipeline (they judge real parsed files)."""

from __future__ import annotations

from collections.abc import Iterable

from redline.checks.interface import CheckContext, FileCheck, ProjectCheck
from redline.core.facts import Facts
from redline.core.model import Area, Finding, Location, Severity
from redline.core.rules import Rule, RuleDoc
from redline.core.workspace import FileText
from redline.sources.python import PythonModule

DOC = RuleDoc(
    "Finds the word TODO-SECRET.", "It is a test.", "x = 'TODO-SECRET'", "x = 'done'", ("https://example.com",)
)
MARKER = Rule("TST101", "marker-word", Area.SECURITY, Severity.HIGH, "the marker word", DOC, ("CWE-798",))
BOOM = Rule("TST102", "always-fails", Area.PERFORMANCE, Severity.LOW, "raises on files named boom.py", DOC)
COUNT = Rule("TST103", "module-count", Area.MAP, Severity.INFO, "counts modules", DOC)


class MarkerCheck(FileCheck):
    """Flags every line holding the marker, on raw text (so it runs on every file)."""

    name = "marker"
    rules = (MARKER,)
    fact_types = (FileText,)

    def check_file(self, fact: FileText, ctx: CheckContext) -> Iterable[Finding]:
        for number, line in enumerate(fact.text.splitlines(), 1):
            col = line.find("TODO-SECRET")
            if col >= 0:
                yield self.finding(
                    MARKER,
                    "marker word found",
                    Location(fact.file.path, number, number, col + 1, col + 12, line.strip()),
                )


class FailingCheck(FileCheck):
    name = "always-fails"
    rules = (BOOM,)
    fact_types = (PythonModule,)

    def check_file(self, fact: PythonModule, ctx: CheckContext) -> Iterable[Finding]:
        if fact.path.endswith("boom.py"):
            raise ValueError("simulated bug")
        return []


class ModuleCountCheck(ProjectCheck):
    name = "module-count"
    rules = (COUNT,)
    fact_types = (PythonModule,)

    def check(self, facts: Facts, ctx: CheckContext) -> Iterable[Finding]:
        raise RuntimeError("project check bug")
