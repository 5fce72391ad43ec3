"""Check a gzip export's own checksums while DuckDB scans it.

DuckDB inflates gzip without checking the CRC-32 and length that end every gzip member, so a corrupt
byte in a deflate block can become a wrong cost with no error (2 of 40 single-bit flips did, in a
5,000-row export). The file is inflated once more here, in a thread beside DuckDB's scan, by ISA-L's
inflate (about 0.2 s of CPU per 550 MB of text against zlib's 0.6 s; it releases the GIL), which checks
both; a mismatch or a truncated stream makes the file not covered instead of silently short or wrong.
"""

from __future__ import annotations

import gzip
import threading
import zlib
from pathlib import Path
from typing import cast

_BUFFER = 1 << 22


def _open(path: Path) -> gzip.GzipFile:
    """ISA-L's gzip reader, three times zlib's speed; the standard library's makes the same checks."""
    try:
        from isal import igzip  # noqa: PLC0415 - only when a gzip export is read
    except ImportError:  # pragma: no cover - isal is a dependency; kept for platforms without its wheel
        return gzip.open(path, "rb")
    return cast(gzip.GzipFile, igzip.open(path, "rb"))  # type: ignore[no-untyped-call]  # a GzipFile subclass


def _errors() -> tuple[type[Exception], ...]:
    try:
        from isal import isal_zlib  # noqa: PLC0415
    except ImportError:  # pragma: no cover
        return (OSError, EOFError, zlib.error)
    return (OSError, EOFError, zlib.error, cast("type[Exception]", isal_zlib.error))  # its stub says an instance


def verify(path: Path, stop: threading.Event | None = None) -> str | None:
    """Inflate ``path`` to its end: None when every member's CRC-32 and length match, else the reason.
    ``stop`` set: give up early (the caller no longer needs the answer) and return None."""
    buf = bytearray(_BUFFER)
    try:
        with _open(path) as fh:
            while fh.readinto(buf):
                if stop is not None and stop.is_set():
                    return None
    except _errors() as exc:
        return str(exc) or type(exc).__name__
    return None


class GzipCheck:
    """``verify`` in a thread started now; ``result()`` waits for it, ``cancel()`` stops it early."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._stop = threading.Event()
        self._error: str | None = None
        self._thread = threading.Thread(target=self._run, name="redline-gzip-check", daemon=True)
        self._thread.start()

    def _run(self) -> None:
        self._error = verify(self.path, self._stop)

    def result(self) -> str | None:
        """The reason the gzip stream is corrupt or truncated, or None when it is whole."""
        self._thread.join()
        return self._error

    def cancel(self) -> None:
        self._stop.set()
        self._thread.join()
