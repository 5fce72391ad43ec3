"""The project checks on two processes: each process takes the next check no other has taken, so a long check
in one never holds the others back; what each check yields comes back in the checks' order whoever ran it, and
a check that fails is reported like on one process."""

from __future__ import annotations

import os
import time
from collections.abc import Iterable
from pathlib import Path

from redline.checks.interface import CheckContext, ProjectCheck
from redline.core.facts import Facts
from redline.core.model import Finding, Skipped, Stage, ToolError
from redline.pipeline.judging import Item, Judge, judge_all


class _Named(ProjectCheck):
    def __init__(self, name: str) -> None:
        self.name = name

    def check(self, facts: Facts, ctx: CheckContext) -> Iterable[Finding | Skipped | ToolError]:
        return []


def _where(name: str) -> Judge:
    """A judge that says which process ran it."""
    return Judge(_Named(name), lambda: [ToolError(name, str(os.getpid()))])


def _pids(results: list[list[Item]]) -> list[int]:
    return [int(item.reason) for items in results for item in items if isinstance(item, ToolError)]


def test_one_process_judges_in_order_in_the_main_process() -> None:
    results = judge_all([_where(f"c{i}") for i in range(5)], workers=1)
    assert [[i.where for i in items if isinstance(i, ToolError)] for items in results] == [[f"c{i}"] for i in range(5)]
    assert set(_pids(results)) == {os.getpid()}


def _marked(folder: Path, name: str) -> Judge:
    """A judge that leaves a file named after it in ``folder`` and says which process ran it."""

    def run() -> list[Item]:
        (folder / name).touch()
        return [ToolError(name, str(os.getpid()))]

    return Judge(_Named(name), run)


def _waiting(folder: Path, others: int, check: _Named) -> Judge:
    """A judge that runs until ``others`` marked judges are done: the process that took it takes no other."""

    def run() -> list[Item]:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline and len(list(folder.iterdir())) < others:
            time.sleep(0.005)
        return [ToolError(check.name, str(os.getpid()))]

    return Judge(check, run)


def test_a_long_check_holds_back_no_other(tmp_path: Path) -> None:
    """The first check waits until every other is done: the process that took it cannot take any, so the other
    process took them all (the main process handing checks out would have kept them behind the long one)."""
    others = 8
    judges = [_waiting(tmp_path, others, _Named("long")), *(_marked(tmp_path, f"c{i}") for i in range(others))]
    results = judge_all(judges, workers=2)

    assert [[i.where for i in items if isinstance(i, ToolError)] for items in results] == [
        ["long"],
        *([f"c{i}"] for i in range(others)),
    ]
    pids = _pids(results)
    assert len(set(pids[1:])) == 1  # every other check ran in one process
    assert pids[0] != pids[1]  # not the one that took the long check
    assert os.getpid() in set(pids)  # the main process judged too


def test_a_failing_check_keeps_what_it_yielded_wherever_it_ran() -> None:
    def failing() -> Iterable[Item]:
        yield ToolError("half", "before the failure")
        raise ValueError("bad input")

    judges = [Judge(_Named(f"fails{i}"), failing) for i in range(4)]
    for workers in (1, 2):
        results = judge_all(judges, workers)
        assert results == [
            [
                ToolError("half", "before the failure"),
                ToolError(f"fails{i}", "check failed: ValueError: bad input", stage=Stage.CHECK, fatal=True),
            ]
            for i in range(4)
        ]


class _Connection:
    """A fact bound to the process that made it (a live database connection)."""

    FORK_SAFE = False


def test_a_check_reading_a_fact_bound_to_the_main_process_is_judged_there() -> None:
    bound = [Judge(_Named(f"bound{i}"), _where(f"bound{i}").run, (_Connection,)) for i in range(3)]
    judges = [*(_where(f"c{i}") for i in range(6)), *bound]
    results = judge_all(judges, workers=2)
    assert [[i.where for i in items if isinstance(i, ToolError)] for items in results] == [
        *([f"c{i}"] for i in range(6)),
        *([f"bound{i}"] for i in range(3)),
    ]
    assert _pids(results)[6:] == [os.getpid()] * 3
    assert [judge.fork_safe for judge in judges] == [True] * 6 + [False] * 3


def test_a_long_running_check_is_taken_first_wherever_it_is_listed(tmp_path: Path) -> None:
    """Listed last, the check that says it runs long is still taken first: the process that took it cannot take
    another until every other check is done, so the other process took them all."""
    others = 6
    slow = _Named("long")
    slow.long_running = True
    results = judge_all([*(_marked(tmp_path, f"c{i}") for i in range(others)), _waiting(tmp_path, others, slow)], 2)

    assert [[i.where for i in items if isinstance(i, ToolError)] for items in results] == [
        *([f"c{i}"] for i in range(others)),
        ["long"],
    ]
    pids = _pids(results)
    assert len(set(pids[:-1])) == 1  # every other check ran in one process
    assert pids[-1] != pids[0]  # not the one that took the long check
