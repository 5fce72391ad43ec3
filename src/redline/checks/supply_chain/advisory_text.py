"""What a vulnerability finding says: the flaw (from the advisory's summary), the affected range
and the fix — never the package's own description.

NVD-derived advisories (PYSEC, many CVE-only records) have no ``summary`` and their ``details``
often open with what the package is ("aiohttp is an asynchronous HTTP client/server framework
…"), which says nothing about the flaw; such opening sentences are dropped.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence

from redline.checks.supply_chain.matching import in_range
from redline.core.advisories import Affected, AffectedRange, RangeEvent

MAX_FLAW = 160
#: "<name> is a/an/the …" or "<name> provides …": a sentence describing the package, not the flaw
_DESCRIPTION = re.compile(
    r"^\s*(?:the\s+)?[`'\"]?[\w@./:-]+[`'\"]?(?:\s+\([^)]*\))?\s+(?:is|are)\s+(?:an?|the)\s+"
    r"|^\s*[`'\"]?[\w@./:-]+[`'\"]?\s+(?:provides|offers|implements)\s+",
    re.IGNORECASE,
)
_SENTENCE_END = re.compile(r"(?<=[a-z0-9)\]`'\"])\.\s+(?=[A-Z`'\"(])")
_FLAW_WORDS = re.compile(
    r"vulnerab|attack|inject|overflow|denial|bypass|exposure|leak|travers|forg|"
    r"execut|crash|escal|disclos|smuggl|unsafe|improper|incorrect|missing|imperson|"
    r"arbitrary|malicious|unauthori|unauthenti|exhaust|pollution|redirect|spoof|"
    r"insecure|race condition|panic|infinite|excessive|unbounded|dereference|segfault|"
    r"null.pointer|\bre?dos\b|regular expression|sandbox|escape|cross-site|\bxss\b|csrf|"
    r"ssrf|hijack|tamper",
    re.IGNORECASE,
)
_MARKERS = re.compile(r"\*\*[^*]{1,60}\*\*\s*")  # NVD's "** DISPUTED **", "** UNSUPPORTED WHEN ASSIGNED **"
#: how far into the details to look for the sentence that names the flaw
_LOOK_AHEAD = 6


def _sentences(text: str) -> list[str]:
    text = _MARKERS.sub("", " ".join(text.split()))
    return [s.strip() for s in _SENTENCE_END.split(text) if s.strip()]


def clip(text: str, limit: int = MAX_FLAW) -> str:
    text = text.strip().rstrip(".")
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def _from_details(text: str) -> str:
    """The first of the opening sentences that names a flaw, else the first that does not
    describe the package; empty when there is neither."""
    sentences = _sentences(text)
    named = next((s for s in sentences[:_LOOK_AHEAD] if _FLAW_WORDS.search(s)), "")
    return named or next((s for s in sentences if not _DESCRIPTION.match(s)), "")


def flaw_text(summaries: Iterable[str], details: Iterable[str]) -> str:
    """The first advisory summary; else the sentence of the details that names the flaw, never
    the package's own description."""
    for summary in summaries:
        if summary.strip():
            return clip(_MARKERS.sub("", " ".join(summary.split())))
    for text in details:
        found = _from_details(text)
        if found:
            return clip(found)
    return "no summary published"


def _spans(rng: AffectedRange) -> list[tuple[str, AffectedRange]]:
    """One range's events as ``>=1.0, <1.2.3`` spans, each with the one-span range it stands for."""
    spans: list[tuple[str, AffectedRange]] = []
    start: RangeEvent | None = None
    for event in rng.events:
        if event.kind == "introduced":
            start = event
        elif event.kind in ("fixed", "last_affected") and start is not None:
            end = f"<{event.version}" if event.kind == "fixed" else f"<={event.version}"
            low = "" if start.version in ("0", "") else f">={start.version}"
            spans.append((", ".join(p for p in (low, end) if p), AffectedRange(rng.type, (start, event))))
            start = None
    if start is not None:
        spans.append(
            (
                f">={start.version}" if start.version not in ("0", "") else "every version",
                AffectedRange(rng.type, (start,)),
            )
        )
    return spans


def affected_text(ecosystem: str, version: str, entries: Sequence[Affected]) -> str:
    """The affected versions as the span holding ``version`` (``<1.2.3``, ``>=2.0, <2.0.5``), else
    every span; an explicit version list when there are no ranges."""
    ranges = [r for e in entries for r in e.ranges if r.type in ("ECOSYSTEM", "SEMVER")]
    every = list(dict.fromkeys(text for r in ranges for text, _ in _spans(r)))
    holding = list(
        dict.fromkeys(text for r in ranges for text, span in _spans(r) if in_range(ecosystem, version, span))
    )
    spans = holding or every
    if spans:
        return "; ".join(spans[:3]) + (" …" if len(spans) > 3 else "")
    versions = [v for e in entries for v in e.versions]
    if versions:
        return "listed versions " + ", ".join(versions[:3]) + (" …" if len(versions) > 3 else "")
    return "unknown range"
