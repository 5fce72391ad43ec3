"""The worker processes, torn down deterministically however the run ends.

``concurrent.futures`` and ``multiprocessing.Pool`` both run helper threads that feed and collect work
and are joined on the way out. On Ctrl-C the terminal sends SIGINT to the whole process group; workers
died mid-task, or before their start-up code ran, while the main process waited on a helper thread
that waited on them: about one run in eight hung after printing "interrupted". The main process of this
pool has no helper threads: one pipe per forked worker, the main process hands out chunks and waits on the
pipes itself. (Each worker writes its results from a thread of its own, which the main process never waits
on: a worker is only ever joined after SIGTERM or once its pipe is closed.)

- Once every result is read a worker is told it is done and exits on its own; nothing waits for it.
- SIGINT is blocked while forking, so a worker never sees it before it has set it to ignored: only the
  main process decides to stop.
- On any exception in the main process (Ctrl-C included) every worker is sent SIGTERM, then SIGKILL if
  it has not gone within ``GRACE`` seconds, and joined. Nothing is left to wait on.
- A worker that dies (OOM killer, ``kill -9``) raises ``WorkerDied`` naming the signal; the run stops
  with that message instead of waiting forever or writing a report missing the files it held.
"""

from __future__ import annotations

import contextlib
import multiprocessing
import queue
import signal
import threading
import time
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from multiprocessing.connection import Connection, wait
from multiprocessing.process import BaseProcess
from multiprocessing.reduction import ForkingPickler
from typing import Any, Generic, TypeVar

from redline.core.facts import will_send_facts
from redline.pipeline.errors import WorkerDied

T = TypeVar("T")
R = TypeVar("R")

#: seconds a terminated worker gets before it is killed
GRACE = 2.0
#: items handed to a worker before its first result is back: the next one waits in its pipe, so it starts
#: on it as soon as it has handed its result to its sender thread
IN_FLIGHT = 2
#: seconds between two looks at the workers' pipes while the main process works on a chunk itself: the smallest
#: chunk takes tens of milliseconds and each worker holds a second one, so a worker done meanwhile never waits;
#: looking after every file cost 3,000 ``poll`` calls on the Django audit
POLL_EVERY = 0.005


