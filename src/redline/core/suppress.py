"""Inline suppressions: ``# redline: ignore[CODE, CODE] reason``.

The reason is mandatory. A suppression covers a finding on its own line, on
the next line when the comment stands alone, or any finding whose span
contains it (a resource block). Any comment leader works (``#``, ``//``,
``--``, ``<!--``) so YAML, HCL, JS and SQL are covered alike.

In Terraform files the exceptions recorded for checkov, tfsec and trivy are
honoured too, and in Python files bandit's ``# nosec``, for the redline rules
that make the same judgement (``core/peer_suppress.py``): their ID stands for
the reason.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from redline.core.peer_suppress import BANDIT_MARK, MARKS, bandit_exceptions, peer_exceptions

_MARK = "redline:"
_RE = re.compile(r"redline:\s*ignore\[([A-Za-z0-9_,\s]+)\](.*)$")
_LEADER = re.compile(r"^\s*(#|//|--|/\*|<!--|;)")
#: the files whose peer-scanner exceptions are read (every peer rule mapped is a Terraform rule)
_PEER_SUFFIXES = (".tf", ".tf.json", ".tofu")


@dataclass(frozen=True, slots=True)
class Suppression:
    path: str
    line: int
    codes: tuple[str, ...]
    reason: str
    standalone: bool  # the comment is alone on its line
    #: the line a standalone comment is about when other comments stand between them (stacked peer exceptions)
    applies_to: int = 0

    def covers(self, code: str, start: int, end: int) -> bool:
        if not any(code == c or code.startswith(c) for c in self.codes):
            return False
        if start == self.line or (self.standalone and start == (self.applies_to or self.line + 1)):
            return True
        return start < self.line <= max(end, start)


@dataclass(frozen=True, slots=True)
class FileSuppressions:
    """The suppressions of one file (a fact: kept, applied after every check ran)."""

    path: str
    items: tuple[Suppression, ...]
    missing_reason: tuple[int, ...]  # lines with a suppression but no reason: not honoured


def _strip_closer(reason: str) -> str:
    """Drop a block comment's closing token (``*/``, ``-->``), nothing else."""
    for closer in ("*/", "-->"):
        if reason.endswith(closer):
            return reason[: -len(closer)].strip()
    return reason


def parse_suppressions(path: str, text: str) -> FileSuppressions | None:
    peer = path.endswith(_PEER_SUFFIXES) and any(mark in text for mark in MARKS)
    bandit = path.endswith(".py") and BANDIT_MARK in text
    if _MARK not in text and not peer and not bandit:
        return None
    items: list[Suppression] = []
    missing: list[int] = []
    lines = text.splitlines()
    recorded = (peer_exceptions(lines) if peer else []) + (bandit_exceptions(lines) if bandit else [])
    items += [Suppression(path, p.line, p.codes, p.reason, p.applies_to > 0, p.applies_to) for p in recorded]
    for number, line in enumerate(lines if _MARK in text else (), 1):
        if _MARK not in line:
            continue
        m = _RE.search(line)
        if not m:
            continue
        reason = _strip_closer(m.group(2).strip())
        codes = tuple(c.strip().upper() for c in m.group(1).split(",") if c.strip())
        if not reason:
            missing.append(number)
            continue
        items.append(Suppression(path, number, codes, reason, bool(_LEADER.match(line))))
    if not items and not missing:
        return None
    return FileSuppressions(path, tuple(items), tuple(missing))
