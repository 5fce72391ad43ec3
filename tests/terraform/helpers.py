"""Run the Terraform sources and checks through the real pipeline."""

from __future__ import annotations

from pathlib import Path

from redline.checks import terraform as tf_checks
from redline.core.config import Config
from redline.core.result import AuditResult
from redline.pipeline.run import AuditRequest, run_audit
from redline.sources import terraform as tf_sources

FIXTURES = Path(__file__).parent / "fixtures"


def audit(root: Path, config: Config | None = None) -> AuditResult:
    return run_audit(
        AuditRequest(
            root=root,
            config=config or Config(jobs=1),
            checks=list(tf_checks.checks()),
            file_sources=tf_sources.file_sources(),
            project_sources=tf_sources.project_sources(),
        )
    )


def write(root: Path, rel: str, text: str) -> Path:
    path = root / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path
