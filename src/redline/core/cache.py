"""Where redline keeps what is costly to rebuild (the rule index, validated secret rules, compiled
scanner databases).

``REDLINE_CACHE_DIR`` overrides the place; otherwise ``$XDG_CACHE_HOME/redline`` or
``~/.cache/redline``. Every entry is keyed by a hash of its inputs and written atomically; a
missing, unwritable or corrupt cache only means rebuilding.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import logging
import os
from pathlib import Path

from redline.core.atomic import write_atomic

log = logging.getLogger("redline")


def cache_dir() -> str:
    return os.environ.get("REDLINE_CACHE_DIR") or os.path.join(
        os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache"), "redline"
    )


_PACKAGE = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def code_digest(package: str = _PACKAGE) -> str:
    """A digest of redline's own source files (path, size, modification time): part of the key of a cached
    result that redline's code derives from the project (the route inventory), so a checkout with other code
    never reads what an older one stored. The code index has its ``INDEX_FORMAT`` for this; a result derived
    from many modules of redline would need a bump for every change to any of them."""
    digest = hashlib.sha256()
    for folder, dirs, files in os.walk(package):
        dirs[:] = sorted(d for d in dirs if d != "__pycache__")
        for name in sorted(n for n in files if n.endswith(".py")):
            path = os.path.join(folder, name)
            with contextlib.suppress(OSError):
                stat = os.stat(path)
                digest.update(f"{os.path.relpath(path, package)}\0{stat.st_size}\0{stat.st_mtime_ns}\0".encode())
    return digest.hexdigest()


def read_entry(name: str) -> bytes | None:
    try:
        with open(os.path.join(cache_dir(), name), "rb") as fh:
            return fh.read()
    except OSError:
        return None


def write_entry(name: str, data: bytes, *, prefix: str, keep: int = 8) -> None:
    """Write atomically, then keep only the newest ``keep`` entries starting with ``prefix``."""
    folder = cache_dir()
    try:
        os.makedirs(folder, exist_ok=True)
        write_atomic(Path(folder) / name, data)  # removes its temporary file when the write fails
        olds = sorted(
            (os.path.join(folder, n) for n in os.listdir(folder) if n.startswith(prefix)),
            key=os.path.getmtime,
            reverse=True,
        )
        for old in olds[keep:]:
            with contextlib.suppress(OSError):
                os.remove(old)
    except OSError as exc:
        _unwritable(folder, exc.strerror or str(exc))


@functools.lru_cache(maxsize=8)
def _unwritable(folder: str, reason: str) -> None:
    """Said once per folder and reason: a cache that cannot be written costs every run the rebuild."""
    log.warning(
        "cache directory %s cannot be written (%s): compiled rules and scanner databases are rebuilt on every "
        "run; point REDLINE_CACHE_DIR at a writable folder",
        folder,
        reason,
    )
