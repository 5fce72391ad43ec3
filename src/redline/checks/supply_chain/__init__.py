"""Checks: supply_chain."""

from __future__ import annotations

from redline.checks.interface import Check


def checks() -> list[Check]:
    return []
