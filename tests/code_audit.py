"""One audit of a fixture tree with the given checks only, as the code-rule tests run it."""

from __future__ import annotations

from pathlib import Path

from redline.checks.interface import Check
from redline.core.config import Config
from redline.core.model import Finding
from redline.pipeline.run import AuditRequest, run_audit
from redline.sources.builtin import builtin_file_sources, builtin_project_sources


def findings_of(root: Path, *checks: Check) -> list[Finding]:
    """The findings of ``checks`` over ``root`` (no tool errors allowed)."""
    result = run_audit(
        AuditRequest(
            root=root,
            config=Config(jobs=1),
            checks=list(checks),
            file_sources=builtin_file_sources(),
            project_sources=builtin_project_sources(),
        )
    )
    assert not result.errors
    return list(result.findings)
