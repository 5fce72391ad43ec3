"""The built-in checks, in an explicit list (nothing registers itself on import).

Each family is a package with a ``checks()`` function, imported only when a run needs it, so a command
that uses one family (``redline secrets``) does not pay for importing the others.
"""

from __future__ import annotations

from collections.abc import Iterable
from importlib import import_module

from redline.checks.interface import Check

#: the families, in the order their checks run; each module has ``checks() -> list[Check]``
FAMILIES = (
    "redline.checks.resilience",
    "redline.checks.secrets",
    "redline.checks.supply_chain",
    "redline.checks.terraform",
    "redline.checks.containers",
    "redline.checks.database",
    "redline.checks.cost",
    "redline.checks.performance",
    "redline.checks.eol",
    "redline.checks.code",
    "redline.checks.latency",
    "redline.checks.datapath",
)


def family_checks(family: str) -> list[Check]:
    """The checks of one family, importing it now."""
    checks: list[Check] = import_module(family).checks()
    return checks


def builtin_checks(families: Iterable[str] | None = None) -> list[Check]:
    """Every built-in check, or only those of ``families``."""
    wanted = FAMILIES if families is None else tuple(f for f in FAMILIES if f in set(families))
    return [check for family in wanted for check in family_checks(family)]
