"""Every code test gets its own empty cache directory (tests/conftest.py ``own_cache``)."""

from __future__ import annotations

import pytest


@pytest.fixture(autouse=True)
def _cache(own_cache: None) -> None:
    """The code index is cached by content: a test must see the parser's result, not another test's."""
