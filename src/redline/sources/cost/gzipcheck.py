"""Check a gzip export's own checksums while DuckDB scans it.

DuckDB inflates gzip without checking the CRC-32 and length that end every gzip member, so a corrupt
byte in a deflate block can become a wrong cost with no error (2 of 40 single-bit flips did, in a
5,000-row export). The file is inflated once more here, in a thread beside DuckDB's scan, by ISA-L's
inflate (about 0.2 s of CPU per 550 MB of text against zlib's 0.6 s; it releases the GIL), which checks
both; a mismatch or a truncated stream makes the file not covered instead of silently short or wrong.
"""

from __future__ import annotations

import errno
import gzip
import io
import os
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


class GzipFeed:
    """Inflate a gzip export into a FIFO that DuckDB reads as plain CSV, checking the CRC-32 and length on
    the way: one inflate instead of DuckDB's and ``GzipCheck``'s (ISA-L's, three times as fast as the one
    DuckDB bundles), in a thread beside DuckDB's two parsing threads. After DuckDB's scan, ``finish()``
    (always) stops the thread, also when DuckDB never opened the FIFO or stopped reading, removes the FIFO
    and says why the stream is corrupt or truncated, and whether it was fed to its end."""

    def __init__(self, path: Path, fifo: Path) -> None:
        self.path = path
        self.fifo = fifo
        os.mkfifo(fifo, 0o600)
        self._stop = threading.Event()
        self._error: str | None = None
        self._complete = False
        self._thread = threading.Thread(target=self._run, name="redline-gzip-feed", daemon=True)
        self._thread.start()

    @staticmethod
    def available() -> bool:
        return hasattr(os, "mkfifo")

    def _writer(self) -> int | None:
        """The FIFO's write end once DuckDB has opened it for reading; None when stopped first."""
        while not self._stop.is_set():
            try:
                fd = os.open(self.fifo, os.O_WRONLY | os.O_NONBLOCK)
            except OSError as exc:
                if exc.errno != errno.ENXIO:  # ENXIO: no reader yet
                    raise
                self._stop.wait(0.002)
                continue
            os.set_blocking(fd, True)
            return fd
        return None

    def _run(self) -> None:
        try:
            fd = self._writer()
            if fd is not None:
                with os.fdopen(fd, "wb", buffering=0) as out:
                    self._complete = self._copy(out)
        except BrokenPipeError:
            return  # DuckDB stopped reading (its own error is the reason)
        except _errors() as exc:
            self._error = str(exc) or type(exc).__name__

    def _copy(self, out: io.RawIOBase) -> bool:
        """Inflate into ``out``; True at the end of the last member (every CRC-32 and length checked)."""
        buf = bytearray(_BUFFER)
        view = memoryview(buf)
        with _open(self.path) as src:
            while n := src.readinto(buf):
                if self._stop.is_set():
                    return False
                done = 0
                while done < n:
                    done += out.write(view[done:n]) or 0
        return True

    def finish(self) -> tuple[str | None, bool]:
        """(why the gzip stream is corrupt or truncated or None, whether all of it was fed)."""
        self._stop.set()
        while self._thread.is_alive():  # a write blocked on a reader that no longer reads: drain it
            self._drain()
            self._thread.join(0.01)
        self.fifo.unlink(missing_ok=True)
        return self._error, self._complete

    def _drain(self) -> None:
        try:
            fd = os.open(self.fifo, os.O_RDONLY | os.O_NONBLOCK)
        except OSError:
            return
        try:
            while os.read(fd, _BUFFER):
                pass
        except BlockingIOError:
            pass
        finally:
            os.close(fd)
