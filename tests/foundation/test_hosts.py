"""The one loopback definition the secret and map checks share."""

from __future__ import annotations

import pytest

from redline.core.hosts import is_loopback


@pytest.mark.parametrize("host", ["127.0.0.1", "127.1.2.3", "localhost", "localhost:5432", "[::1]", "[::1]:80", "::1"])
def test_loopback_hosts(host: str) -> None:
    assert is_loopback(host)


@pytest.mark.parametrize("host", ["10.0.0.1", "0.0.0.0", "db", "db.example.com", "[::]", "128.0.0.1", ""])
def test_other_hosts_are_not_loopback(host: str) -> None:
    assert not is_loopback(host)
