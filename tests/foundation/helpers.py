"""Small builders shared by the foundation tests."""

from __future__ import annotations

from pathlib import Path

from audit_helpers import audit_catalogue
from redline.core.config import Config
from redline.core.result import AuditResult

HTTP_CALL = 'import requests\n\nrequests.get("https://api.example.com/orders")\n'


def write(root: Path, rel: str, text: str) -> Path:
    path = root / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def audit_with_catalogue(root: Path, jobs: int) -> AuditResult:
    """Every built-in check, source and step (no plugins) over ``root`` through ``run_audit``, ``jobs`` workers."""
    result: AuditResult = audit_catalogue(root, Config(jobs=jobs))
    return result
