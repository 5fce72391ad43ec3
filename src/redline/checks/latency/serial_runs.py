"""Runs of awaited calls in consecutive statements where no call reads what an earlier one of the run bound:
what `asyncio.gather` (LAT121) or `Promise.all` (LAT260) could overlap. One walk for both languages."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from typing import TypeVar

from redline.sources.code.model import CallSite

T = TypeVar("T")


def independent_runs(items: Sequence[T], call_of: Callable[[T], CallSite]) -> Iterator[list[T]]:
    """Runs of two or more ``items`` (in statement order) whose calls sit in consecutive statements and read
    nothing an earlier call of the run bound."""
    run: list[T] = []
    bound: set[str] = set()  # what the run's calls bound so far
    for item in items:
        call = call_of(item)
        if run and call.position == call_of(run[-1]).position + 1 and not bound.intersection(call.reads):
            run.append(item)
            bound.update(_bound(call))
            continue
        if len(run) >= 2:
            yield run
        run, bound = [item], set(_bound(call))
    if len(run) >= 2:
        yield run


def _bound(call: CallSite) -> tuple[str, ...]:
    """The local names a call's statement binds (destructuring included for JS) and the plain name it is
    assigned to."""
    own = (call.assigned_to.split(".")[0],) if call.assigned_to else ()
    return (*call.binds, *own)
