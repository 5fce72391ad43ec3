"""Supply-chain fixtures: the reference data served over loopback HTTP, and a database built from it once."""

from __future__ import annotations

import functools
import http.server
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from redline.sources.advisories.update import update_database


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        pass


def serve(directory: Path) -> tuple[http.server.ThreadingHTTPServer, str]:
    handler = functools.partial(_QuietHandler, directory=str(directory))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, f"http://127.0.0.1:{server.server_address[1]}"


@pytest.fixture(scope="session")
def mirror_url(shared_data: Path) -> Iterator[str]:
    """``../shared/data`` served by ``http.server`` on a loopback port, for the real download path."""
    server, url = serve(shared_data)
    yield url
    server.shutdown()
    server.server_close()


@pytest.fixture(scope="session")
def vulndb_dir(tmp_path_factory: pytest.TempPathFactory, mirror_url: str) -> Path:
    """A database built once per session through HTTP from the reference data (PyPI and npm)."""
    db_dir = tmp_path_factory.mktemp("vulndb")
    update_database(db_dir, mirror=mirror_url, ecosystems=("PyPI", "npm"))
    return db_dir


@pytest.fixture(scope="session")
def go_vulndb_dir(tmp_path_factory: pytest.TempPathFactory, mirror_url: str) -> Path:
    """A database with the reference Go advisories (modules, ``stdlib`` and ``toolchain``)."""
    db_dir = tmp_path_factory.mktemp("go-vulndb")
    update_database(db_dir, mirror=mirror_url, ecosystems=("Go",))
    return db_dir
