"""A real PostgreSQL for the database tests: started once per test process, stopped at the end."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from .server import Server, find_bindir, running_server


@pytest.fixture(scope="session")
def pg_server() -> Iterator[Server]:
    if find_bindir() is None:
        pytest.skip("no PostgreSQL server binaries (make system-deps installs them)")
    with running_server() as server:
        yield server
