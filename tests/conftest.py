"""Shared fixtures: the reference data beside the checkout, and small helpers."""

from __future__ import annotations

import os
import signal
from collections.abc import Iterator
from pathlib import Path

import pytest

from database.server import OTHER_MAJORS, Server, find_bindir, running_server, why_missing

REPO = Path(__file__).resolve().parents[1]
SHARED_DATA = REPO.parent / "shared" / "data"

# A suite started in the background without job control (``nohup … &`` from a script) inherits SIGINT ignored, and
# so does every process it starts: the interrupt tests need Ctrl-C delivered as in a terminal. A Python handler here
# is reset to the default by every exec, so the audits the tests start get the default too.
signal.signal(signal.SIGINT, signal.default_int_handler)


@pytest.fixture(scope="session")
def shared_data() -> Path:
    """``../shared/data`` (real advisories, KEV, EPSS, SPDX, lockfiles); skip when absent."""
    if not SHARED_DATA.is_dir():
        pytest.skip(f"reference data not found at {SHARED_DATA} (expected ../shared/data beside the checkout)")
    return SHARED_DATA


@pytest.fixture
def own_cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The test's own empty cache directory: the code index is cached by content, and a test must see the
    parser's result, not another test's (autouse in code/, latency/ and resilience/, by their conftest)."""
    monkeypatch.setenv("REDLINE_CACHE_DIR", str(tmp_path / "cache"))


@pytest.fixture(scope="session")
def repo_root() -> Path:
    return REPO


@pytest.fixture(autouse=True, scope="session")
def _private_config_dir(tmp_path_factory: pytest.TempPathFactory) -> None:
    """Secret-hash salts are created per project in the user's config dir: keep the tests' own."""
    import os

    os.environ.setdefault("REDLINE_CONFIG_DIR", str(tmp_path_factory.mktemp("redline-config")))


@pytest.fixture(scope="session")
def pg_server() -> Iterator[Server]:
    """A real PostgreSQL, started once per test process (tests/database/server.py), stopped at the end:
    shared by the database audit tests and the history store tests."""
    if find_bindir() is None:
        pytest.skip("no PostgreSQL server binaries (make system-deps installs them)")
    with running_server() as server:
        yield server


@pytest.fixture(scope="session", params=OTHER_MAJORS, ids=[f"pg{m}" for m in OTHER_MAJORS])
def pg_major_server(request: pytest.FixtureRequest) -> Iterator[Server]:
    """The same throwaway server for each other supported major (13, 14, 16, 17: upstream builds that
    scripts/fetch-postgres.sh keeps in .cache/postgres, without hypopg); one at a time per test process."""
    major: int = request.param
    if find_bindir(major) is None:
        reason = why_missing(major)
        if os.environ.get("CI") == "true" and "not fetched yet" in reason:
            pytest.fail(f"{reason}: `make test` fetches them before the tests run")  # a skip would hide it
        pytest.skip(reason)
    with running_server(major=major) as server:
        yield server
