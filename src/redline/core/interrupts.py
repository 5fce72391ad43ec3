"""Signals held back over a short stretch that must not be cut in the middle, and delivered right after."""

from __future__ import annotations

import contextlib
import signal
import threading
from collections.abc import Iterator

#: the signals held back
_HELD = (signal.SIGINT, signal.SIGTERM)


@contextlib.contextmanager
def interrupts_deferred() -> Iterator[None]:
    """SIGINT/SIGTERM held back over the block (milliseconds), delivered after: an output set being written, or a
    msgspec decoder being built (a signal handled inside msgspec's type introspection crashed the process with
    SIGSEGV, one Ctrl-C in about 40 at start-up).

    Blocked in the main thread's signal mask, so no Python handler runs inside the block, and held by Python-level
    handlers as well: a process-directed signal goes to any thread that does not block it (the worker pool's helper
    threads, a test runner's I/O thread), and Python then runs the handler in the main thread all the same."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    pending: list[int] = []

    def hold(signum: int, _frame: object) -> None:
        pending.append(signum)

    previous = {sig: signal.signal(sig, hold) for sig in _HELD}
    # blocked in the kernel too: a Python handler, even one that only takes note, runs between two bytecodes of
    # whatever Python code the block calls into; inside msgspec's reading of a type's fields that crashed the
    # process with SIGSEGV all the same (one Ctrl-C in ~40 at start-up). A blocked signal waits for the unmask.
    mask = signal.pthread_sigmask(signal.SIG_BLOCK, _HELD)
    _taken_note_of()  # one received before the mask but not handled yet is handled here, not inside the block
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, mask)  # a signal held in the kernel is taken note of now
        for sig, handler in previous.items():
            signal.signal(sig, handler if handler is not None else signal.SIG_DFL)
        if pending:
            signal.raise_signal(pending[0])  # the run's own handler (KeyboardInterrupt for Ctrl-C), now


def _taken_note_of() -> None:
    """Nothing: calling a Python function is where the interpreter runs the handlers of signals it has received but
    not yet handled (at a function's start), so a Ctrl-C that arrived just before the block is noted by ``hold``
    here rather than inside the first Python code the block calls into."""


def for_the_main_thread_only() -> None:
    """Called first in a helper thread of the main process: SIGINT/SIGTERM blocked there, so the kernel hands them to
    the main thread, whose mask ``interrupts_deferred`` controls (a signal a helper thread received would be
    handled in the main thread inside the block all the same)."""
    signal.pthread_sigmask(signal.SIG_BLOCK, _HELD)
