"""Small builders shared by the foundation tests."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, cast

from redline.cli.main import main
from redline.core.config import Config
from redline.core.result import AuditResult
from redline.pipeline.catalogue import load_catalogue
from redline.pipeline.run import AuditRequest, run_audit

HTTP_CALL = 'import requests\n\nrequests.get("https://api.example.com/orders")\n'


def write(root: Path, rel: str, text: str) -> Path:
    path = root / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def audit(root: Path, out: Path, *extra: str) -> int:
    return main(["audit", str(root), "--out", str(out), "--quiet", *extra])


def findings(out: Path) -> list[dict[str, Any]]:
    return cast(list[dict[str, Any]], report(out)["findings"])


def report(out: Path) -> dict[str, Any]:
    return cast(dict[str, Any], json.loads((out / "findings.json").read_text()))


def audit_with_catalogue(root: Path, jobs: int) -> AuditResult:
    """Every built-in check, source and step (no plugins) over ``root`` through ``run_audit``, ``jobs`` workers."""
    catalogue = load_catalogue(with_plugins=False)
    return run_audit(
        AuditRequest(
            root=root,
            config=Config(jobs=jobs),
            checks=catalogue.checks,
            file_sources=catalogue.file_sources,
            project_sources=catalogue.project_sources,
            steps=catalogue.steps,
        )
    )
