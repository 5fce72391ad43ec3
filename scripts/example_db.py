"""Build the vulnerability database for `make run` the way a user's would be built: through the real
download path, from ../shared/data served once by a loopback HTTP server (no network needed).

Usage: python scripts/example_db.py MIRROR_DIR DB_DIR
"""

from __future__ import annotations

import functools
import subprocess
import sys
import threading
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path


class _QuietHandler(SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        pass


def main(mirror: str, db_dir: str) -> int:
    if not Path(mirror).is_dir():
        sys.stderr.write(f"example_db: {mirror}: not a directory (expected ../shared/data beside the checkout)\n")
        return 2
    handler = functools.partial(_QuietHandler, directory=mirror)
    with ThreadingHTTPServer(("127.0.0.1", 0), handler) as server:
        threading.Thread(target=server.serve_forever, daemon=True).start()
        url = f"http://127.0.0.1:{server.server_address[1]}"
        redline = Path(sys.executable).with_name("redline")
        code = subprocess.run([str(redline), "db", "update", "--mirror", url, "--db-dir", db_dir, "-q"],
                              check=False).returncode
        server.shutdown()
    return code


if __name__ == "__main__":
    if len(sys.argv) != 3:
        sys.stderr.write(__doc__ or "")
        raise SystemExit(2)
    raise SystemExit(main(sys.argv[1], sys.argv[2]))
