"""Every code test gets its own empty cache directory: the code index is cached by content, and a test must
see the parser's result, not another test's."""

from __future__ import annotations

from pathlib import Path

import pytest


@pytest.fixture(autouse=True)
def _cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("REDLINE_CACHE_DIR", str(tmp_path / "cache"))
