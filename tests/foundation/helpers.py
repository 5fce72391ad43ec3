"""Small builders shared by the foundation tests."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from redline.cli.main import main

HTTP_CALL = 'import requests\n\nrequests.get("https://api.example.com/orders")\n'


def write(root: Path, rel: str, text: str) -> Path:
    path = root / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def audit(root: Path, out: Path, *extra: str) -> int:
    return main(["audit", str(root), "--out", str(out), "--quiet", *extra])


def findings(out: Path) -> list[dict[str, Any]]:
    return json.loads((out / "findings.json").read_text())["findings"]  # type: ignore[no-any-return]


def report(out: Path) -> dict[str, Any]:
    return json.loads((out / "findings.json").read_text())  # type: ignore[no-any-return]
