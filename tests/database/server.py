"""A throwaway PostgreSQL server for the database tests and the benchmark.

It uses the Debian server binaries (``/usr/lib/postgresql/NN/bin``) or, for the other majors, the upstream
builds scripts/fetch-postgres.sh keeps in ``.cache/postgres/NN`` (no hypopg there), runs ``initdb`` into a temporary
directory (as the ``postgres`` system user when we are root: the server refuses to run as root), listens on
a free loopback port with password authentication, and preloads ``pg_stat_statements``.
"""

from __future__ import annotations

import contextlib
import os
import pwd
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

SUPERUSER = "postgres"
REPO = Path(__file__).resolve().parents[2]
FETCHED = REPO / os.environ.get("REDLINE_PG_CACHE", ".cache/postgres")  # where scripts/fetch-postgres.sh puts them
OTHER_MAJORS = (13, 14, 16, 17)  # the versions scripts/fetch-postgres.sh fetches
PASSWORD = "s3cret-test-pw"


@dataclass(frozen=True)
class Server:
    host: str
    port: int
    major: int
    bindir: Path
    datadir: Path

    def url(self, user: str = SUPERUSER, password: str = PASSWORD, dbname: str = "postgres") -> str:
        return f"postgresql://{user}:{password}@{self.host}:{self.port}/{dbname}"


def find_bindir(major: int | None = None) -> Path | None:
    """The newest installed (Debian) server's binaries, or those of one major, installed or fetched."""
    found = []
    for pg_ctl in Path("/usr/lib/postgresql").glob("*/bin/pg_ctl"):
        with contextlib.suppress(ValueError):
            found.append((int(pg_ctl.parent.parent.name), pg_ctl.parent))
    if major is None:
        return max(found)[1] if found else None
    for found_major, bindir in found:
        if found_major == major:
            return bindir
    fetched = FETCHED / str(major) / "bin"
    return fetched if (fetched / "pg_ctl").is_file() else None


def why_missing(major: int) -> str:
    """Why the binaries of one major are not there, in words for a skip message."""
    reason = FETCHED / f"{major}.unavailable"
    detail = reason.read_text().strip() if reason.is_file() else "not fetched yet"
    return f"no PostgreSQL {major} binaries in {FETCHED / str(major)} (scripts/fetch-postgres.sh: {detail})"


def _major_of(bindir: Path) -> int:
    version = FETCHED / bindir.parent.name / "VERSION"
    if bindir.parent.parent == FETCHED and version.is_file():
        return int(version.read_text().split(".")[0])
    return int(bindir.parent.name)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _as_server_user(cmd: list[str]) -> list[str]:
    if os.geteuid() != 0:
        return cmd
    return ["runuser", "-u", SUPERUSER, "--", *cmd]


def _reachable(bindir: Path, base: Path) -> Path:
    """Fetched binaries inside a checkout the server user cannot enter (a clone under /root) are copied
    into the server's own temporary directory."""
    if os.geteuid() != 0 or bindir.parent.parent != FETCHED:
        return bindir
    probe = subprocess.run(_as_server_user(["test", "-x", str(bindir / "postgres")]), check=False)
    if probe.returncode == 0:
        return bindir
    shutil.copytree(bindir.parent, base / "pg", symlinks=True)
    return base / "pg" / "bin"


def _owner_ids() -> tuple[int, int] | None:
    if os.geteuid() != 0:
        return None
    entry = pwd.getpwnam(SUPERUSER)
    return entry.pw_uid, entry.pw_gid


#: run beside the tests in a session of its own: when its stdin closes (the test process ended, however: a
#: ``kill -9``, an interrupted ``make test``), it stops the server and removes its directory, so a killed run
#: leaves no ``postgres -D /tmp/redline-pg-*`` behind
_WATCHDOG = """
import shutil, subprocess, sys
sys.stdin.read()
stop, base = sys.argv[1:-1], sys.argv[-1]
subprocess.run(stop, capture_output=True, check=False)
shutil.rmtree(base, ignore_errors=True)
"""


def _watchdog(stop: list[str], base: Path) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [sys.executable, "-c", _WATCHDOG, *stop, str(base)], stdin=subprocess.PIPE, start_new_session=True
    )


@contextlib.contextmanager
def running_server(extra_conf: str = "", major: int | None = None) -> Iterator[Server]:
    bindir = find_bindir(major)
    if bindir is None:
        raise RuntimeError(why_missing(major) if major else "no PostgreSQL server binaries (run make system-deps)")
    base = Path(tempfile.mkdtemp(prefix="redline-pg-"))
    ids = _owner_ids()
    datadir = base / "data"
    pwfile = base / "pw"
    pwfile.write_text(PASSWORD + "\n")
    if ids is not None:
        base.chmod(0o755)
        os.chown(base, *ids)
        os.chown(pwfile, *ids)
    port = _free_port()
    major_found = _major_of(bindir)
    watchdog: subprocess.Popen[bytes] | None = None
    try:
        bindir = _reachable(bindir, base)
        subprocess.run(
            _as_server_user(
                [
                    str(bindir / "initdb"),
                    "-D",
                    str(datadir),
                    "-U",
                    SUPERUSER,
                    "--pwfile",
                    str(pwfile),
                    "--auth-local=trust",
                    "--auth-host=scram-sha-256",
                    "-E",
                    "UTF8",
                    "--locale=C",
                ]
            ),
            check=True,
            capture_output=True,
        )
        conf = (
            f"listen_addresses = '127.0.0.1'\nport = {port}\nunix_socket_directories = '{base}'\n"
            "shared_preload_libraries = 'pg_stat_statements'\npg_stat_statements.track = all\n"
            "pg_stat_statements.max = 10000\nfsync = off\nsynchronous_commit = off\nfull_page_writes = off\n"
            "max_connections = 40\ntrack_io_timing = on\n" + extra_conf
        )
        with (datadir / "postgresql.conf").open("a") as fh:
            fh.write(conf)
        stop = _as_server_user([str(bindir / "pg_ctl"), "-D", str(datadir), "-m", "immediate", "-w", "stop"])
        watchdog = _watchdog(stop, base)
        subprocess.run(
            _as_server_user(
                [str(bindir / "pg_ctl"), "-D", str(datadir), "-l", str(base / "log"), "-w", "-t", "60", "start"]
            ),
            check=True,
            capture_output=True,
        )
        yield Server("127.0.0.1", port, major_found, bindir, datadir)
    finally:
        if (datadir / "postmaster.pid").exists():
            subprocess.run(
                _as_server_user([str(bindir / "pg_ctl"), "-D", str(datadir), "-m", "immediate", "-w", "stop"]),
                capture_output=True,
                check=False,
            )
        time.sleep(0.1)
        shutil.rmtree(base, ignore_errors=True)
        if watchdog is not None:  # stopped already: it finds nothing left to do
            watchdog.communicate(b"")
