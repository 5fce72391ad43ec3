"""Progress on a terminal (rich), silence elsewhere."""

from __future__ import annotations

import logging
import sys

from redline.pipeline.run import Progress as SilentProgress

log = logging.getLogger("redline")


class RichProgress(SilentProgress):
    def __init__(self) -> None:
        from rich.console import Console  # rich only on a terminal
        from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

        self._progress = Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
                                  TimeElapsedColumn(), console=Console(stderr=True), transient=True)
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
    """Off a terminal: one plain log line per stage, visible with -v."""

    def stage(self, name: str, total: int | None = None) -> None:
        log.info("%s%s", name, f" ({total:,})" if total is not None else "")


def make_progress(quiet: bool) -> SilentProgress:
    if quiet:
        return SilentProgress()
    if not sys.stderr.isatty():
        return LogProgress()
    return RichProgress()
