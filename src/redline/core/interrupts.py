"""Signals held back over a short stretch that must not be cut in the middle, and delivered right after."""

from __future__ import annotations

import contextlib
import signal
import threading
from collections.abc import Iterator


@contextlib.contextmanager
def interrupts_deferred() -> Iterator[None]:
    """SIGINT/SIGTERM held back over the block (milliseconds), delivered after: an output set being written, or a
    msgspec decoder being built (a KeyboardInterrupt raised inside msgspec's type introspection crashed the
    process with SIGSEGV, one Ctrl-C in about 150 at start-up).

    Held by Python-level handlers, not only by the main thread's signal mask: a process-directed signal goes
    to any thread that does not block it (the worker pool's helper threads, a test runner's I/O thread), and
    Python then runs the handler in the main thread all the same."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    pending: list[int] = []

    def hold(signum: int, _frame: object) -> None:
        pending.append(signum)

    previous = {sig: signal.signal(sig, hold) for sig in (signal.SIGINT, signal.SIGTERM)}
    try:
        yield
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler if handler is not None else signal.SIG_DFL)
        if pending:
            signal.raise_signal(pending[0])  # the run's own handler (KeyboardInterrupt for Ctrl-C), now
