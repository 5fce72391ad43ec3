"""Cache rules: RES150 (Redis cache keys without expiry), RES151 (framework cache stored forever),
RES152 (unbounded memoisation on methods or request data): exact lines, look-alikes silent."""

from __future__ import annotations

from pathlib import Path

import pytest

from redline.checks.interface import CheckContext
from redline.checks.resilience.caches import CacheExpiryCheck, UnboundedMemoCheck
from redline.core.config import Config
from redline.core.workspace import SourceFile, read_file
from redline.sources.code.source import CodeIndexSource

from .helpers import FIXTURES, lines_by_rule, run_fixture


@pytest.mark.parametrize(("code", "lines"), [("RES150", [8, 12, 17]), ("RES151", [9, 10, 11, 12])])
def test_cache_expiry_rules_fire_exactly(code: str, lines: list[int]) -> None:
    found = run_fixture(CacheExpiryCheck(), code)
    assert lines_by_rule(found) == {code: lines}
    assert all(f.remediation for f in found)


def test_unbounded_memo_on_methods_and_request_data(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("REDLINE_CACHE_DIR", str(tmp_path / "cache"))
    path = FIXTURES / "RES152.py"
    index = CodeIndexSource().parse(read_file(SourceFile("app.py", str(path), "python", path.stat().st_size)))
    check = UnboundedMemoCheck()
    ctx = CheckContext(FIXTURES, Config(), frozenset({"RES152"}))
    found = sorted(check.check_file(index, ctx), key=lambda f: f.location.start_line)
    assert [(f.location.start_line, f.message) for f in found] == [
        (
            11,
            "`Catalog.lookup` has an unbounded cache on a method: it grows per argument and keeps every instance alive",
        ),
        (
            15,
            "`Catalog.price` has an unbounded cache on a method: it grows per argument and keeps every instance alive",
        ),
        (20, "`render` has an unbounded cache and is called with request data: any caller can grow it without limit"),
    ]
