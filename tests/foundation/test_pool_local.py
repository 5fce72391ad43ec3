"""The main process as one of the workers: ``ForkPool.imap(items, local)`` hands items to the forked workers and
takes one itself whenever they are all busy; results come back in the items' order whoever made them, a worker
done meanwhile is handed its next item between two steps of the main process's own, and a failure in the main
process's share tears the pool down like any other."""

from __future__ import annotations

import multiprocessing
import multiprocessing.util
import os
import signal
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from redline.pipeline.errors import WorkerDied
from redline.pipeline.pool import IN_FLIGHT, _Dispatch, worker_pool


def _square(item: int) -> tuple[int, int]:
    return os.getpid(), item * item


def _here(item: int, between: Callable[[], None]) -> tuple[int, int]:
    between()
    return os.getpid(), item * item


def test_results_in_order_from_the_main_process_and_the_worker() -> None:
    with worker_pool(1, _square) as pool:
        results = list(pool.imap(range(40), _here))
    assert [value for _, value in results] == [i * i for i in range(40)]
    pids = [pid for pid, _ in results]
    assert IN_FLIGHT == 2
    assert pids[0] != os.getpid()  # the first items go to the idle worker, the second waiting in its pipe
    assert pids[1] == pids[0]
    assert pids[2] == os.getpid()  # the next one the main process takes itself while the worker is busy
    assert len(set(pids)) == 2


_MARKS: list[Path] = []  # where ``_marking`` leaves a file per item (set before the fork)


def _marking(item: int) -> tuple[int, int]:
    (_MARKS[0] / str(item)).touch()
    return os.getpid(), item * item


def test_a_worker_done_meanwhile_gets_its_next_item_between_steps(tmp_path: Path) -> None:
    _MARKS[:] = [tmp_path]
    taken: list[int] = []

    def slow_here(item: int, between: Callable[[], None]) -> tuple[int, int]:
        taken.append(item)
        deadline = time.monotonic() + 30
        # every other item done by the worker, each handed to it by a ``between`` after it sent the previous one
        while time.monotonic() < deadline and len(list(tmp_path.iterdir())) < 7:
            between()
            time.sleep(0.005)
        return os.getpid(), item * item

    with worker_pool(1, _marking) as pool:
        results = list(pool.imap(range(8), slow_here))
    assert [value for _, value in results] == [i * i for i in range(8)]
    assert taken == [2]  # while the main process held item 2, the worker did 0, 1 and 3..7
    assert sorted(int(p.name) for p in tmp_path.iterdir()) == [0, 1, 3, 4, 5, 6, 7]


def _big(item: int) -> tuple[int, bytes]:
    (_MARKS[0] / str(item)).touch()
    return os.getpid(), bytes(4 * 1024 * 1024)  # far more than a pipe holds: its write waits for the reader


def test_a_worker_starts_its_next_item_before_its_last_result_is_read(tmp_path: Path) -> None:
    """The main process reads results only between its own steps; a worker writing a large result itself
    would sit idle until then. Its sender thread writes while it works on the item waiting in its pipe."""
    _MARKS[:] = [tmp_path]
    started: list[list[int]] = []

    def deaf_here(item: int, between: Callable[[], None]) -> tuple[int, bytes]:
        deadline = time.monotonic() + 10  # no ``between``: nothing the worker sends is read meanwhile
        while time.monotonic() < deadline and len(list(tmp_path.iterdir())) < IN_FLIGHT:
            time.sleep(0.005)
        started.append(sorted(int(p.name) for p in tmp_path.iterdir()))
        return os.getpid(), b""

    with worker_pool(1, _big) as pool:  # enough items left that the worker is handed IN_FLIGHT (see the next test)
        results = list(pool.imap(range(IN_FLIGHT + 2), deaf_here))
    assert started[0] == list(range(IN_FLIGHT))  # every item it held started before the main process read any
    assert [len(data) for _, data in results[:IN_FLIGHT]] == [4 * 1024 * 1024] * IN_FLIGHT
    assert len(results[IN_FLIGHT][1]) == 0  # the first item the main process took


def test_no_worker_holds_a_second_item_once_no_more_than_one_per_process_is_left() -> None:
    """The last items are the smallest; a worker holding two of them while the main process, done with its own,
    has none left made it wait for both."""
    parent, child = multiprocessing.Pipe()
    jobs: _Dispatch[int, str] = _Dispatch([(multiprocessing.current_process(), parent)], range(5), IN_FLIGHT)
    jobs.hand_out()
    assert [child.recv(), child.recv()] == [0, 1]  # five left: two
    child.send((True, "r0"))
    jobs.collect(5)
    jobs.hand_out()
    assert child.recv() == 2  # three were left: a second one again
    assert jobs.next_job() == (3, 3)  # the main process takes one
    child.send((True, "r1"))
    jobs.collect(5)
    jobs.hand_out()
    assert not child.poll(0.1)  # one left, for whichever process is done first: not queued behind item 2
    child.send((True, "r2"))
    jobs.collect(5)
    jobs.hand_out()
    assert child.recv() == 4  # the worker is free: it takes the last
    assert jobs.done == {0: "r0", 1: "r1", 2: "r2"}


def test_a_failure_in_the_main_process_share_tears_the_pool_down() -> None:
    def failing(item: int, between: Callable[[], None]) -> tuple[int, int]:
        raise ValueError("broken module")

    with pytest.raises(ValueError, match="broken module"), worker_pool(1, _square) as pool:
        workers = [proc for proc, _ in pool._workers]
        list(pool.imap(range(4), failing))
    assert all(not proc.is_alive() for proc in workers)


def test_a_worker_killed_while_idle_stops_the_run_with_its_signal() -> None:
    with pytest.raises(WorkerDied, match=r"killed by signal 9"), worker_pool(1, _square) as pool:
        proc = pool._workers[0][0]
        assert proc.pid is not None
        os.kill(proc.pid, signal.SIGKILL)
        proc.join(5)  # gone, its end of the pipe closed: handing it an item cannot be sent
        list(pool.imap(range(3)))


def _slow_to_exit(item: int) -> int:
    """Makes the worker's exit take seconds (a finalizer run as the process ends), as a large process's does."""
    multiprocessing.util.Finalize(None, time.sleep, args=(3.0,), exitpriority=0)
    return item


def test_closing_the_pool_does_not_wait_for_the_workers_to_exit() -> None:
    """Every result read, each worker is told it is done and exits on its own: the main process goes on while it
    is still exiting, and it ends cleanly."""
    with worker_pool(1, _slow_to_exit) as pool:
        worker = pool._workers[0][0]
        assert list(pool.imap(range(3))) == [0, 1, 2]
    assert worker.is_alive()  # still in its three-second exit
    worker.join(30)
    assert worker.exitcode == 0
