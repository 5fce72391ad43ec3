"""Checks over a PostgreSQL snapshot (``sources.postgres``), one module per concern."""

from __future__ import annotations

from redline.checks.database.composite import MissingIndexCheck
from redline.checks.database.health import HealthCheck
from redline.checks.database.indexes import BloatCheck, IndexUsageCheck
from redline.checks.database.locks import LockCheck
from redline.checks.database.monotonic import MonotonicKeyCheck
from redline.checks.database.partitions import PartitionCheck
from redline.checks.database.seq_scans import SeqScanCheck
from redline.checks.database.top_queries import TopQueriesCheck
from redline.checks.interface import Check


def checks() -> list[Check]:
    return [
        TopQueriesCheck(),
        SeqScanCheck(),
        MissingIndexCheck(),
        LockCheck(),
        PartitionCheck(),
        MonotonicKeyCheck(),
        BloatCheck(),
        IndexUsageCheck(),
        HealthCheck(),
    ]
