"""Cost checks: one module per kind of waste or drift, all over the cost dataset."""

from __future__ import annotations

from redline.checks.cost.commitments import CommitmentCoverageCheck
from redline.checks.cost.growth import CostPerRequestGrowthCheck
from redline.checks.cost.idle import IdleSpendCheck
from redline.checks.cost.logs import LogRetentionCheck
from redline.checks.cost.tenants import TenantSkewCheck
from redline.checks.cost.transfer import DataTransferCheck
from redline.checks.cost.unallocated import UnallocatedSpendCheck
from redline.checks.interface import Check


def checks() -> list[Check]:
    return [
        UnallocatedSpendCheck(),
        IdleSpendCheck(),
        CostPerRequestGrowthCheck(),
        TenantSkewCheck(),
        DataTransferCheck(),
        LogRetentionCheck(),
        CommitmentCoverageCheck(),
    ]
