"""Checks: supply chain (known-vulnerable dependencies, pinning, licences)."""

from __future__ import annotations

from redline.checks.interface import Check
from redline.checks.supply_chain.licences import LicencePolicyCheck
from redline.checks.supply_chain.pinning import UnpinnedDependencyCheck
from redline.checks.supply_chain.vulns import VulnerableDependencyCheck


def checks() -> list[Check]:
    return [VulnerableDependencyCheck(), UnpinnedDependencyCheck(), LicencePolicyCheck()]
