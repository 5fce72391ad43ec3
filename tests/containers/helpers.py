"""Run the container checks on fixture files without the whole pipeline."""

from __future__ import annotations

from pathlib import Path

from redline.checks.containers import checks
from redline.checks.interface import CheckContext, FileCheck, ProjectCheck
from redline.core.config import Config
from redline.core.facts import Facts
from redline.core.model import Finding
from redline.core.workspace import SourceFile, Workspace, read_file
from redline.sources.containers import file_sources, project_sources
from redline.sources.interface import ProjectContext

FIXTURES = Path(__file__).parent / "fixtures"


def run(root: Path, only: str = "") -> list[Finding]:
    """Sources and checks of this family over a directory, as the pipeline would run them."""
    walk = Workspace(root, max_file_size=50 * 1024 * 1024).walk()
    facts: list[object] = []
    cs = checks()
    ctx = CheckContext(root, Config(), frozenset(r.code for c in cs for r in c.rules))
    findings: list[Finding] = []
    for file in walk.files:
        for source in file_sources():
            if source.wants(file):
                fact = source.parse(read_file(file))
                if fact is not None:
                    facts.append(fact)
    for project_source in project_sources():
        facts.extend(project_source.collect(ProjectContext(root, Config(), tuple(walk.files))).facts)
    for check in cs:
        if isinstance(check, FileCheck):
            for fact in facts:
                if isinstance(fact, check.fact_types):
                    findings.extend(check.check_file(fact, ctx))
        elif isinstance(check, ProjectCheck):
            findings.extend(f for f in check.check(Facts(facts), ctx) if isinstance(f, Finding))
    return sorted((f for f in findings if f.rule.startswith(only)), key=Finding.sort_key)


def summary(findings: list[Finding]) -> set[tuple[str, str, int, str, str]]:
    """(rule, path, first line, resource, container) — the exact set a fixture must produce."""
    return {
        (f.rule, f.location.path, f.location.start_line, f.location.resource, f.evidence.text("container"))
        for f in findings
    }


def single_file(path: Path) -> SourceFile:
    return SourceFile(path.name, str(path), "yaml", path.stat().st_size)
