"""Progress on a terminal (rich), silence elsewhere."""

from __future__ import annotations

import contextlib
import logging
import os
import sys
import threading
import time

from redline.pipeline.run import Progress as SilentProgress

log = logging.getLogger("redline")

#: seconds between progress lines when stderr is not a terminal
DEFAULT_INTERVAL = 5.0


class RichProgress(SilentProgress):
    def __init__(self) -> None:
        from rich.console import Console  # rich only on a terminal
        from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

        self._progress = Progress(
            TextColumn("{task.description}"),
            BarColumn(),
            MofNCompleteColumn(),
            TimeElapsedColumn(),
            console=Console(stderr=True),
            transient=True,
        )
        self._task: object = None
        self._progress.start()

    def stage(self, name: str, total: int | None = None) -> None:
        if self._task is not None:
            self._progress.remove_task(self._task)  # type: ignore[arg-type]
        self._task = self._progress.add_task(name, total=total)

    def advance(self, n: int = 1) -> None:
        if self._task is not None:
            self._progress.advance(self._task, n)  # type: ignore[arg-type]

    def done(self) -> None:
        self._progress.stop()


class LogProgress(SilentProgress):
    """Off a terminal (CI): a plain line on stderr every ``INTERVAL`` seconds while the run lasts, so a
    long audit is visibly alive, and nothing for runs shorter than that. A daemon thread prints with
    ``os.write``, which holds no Python lock a forked worker could inherit locked."""

    def __init__(self, interval: float | None = None) -> None:
        self.interval = interval if interval is not None else _interval()
        self._started = time.monotonic()
        self._name = "starting"
        self._total: int | None = None
        self._done = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._tick, name="redline-progress", daemon=True)
        self._thread.start()

    def stage(self, name: str, total: int | None = None) -> None:
        log.info("%s%s", name, f" ({total:,})" if total is not None else "")
        self._name, self._total, self._done = name, total, 0

    def advance(self, n: int = 1) -> None:
        self._done += n

    def done(self) -> None:
        self._stop.set()

    def line(self) -> str:
        count = f" {self._done:,}/{self._total:,}" if self._total is not None else ""
        return f"redline: {self._name}{count} ({time.monotonic() - self._started:.0f}s)\n"

    def _tick(self) -> None:
        while not self._stop.wait(self.interval):
            with contextlib.suppress(OSError):
                os.write(2, self.line().encode("utf-8", "replace"))


def _interval() -> float:
    try:
        return max(0.1, float(os.environ.get("REDLINE_PROGRESS_INTERVAL", DEFAULT_INTERVAL)))
    except ValueError:
        return DEFAULT_INTERVAL


def make_progress(quiet: bool) -> SilentProgress:
    if quiet:
        return SilentProgress()
    if not sys.stderr.isatty():
        return LogProgress()
    return RichProgress()
