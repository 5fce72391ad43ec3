"""Run the real pipeline (every built-in check, source and step) and return its map."""

from __future__ import annotations

from pathlib import Path

from redline.checks.builtin import builtin_checks
from redline.core.config import Config
from redline.core.map_model import SystemMap
from redline.core.result import AuditResult
from redline.pipeline.run import AuditRequest, run_audit
from redline.sources.builtin import builtin_file_sources, builtin_project_sources
from redline.synthesis.builtin import builtin_steps

FIXTURES = Path(__file__).parent / "fixtures"


def audit(root: Path, config: Config | None = None) -> AuditResult:
    return run_audit(
        AuditRequest(
            root=root,
            config=config or Config(jobs=1),
            checks=builtin_checks(),
            file_sources=builtin_file_sources(),
            project_sources=builtin_project_sources(),
            steps=builtin_steps(),
        )
    )


def system_map(root: Path) -> SystemMap:
    result = audit(root)
    assert result.system_map is not None
    return result.system_map
