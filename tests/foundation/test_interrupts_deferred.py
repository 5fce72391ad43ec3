"""A Ctrl-C inside ``interrupts_deferred`` waits for the block's end (a msgspec decoder built, an output set
written) and is raised right after it, as the run's own KeyboardInterrupt."""

from __future__ import annotations

import signal
import threading

import pytest

from redline.core.interrupts import interrupts_deferred


def test_a_sigint_inside_the_block_is_raised_after_it() -> None:
    finished: list[str] = []
    with pytest.raises(KeyboardInterrupt), interrupts_deferred():
        signal.raise_signal(signal.SIGINT)
        finished.append("the block ran to its end")
    assert finished == ["the block ran to its end"]
    assert signal.getsignal(signal.SIGINT) is signal.default_int_handler  # the run's own handler is back


def test_a_sigint_inside_the_block_waits_in_the_kernel_and_no_handler_runs_there() -> None:
    """Not even the note-taking handler runs inside: any Python handler runs between two bytecodes of whatever the
    block calls into, and inside msgspec's reading of a type's fields that crashed the process (SIGSEGV)."""
    seen: list[bool] = []
    with pytest.raises(KeyboardInterrupt), interrupts_deferred():
        signal.pthread_kill(threading.get_ident(), signal.SIGINT)
        seen.append(signal.SIGINT in signal.sigpending())
        sum(range(10_000))  # Python code runs; the signal still waits
        seen.append(signal.SIGINT in signal.sigpending())
    assert seen == [True, True]  # observed inside, asserted here: the block's end raises the KeyboardInterrupt
    assert signal.SIGINT not in signal.pthread_sigmask(signal.SIG_BLOCK, [])  # unblocked again
    assert signal.SIGINT not in signal.sigpending()
