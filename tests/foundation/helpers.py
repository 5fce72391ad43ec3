"""Small builders shared by the foundation tests."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, cast

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
    return cast(list[dict[str, Any]], report(out)["findings"])


def report(out: Path) -> dict[str, Any]:
    return cast(dict[str, Any], json.loads((out / "findings.json").read_text()))
