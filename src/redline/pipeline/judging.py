"""The project checks on every core the file phase used.

After the file phase the main process holds every fact and the project checks judge them one after the other: on
the Django sdist with the code index cached that was a fifth of what two workers could not share (the latency
check alone 0.3 s, the taint check's finish 0.1 s). A process forked once the project sources have run inherits
the facts without copying them (copy-on-write), takes checks while the main process takes others, and sends back
only their findings. Each check runs whole in one process, so what it reports does not depend on where it ran.
The long-running checks are taken first (the latency check is half of the Django audit's project phase: taken
last, the other process sat idle beside it for 0.07-0.1 s).
A check that reads a fact bound to the main process (``FORK_SAFE = False``: the traces' DuckDB connection) is
judged there.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from redline.checks.interface import Check
from redline.core.facts import fork_safe
from redline.core.model import Finding, Skipped, Stage, ToolError

if TYPE_CHECKING:  # multiprocessing is imported when a pool runs
    from multiprocessing.sharedctypes import Synchronized

#: what a judge yields: a finding, an input not covered, or a notice
Item = Finding | Skipped | ToolError


@dataclass(frozen=True)
class Judge:
    """One check's work over the project: its ``check`` or a module check's ``finish``, bound to the facts."""

    check: Check
    run: Callable[[], Iterable[Item]]
    #: the kinds of project facts it reads
    reads: tuple[type, ...] = ()

    @property
    def fork_safe(self) -> bool:
        """Whether a forked process can judge it: it reads no fact bound to the main process."""
        return all(fork_safe(kind) for kind in self.reads)


@dataclass(frozen=True)
class _Shared:
    """What every process of the judging pool reads: the judges, and the position of the next one to take
    (in memory the forked processes share)."""

    judges: list[Judge]
    #: the positions of the judges any process may take, in order
    shared: list[int]
    taken: Synchronized[int]

    def take_all(self) -> dict[int, list[Item]]:
        """The judges this process took, each the next one no process had taken, until none is left: a process
        is never handed a check while it works on one (the main process could hand out none while it judged, and
        its forked worker sat idle behind it)."""
        done: dict[int, list[Item]] = {}
        while True:
            with self.taken.get_lock():
                next_one = self.taken.value
                self.taken.value += 1
            if next_one >= len(self.shared):
                return done
            position = self.shared[next_one]
            done[position] = judged(self.judges[position])

    def in_main(self) -> dict[int, list[Item]]:
        """In the main process: first the judges only it can take (they read a fact bound to it), then its share."""
        done = {position: judged(judge) for position, judge in enumerate(self.judges) if not judge.fork_safe}
        return done | self.take_all()


_SHARED: _Shared | None = None


def judged(judge: Judge) -> list[Item]:
    """Everything the check yields; a check that fails keeps what it yielded before and adds why it stopped."""
    items: list[Item] = []
    try:
        items.extend(judge.run())
    except Exception as exc:  # noqa: BLE001 - recorded, the run goes on
        name = judge.check.name
        items.append(ToolError(name, f"check failed: {type(exc).__name__}: {exc}", stage=Stage.CHECK, fatal=True))
    return items


def _take_all(_process: int) -> dict[int, list[Item]]:
    """In a forked process: judges from the shared list installed before the fork, until none is left."""
    assert _SHARED is not None, "judges not installed"
    return _SHARED.take_all()


def judge_all(judges: list[Judge], workers: int) -> list[list[Item]]:
    """Each judge's items, in the order of ``judges``. With more than one worker, ``workers - 1`` processes are
    forked and each process, the main one too, takes the next judge no other has taken until none is left."""
    anywhere = sorted(
        (position for position, judge in enumerate(judges) if judge.fork_safe),
        key=lambda position: not judges[position].check.long_running,  # longest first; otherwise in order
    )
    if workers <= 1 or len(anywhere) < 2 or not hasattr(os, "fork"):  # nothing to share: no process to fork
        return [judged(judge) for judge in judges]
    import multiprocessing  # noqa: PLC0415 - multiprocessing only when a pool runs

    from redline.pipeline.pool import worker_pool  # noqa: PLC0415

    global _SHARED
    shared = _SHARED = _Shared(judges, anywhere, multiprocessing.get_context("fork").Value("i", 0))
    done: dict[int, list[Item]] = {}
    try:
        # one item per process: the forked ones each get theirs at once, the main process works on the last itself
        with worker_pool(workers - 1, _take_all) as pool:
            for taken in pool.imap(range(workers), lambda _process, _between: shared.in_main(), in_flight=1):
                done.update(taken)
    finally:
        _SHARED = None
    return [done[position] for position in range(len(judges))]
