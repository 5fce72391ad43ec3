"""LAT260: independent reads awaited one after the other in JavaScript/TypeScript (Prisma, Mongoose chains,
pooled SQL, Redis, fetch/axios GETs). Look-alikes stay silent: an await that uses an earlier result (plain or
destructured), writes and a write followed by a read, awaits in different branches or a try and its finally,
calls already in Promise.all, non-network awaits, a statement between the awaits, a single pg Client, POSTs
and options the index cannot see, transactions and sessions, one query per loop item, a field assigned through
``this``, scripts."""

from __future__ import annotations

from pathlib import Path

import pytest

from code_audit import findings_of
from redline.checks.latency.js_awaits_check import JsSerialAwaitsCheck
from redline.core.model import Finding

FIXTURES = Path(__file__).parent / "fixtures" / "js_awaits"


@pytest.fixture(autouse=True)
def _cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("REDLINE_CACHE_DIR", str(tmp_path / "cache"))


def _found() -> dict[tuple[str, int], Finding]:
    return {(f.location.path, f.location.start_line): f for f in findings_of(FIXTURES, JsSerialAwaitsCheck())}


def test_independent_reads_fire_once_per_run_at_its_lines() -> None:
    got = sorted((path, line, f.location.end_line, f.rule) for (path, line), f in _found().items())
    assert got == [
        ("src/routes/users.js", 7, 8, "LAT260"),
        ("src/services/profile.ts", 8, 10, "LAT260"),
        ("src/services/profile.ts", 69, 70, "LAT260"),
        ("src/services/profile.ts", 83, 84, "LAT260"),
    ]
