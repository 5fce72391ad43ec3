"""Checks: end-of-life base images, runtimes and datastores (endoflife.date data)."""

from __future__ import annotations

from redline.checks.eol.images import EolImageCheck
from redline.checks.interface import Check


def checks() -> list[Check]:
    return [EolImageCheck()]
