"""The exceptions a team recorded for another scanner (``#checkov:skip=CKV_AWS_111: reason``,
``#tfsec:ignore:aws-iam-no-policy-wildcards``, ``#trivy:ignore:AVD-AWS-0057[exp:2027-01-01] reason``), read as
suppressions of redline's rules that make the same judgement (``core/peer_ids.toml``). A checkov skip sits inside the
block it is about; a tfsec/trivy comment stands on the lines before the block (several stacked) or inside it. An
exception past its trivy expiry date is not honoured."""

from __future__ import annotations

import datetime
import re
from dataclasses import dataclass
from functools import cache
from importlib import resources

#: the words that make a line worth a closer look (a plain substring test first: most files have none)
MARKS = ("checkov:skip", "tfsec:ignore", "trivy:ignore")
#: bandit's mark (Python): ``# nosec``, ``# nosec B113``, ``# nosec B113, B101 - why``
BANDIT_MARK = "nosec"
_NOSEC = re.compile(r"#\s*nosec\b:?(.*)$")
_BANDIT_TEST = re.compile(r"^(?:B\d{3}|[a-z]+(?:_[a-z]+)+)$")
#: a checkov skip's reason follows a colon or a space, quoted or not
_CHECKOV = re.compile(r"checkov:skip=\s*([A-Za-z0-9_]+)(?:[:\s](.*))?$")
_AQUA = re.compile(r"\b(tfsec|trivy):ignore:([A-Za-z0-9-]+)(\[[^\]]*\])?", re.IGNORECASE)
_EXPIRY = re.compile(r"exp:(\d{4}-\d{2}-\d{2})")
_COMMENT = re.compile(r"^\s*(#|//|/\*|\*)")


@dataclass(frozen=True, slots=True)
class PeerException:
    """One recorded exception: the line it is written on, the redline rules it stands for and why."""

    line: int
    codes: tuple[str, ...]
    reason: str
    #: the first line after a stack of comments (the block a tfsec/trivy comment is about); 0 when written in code
    applies_to: int


@cache
def _peers() -> tuple[dict[str, object], ...]:
    """The ``[[peer]]`` entries of ``peer_ids.toml`` (read on the first file with a marker: a secrets run never
    imports the TOML reader)."""
    import tomllib  # noqa: PLC0415

    table = tomllib.loads(resources.files("redline.core").joinpath("peer_ids.toml").read_text(encoding="utf-8"))
    return tuple(table["peer"])


@cache
def peer_rules() -> dict[str, tuple[str, ...]]:
    """Peer rule ID (upper-cased) -> the redline rules that make the same judgement."""
    found: dict[str, tuple[str, ...]] = {}
    for peer in _peers():
        for peer_id in _strings(peer["ids"]):
            key = peer_id.upper()
            found[key] = tuple(dict.fromkeys((*found.get(key, ()), *_strings(peer["rules"]))))
    return found


@cache
def _bandit_rules() -> tuple[str, ...]:
    """Every redline rule a bandit test stands for: what a bare ``# nosec`` (all of bandit's tests) covers."""
    return tuple(dict.fromkeys(c for peer in _peers() if peer["tool"] == "bandit" for c in _strings(peer["rules"])))


def _strings(value: object) -> list[str]:
    return [str(v) for v in value] if isinstance(value, list) else []


def peer_exceptions(lines: list[str], today: datetime.date | None = None) -> list[PeerException]:
    """The honoured exceptions of a file's lines (1-based), for the peer rules redline has an equivalent of."""
    table = peer_rules()
    found: list[PeerException] = []
    for number, text in enumerate(lines, 1):
        if not any(mark in text for mark in MARKS):
            continue
        target = _next_code_line(lines, number) if _COMMENT.match(text) else 0
        for peer_id, why in _parse(text, today or datetime.date.today()):
            if (codes := table.get(peer_id.upper())) is not None:
                found.append(PeerException(number, codes, why, target))
    return found


def bandit_exceptions(lines: list[str]) -> list[PeerException]:
    """The ``# nosec`` comments of a Python file's lines (1-based) that stand for a redline rule: the bandit tests
    they name (IDs or names), or every bandit test when they name none. Written after code, a comment covers the
    finding on its line or the call it closes; alone on its line, the next line of code."""
    table = peer_rules()
    found: list[PeerException] = []
    for number, text in enumerate(lines, 1):
        if BANDIT_MARK not in text or (m := _NOSEC.search(text)) is None:
            continue
        named = [word for word in re.split(r"[\s,]+", m.group(1).strip()) if _BANDIT_TEST.match(word)]
        if named:
            codes = tuple(dict.fromkeys(c for word in named for c in table.get(word.upper(), ())))
        else:
            codes = _bandit_rules()
        if codes:
            target = _next_code_line(lines, number) if _COMMENT.match(text) else 0
            shown = "bandit: nosec" + (f" {', '.join(named)}" if named else "")
            found.append(PeerException(number, codes, shown, target))
    return found


def _parse(text: str, today: datetime.date) -> list[tuple[str, str]]:
    """The (peer ID, reason as the peer tool shows it) pairs written on a line, expired trivy ones left out.
    Several tfsec/trivy markers may share a line; the reason is what follows the last of them."""
    if (m := _CHECKOV.search(text)) is not None:
        return [(m.group(1), _shown(f"checkov:skip={m.group(1)}", m.group(2)))]
    marks = list(_AQUA.finditer(text))
    if not marks:
        return []
    reason = text[marks[-1].end() :]
    found: list[tuple[str, str]] = []
    for m in marks:
        expiry = _EXPIRY.search(m.group(3) or "")
        if expiry is None or datetime.date.fromisoformat(expiry.group(1)) >= today:
            found.append((m.group(2), _shown(f"{m.group(1).lower()}:ignore:{m.group(2)}", reason)))
    return found


def _shown(marker: str, reason: str | None) -> str:
    """``marker: reason`` with the reason's quotes and separators trimmed, or the marker alone."""
    reason = (reason or "").strip().lstrip(":-").strip().strip("\"'").strip()
    return f"{marker}: {reason}" if reason else marker


def _next_code_line(lines: list[str], number: int) -> int:
    """The first line after ``number`` that is neither blank nor a comment: what a stack of comments is about."""
    for following in range(number, len(lines)):
        text = lines[following]
        if text.strip() and not _COMMENT.match(text):
            return following + 1
    return 0
