"""Resilience checks: timeouts, retries, circuit breakers, backpressure."""

from __future__ import annotations

from redline.checks.interface import Check
from redline.checks.resilience.timeouts import MissingTimeoutCheck


def checks() -> list[Check]:
    return [MissingTimeoutCheck()]
