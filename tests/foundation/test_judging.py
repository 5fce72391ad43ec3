"""Project checks shared with a forked worker: the same verdicts, in the checks' order, as judged alone."""

from __future__ import annotations

import os
from collections.abc import Iterable
from functools import partial

from redline.checks.interface import CheckContext, ProjectCheck
from redline.core.facts import Facts
from redline.core.model import Finding, Skipped, ToolError
from redline.pipeline.judging import Judge, Judged, Verdict, judge_all


class _Named(ProjectCheck):
    def __init__(self, name: str) -> None:
        self.name = name

    def check(self, facts: Facts, ctx: CheckContext) -> Iterable[Finding | Skipped | ToolError]:
        return ()


def _skips(name: str, count: int) -> list[Judged]:
    return [Skipped(f"{name}/{i}", "looked at") for i in range(count)]


def _fails_after_one(name: str) -> Iterable[Judged]:
    yield Skipped(f"{name}/0", "looked at")
    raise ValueError("broken input")


def _pid() -> list[Judged]:
    return [Skipped(str(os.getpid()), "judged here")]


def _judges() -> list[Judge]:
    judges: list[Judge] = [(_Named(f"c{i}"), partial(_skips, f"c{i}", i)) for i in range(8)]
    judges.insert(3, (_Named("failing"), partial(_fails_after_one, "failing")))
    return judges


def _run(judges: list[Judge], workers: int, weights: list[int]) -> tuple[list[Verdict], list[str]]:
    started: list[str] = []
    verdicts = judge_all(judges, workers, lambda check: started.append(check.name), weights)
    return verdicts, started


def test_two_workers_give_the_verdicts_of_one_in_the_checks_order() -> None:
    judges = _judges()
    alone, started_alone = _run(judges, 1, [])
    weights = [len(judges) - i for i in range(len(judges))]  # the first is the heaviest: the worker's
    shared, started_here = _run(judges, 2, weights)
    assert shared == alone
    assert [v.items for v in shared][:3] == [_skips("c0", 0), _skips("c1", 1), _skips("c2", 2)]
    assert shared[3] == Verdict(_skips("failing", 1), "ValueError: broken input")  # what came before is kept
    assert started_alone == [check.name for check, _ in judges]
    assert "c0" not in started_here  # the forked worker judged it
    assert started_here and set(started_here) < set(started_alone)


def test_the_heaviest_check_goes_to_the_forked_worker() -> None:
    judges: list[Judge] = [(_Named("light"), partial(_skips, "light", 1)), (_Named("heavy"), _pid)]
    verdicts, started = _run(judges, 2, [1, 100])
    assert started == ["light"]
    worker_pid = verdicts[1].items[0]
    assert isinstance(worker_pid, Skipped) and worker_pid.path != str(os.getpid())


def test_a_verdict_that_cannot_be_sent_back_is_judged_here() -> None:
    class Local:  # a class defined in a function: pickle cannot send it
        pass

    def unpicklable() -> list[Judged]:
        return [Local()]  # type: ignore[list-item]

    judges: list[Judge] = [(_Named("light"), partial(_skips, "light", 2)), (_Named("odd"), unpicklable)]
    verdicts, started = _run(judges, 2, [1, 100])
    assert started[-2:] == ["light", "odd"]  # everything again in the main process, in order
    assert verdicts[0].items == _skips("light", 2)
    assert isinstance(verdicts[1].items[0], Local) and verdicts[1].failure is None


def test_one_worker_never_forks() -> None:
    judges: list[Judge] = [(_Named("a"), _pid), (_Named("b"), _pid)]
    verdicts, _ = _run(judges, 1, [5, 9])
    assert [v.items for v in verdicts] == [[Skipped(str(os.getpid()), "judged here")]] * 2
