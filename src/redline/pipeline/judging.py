"""The project checks (and the module checks' ``finish``) shared between the main process and one forked
worker, after the files are parsed.

On the Django sdist they are ≈0.5 s of serial work in the main process (a third of what is left of a warm
two-worker run outside the parsing). They only read the facts, so a worker forked now inherits them
copy-on-write and sends back only what each check judged. Whoever is free takes the next check; the results
are put back in the checks' order, so the findings (and what later steps see) do not depend on who ran what.
A worker that dies or cannot send a result back costs time, never a finding: every check then runs here.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field

from redline.checks.interface import Check
from redline.core.model import Finding, Skipped, ToolError
from redline.pipeline.errors import WorkerDied

log = logging.getLogger("redline")

Judged = Finding | Skipped | ToolError
#: a check and the call that judges (``check.check`` or ``check.finish`` with its arguments bound)
Judge = tuple[Check, Callable[[], Iterable[Judged]]]


@dataclass
class Verdict:
    """What one check judged, up to the exception that stopped it (``failure``: ``"Type: message"``)."""

    items: list[Judged] = field(default_factory=list)
    failure: str | None = None


_JUDGES: Sequence[Judge] | None = None


def judge_one(judge: Judge) -> Verdict:
    verdict = Verdict()
    try:
        for item in judge[1]():
            verdict.items.append(item)
    except Exception as exc:  # noqa: BLE001 - recorded by the caller, the run goes on
        verdict.failure = f"{type(exc).__name__}: {exc}"
    return verdict


def judge_at(position: int) -> Verdict:
    """In the forked worker: the check at ``position`` of the judges installed before the fork."""
    assert _JUDGES is not None, "judges not installed"
    return judge_one(_JUDGES[position])


def judge_all(
    judges: Sequence[Judge], workers: int, started: Callable[[Check], None], weights: Sequence[int] = ()
) -> list[Verdict]:
    """Every judge's verdict, in the order of ``judges``; with two or more ``workers`` one forked worker takes
    checks too, the heaviest first (``weights``: how many facts each check reads, a proxy for its work).
    ``started`` is told of each check the main process begins."""
    if workers > 1 and len(judges) > 1 and hasattr(os, "fork"):
        try:
            return _shared(judges, started, weights or [0] * len(judges))
        except WorkerDied as exc:  # the checks only read: running them here gives the same verdicts
            log.debug("project checks: %s; judging them in the main process", exc)
    out = []
    for judge in judges:
        started(judge[0])
        out.append(judge_one(judge))
    return out


def _shared(judges: Sequence[Judge], started: Callable[[Check], None], weights: Sequence[int]) -> list[Verdict]:
    """The worker takes the heaviest check, the main process the next ones while it is busy; then whoever is
    free the next heaviest. The verdicts come back in the order they were handed out and are put back in
    the order of ``judges``."""
    from redline.pipeline.pool import worker_pool  # noqa: PLC0415 - multiprocessing only when a pool runs

    global _JUDGES

    def here(position: int, _between: Callable[[], None]) -> Verdict:
        started(judges[position][0])
        return judge_one(judges[position])

    order = sorted(range(len(judges)), key=lambda position: -weights[position])  # stable: ties keep their order
    _JUDGES = judges
    try:
        with worker_pool(1, judge_at) as pool:
            verdicts = dict(zip(order, pool.imap(order, here), strict=True))
        return [verdicts[position] for position in range(len(judges))]
    finally:
        _JUDGES = None
