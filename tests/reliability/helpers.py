"""Builders shared by the reliability tests: a tree on disk, one CLI run, its outputs."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from redline.cli.main import main

DOCKERFILE = "FROM python:latest\nRUN pip install flask\n"


def write(root: Path, rel: str, text: str | bytes) -> Path:
    path = root / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(text, bytes):
        path.write_bytes(text)
    else:
        path.write_text(text, encoding="utf-8")
    return path


def audit(root: Path, out: Path, *extra: str) -> int:
    return main(["audit", str(root), "--out", str(out), "--quiet", *extra])


def report(out: Path) -> dict[str, Any]:
    return json.loads((out / "findings.json").read_text())  # type: ignore[no-any-return]
