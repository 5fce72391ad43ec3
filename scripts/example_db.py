"""Build the vulnerability database for `make run` the way a user's would be built.

With the reference data beside the checkout (../shared/data), it is served once by a loopback HTTP
server and read through the real download path (no network needed). Without it, the database is
built from the upstream feeds only when they answer within a few seconds; otherwise nothing is built
and the audit runs without it, which the report then says at its top. Never fails `make run`: the
exit code is 0 whenever the audit can go on.

Usage: python scripts/example_db.py MIRROR_DIR DB_DIR
"""

from __future__ import annotations

import functools
import socket
import subprocess
import sys
import threading
import urllib.parse
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

MARKER = ".built"
#: the host the OSV feeds come from (redline.sources.advisories.fetch.UPSTREAM_OSV)
UPSTREAM_HOST = "osv-vulnerabilities.storage.googleapis.com"
REACH_TIMEOUT = 3.0


class _QuietHandler(SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        pass


def _redline() -> str:
    return str(Path(sys.executable).with_name("redline"))


def _from_mirror(mirror: str, db_dir: str) -> int:
    handler = functools.partial(_QuietHandler, directory=mirror)
    with ThreadingHTTPServer(("127.0.0.1", 0), handler) as server:
        threading.Thread(target=server.serve_forever, daemon=True).start()
        url = f"http://127.0.0.1:{server.server_address[1]}"
        code = subprocess.run([_redline(), "db", "update", "--mirror", url, "--db-dir", db_dir, "-q"],
                              check=False).returncode
        server.shutdown()
    return code


def reachable(host: str = UPSTREAM_HOST, port: int = 443, timeout: float = REACH_TIMEOUT) -> bool:
    """Whether the upstream feeds' host accepts a connection at all (no data is sent)."""
    try:
        with socket.create_connection((host, port), timeout=timeout):
            return True
    except OSError:
        return False


def _schema() -> str:
    """The database schema this checkout reads: a database built for an older one is built again."""
    from redline.sources.advisories.database import SCHEMA_VERSION  # noqa: PLC0415 - the venv's package

    return SCHEMA_VERSION


def main(mirror: str, db_dir: str, *, upstream_host: str = UPSTREAM_HOST) -> int:
    marker = Path(db_dir) / MARKER
    if marker.is_file() and marker.read_text().strip() == _schema():
        return 0
    if Path(mirror).is_dir():
        code = _from_mirror(mirror, db_dir)
    elif reachable(upstream_host):
        sys.stderr.write(f"example_db: {mirror}: not a directory; building the database from upstream\n")
        code = subprocess.run([_redline(), "db", "update", "--db-dir", db_dir], check=False).returncode
    else:
        sys.stderr.write(
            f"example_db: {mirror}: not a directory, and {urllib.parse.quote(upstream_host)} is not reachable: "
            "auditing without the vulnerability database (the report says so at its top)\n")
        return 0
    if code == 0:
        marker.parent.mkdir(parents=True, exist_ok=True)
        marker.write_text(_schema() + "\n")
    else:
        sys.stderr.write(f"example_db: building the database failed (exit {code}); auditing without it\n")
    return 0


if __name__ == "__main__":
    if len(sys.argv) != 3:
        sys.stderr.write(__doc__ or "")
        raise SystemExit(2)
    raise SystemExit(main(sys.argv[1], sys.argv[2]))
