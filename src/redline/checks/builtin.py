"""The built-in checks, in an explicit list (nothing registers itself on import)."""

from __future__ import annotations

from redline.checks import containers, database, eol, secrets, supply_chain, terraform
from redline.checks.interface import Check
from redline.checks.resilience.timeouts import MissingTimeoutCheck


def builtin_checks() -> list[Check]:
    return [
        MissingTimeoutCheck(),
        *secrets.checks(),
        *supply_chain.checks(),
        *terraform.checks(),
        *containers.checks(),
        *database.checks(),
        *eol.checks(),
    ]
