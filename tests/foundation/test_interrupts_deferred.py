"""A Ctrl-C inside ``interrupts_deferred`` waits for the block's end (a msgspec decoder built, an output set
written) and is raised right after it, as the run's own KeyboardInterrupt."""

from __future__ import annotations

import signal

import pytest

from redline.core.interrupts import interrupts_deferred


def test_a_sigint_inside_the_block_is_raised_after_it() -> None:
    finished: list[str] = []
    with pytest.raises(KeyboardInterrupt), interrupts_deferred():
        signal.raise_signal(signal.SIGINT)
        finished.append("the block ran to its end")
    assert finished == ["the block ran to its end"]
    assert signal.getsignal(signal.SIGINT) is signal.default_int_handler  # the run's own handler is back