def _serve(conn: Connection, fn: Callable[[Any], Any]) -> None:
    """Each item received, worked, its result pickled and handed to the sender thread, which writes it while
    this thread starts on the next item (the main process keeps ``IN_FLIGHT`` items queued here): a result is
    a megabyte or more, the pipe holds 64 KB, and the main process reads only between two of its own files,
    so a worker that wrote its result itself sat idle until then (0.16 s of a 2.3 s warm Django parse)."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGINT})
    will_send_facts()
    outbox: queue.SimpleQueue[memoryview | None] = queue.SimpleQueue()
    sender = threading.Thread(target=_send_all, args=(conn, outbox), name="redline-send", daemon=True)
    sender.start()
    try:
        while True:
            try:
                item = conn.recv()
            except EOFError:
                return
            if item is None:
                return
            outbox.put(_reply(fn, item))
    finally:
        outbox.put(None)
        sender.join()


def _reply(fn: Callable[[Any], Any], item: Any) -> memoryview:
    """The pickled ``(True, result)``, or ``(False, reason)`` when the work or the pickling failed."""
    try:
        return ForkingPickler.dumps((True, fn(item)))
    except Exception as exc:  # noqa: BLE001 - handed to the main process, which raises it
        return ForkingPickler.dumps((False, f"{type(exc).__name__}: {exc}"))


def _send_all(conn: Connection, outbox: queue.SimpleQueue[memoryview | None]) -> None:
    while (data := outbox.get()) is not None:
        try:
            conn.send_bytes(data)
        except OSError:  # the main process is gone or stopping: nothing left to send to
            return


class ForkPool(Generic[T, R]):
    def __init__(self, workers: int, fn: Callable[[T], R]) -> None:
        ctx = multiprocessing.get_context("fork")
        self._workers: list[tuple[BaseProcess, Connection]] = []
        previous = signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT})
        try:
            for _ in range(workers):
                parent, child = ctx.Pipe()
                proc = ctx.Process(target=_serve, args=(child, fn), daemon=True)
                proc.start()
                child.close()
                self._workers.append((proc, parent))
        finally:
            signal.pthread_sigmask(signal.SIG_SETMASK, previous)  # a pending Ctrl-C is raised here

    def imap(
        self,
        items: Iterable[T],
        local: Callable[[T, Callable[[], None]], R] | None = None,
        in_flight: int = IN_FLIGHT,
    ) -> Iterator[R]:
        """Results in the order of ``items``; at most ``in_flight`` items held by each worker. With ``local``, the
        main process takes the next item itself whenever every worker is busy (``local(item, between)``, which calls
        ``between`` after each file so that a worker done meanwhile is handed its next item at once): the
        results it makes are never sent through a pipe and decoded again."""
        jobs: _Dispatch[T, R] = _Dispatch(self._workers, items, in_flight)
        next_out = 0
        while True:
            jobs.hand_out()
            while next_out in jobs.done:
                yield jobs.done.pop(next_out)
                next_out += 1
            if local is not None and (job := jobs.next_job()) is not None:
                jobs.done[job[0]] = local(job[1], jobs.between)
            elif jobs.busy:
                jobs.collect(None)
            else:
                return

    def close(self) -> None:
        """Each worker told it is done, once every result of its has been read: it exits on its own. It is not
        waited for: tearing down a process of a few hundred megabytes took 7-19 ms per pool that the main
        process only waited through. ``multiprocessing`` reaps it when the next process starts (or the run's
        process exits); the failure path (``terminate``) still kills and joins every worker."""
        for _, conn in self._workers:
            with contextlib.suppress(OSError):
                conn.send(None)
            conn.close()

    def terminate(self) -> None:
        for proc, _ in self._workers:
            if proc.is_alive():
                proc.terminate()
        for proc, conn in self._workers:
            proc.join(GRACE)
            if proc.is_alive():
                proc.kill()
                proc.join(GRACE)
            conn.close()


class _Dispatch(Generic[T, R]):
    """The bookkeeping of one ``imap``: the items not handed out, which worker holds which (up to
    ``in_flight`` each, answered in the order sent), the results not yet yielded."""

    def __init__(self, workers: list[tuple[BaseProcess, Connection]], items: Iterable[T], in_flight: int) -> None:
        self._items = list(items)
        self._todo = iter(enumerate(self._items))
        self._taken = 0
        self._in_flight = in_flight
        self._procs = {conn: proc for proc, conn in workers}
        self._held: dict[Connection, deque[int]] = {conn: deque() for _, conn in workers}
        self.done: dict[int, R] = {}
        self._next_look = 0.0

    @property
    def busy(self) -> bool:
        return any(self._held.values())

    def next_job(self) -> tuple[int, T] | None:
        """The next item and its position; ``None`` once every item was taken (and every time after)."""
        job = next(self._todo, None)
        if job is not None:
            self._taken += 1
        return job

    def hand_out(self) -> None:
        for conn, held in self._held.items():
            while len(held) < self._holding():
                job = self.next_job()
                if job is None:
                    return
                try:
                    conn.send(job[1])
                except OSError:  # killed since it sent its last result: its end of the pipe is gone
                    raise _died(self._procs[conn]) from None
                held.append(job[0])

    def _holding(self) -> int:
        """How many items a worker may hold: ``in_flight``, but one once no more than one per process is left
        (the last items are the smallest), so that no worker sits on a last item while the main process, done
        with its own, waits."""
        left = len(self._items) - self._taken
        return 1 if left <= len(self._held) + 1 else self._in_flight

    def collect(self, timeout: float | None) -> None:
        """The results ready within ``timeout`` seconds (``None``: wait for one)."""
        for ready in wait([conn for conn, held in self._held.items() if held], timeout):
            assert isinstance(ready, Connection)
            self.done[self._held[ready].popleft()] = _receive(ready, self._procs[ready])

    def between(self) -> None:
        """Between two files of an item the main process works on: a worker done meanwhile gets its next (looked
        at every ``POLL_EVERY`` seconds)."""
        if self.busy and (now := time.monotonic()) >= self._next_look:
            self._next_look = now + POLL_EVERY
            self.collect(0)
            self.hand_out()


def _receive(conn: Connection, proc: BaseProcess) -> Any:
    try:
        ok, value = conn.recv()
    except (EOFError, OSError):
        raise _died(proc) from None
    if not ok:
        raise WorkerDied(f"a worker process failed: {value}")
    return value


def _died(proc: BaseProcess) -> WorkerDied:
    """What the run stops with when a worker is gone: how it ended (the signal that killed it)."""
    proc.join(GRACE)
    code = proc.exitcode
    how = f"killed by signal {-code}" if code is not None and code < 0 else f"exit code {code}"
    return WorkerDied(f"a worker process died ({how}); the audit is incomplete")


@contextlib.contextmanager
def worker_pool(workers: int, fn: Callable[[T], R]) -> Iterator[ForkPool[T, R]]:
    pool = ForkPool(workers, fn)
    try:
        yield pool
    except BaseException:
        pool.terminate()
        raise
    pool.close()
