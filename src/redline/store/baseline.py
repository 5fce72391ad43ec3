"""Baselines: the fingerprints of accepted findings, in a versioned JSON file.

Like detect-secrets' baseline, an entry's identity carries no line number,
so a baseline survives edits. Older versions are migrated on read.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from redline.core.atomic import write_atomic
from redline.core.model import Finding

BASELINE_VERSION = 1


class BaselineError(ValueError):
    """The baseline file is unreadable or of an unknown version."""


def baseline_document(findings: Iterable[Finding]) -> dict[str, Any]:
    entries = sorted(
        ({"fingerprint": f.fingerprint, "rule": f.rule, "path": f.location.path} for f in findings),
        key=lambda e: (e["path"], e["rule"], e["fingerprint"]),
    )
    unique = list({e["fingerprint"]: e for e in entries}.values())
    return {"version": BASELINE_VERSION, "tool": "redline", "findings": unique}


def write_baseline(path: Path, findings: Iterable[Finding]) -> int:
    doc = baseline_document(findings)
    write_atomic(path, (json.dumps(doc, indent=2) + "\n").encode())
    return len(doc["findings"])


def read_baseline(path: Path) -> frozenset[str]:
    try:
        doc = json.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise BaselineError(f"{path}: cannot read baseline: {exc.strerror}") from None
    except (UnicodeDecodeError, ValueError) as exc:  # JSONDecodeError, or a number too long to convert
        raise BaselineError(f"{path}: not a JSON baseline: {exc}") from None
    except RecursionError:
        raise BaselineError(f"{path}: not a JSON baseline: nested too deeply") from None
    return frozenset(_migrate(doc, path))


def _migrate(doc: Any, path: Path) -> list[str]:
    if isinstance(doc, list):  # version 0: a bare list of fingerprints
        return [str(x) for x in doc]
    if not isinstance(doc, dict) or "version" not in doc:
        raise BaselineError(f"{path}: not a redline baseline (no 'version')")
    if doc["version"] != BASELINE_VERSION:
        raise BaselineError(
            f"{path}: baseline version {doc['version']!r} is not supported "
            f"(this redline reads version {BASELINE_VERSION})"
        )
    try:
        return [str(e["fingerprint"]) for e in doc["findings"]]
    except (KeyError, TypeError):
        raise BaselineError(f"{path}: malformed baseline entries") from None
