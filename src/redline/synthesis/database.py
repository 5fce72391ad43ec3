"""The PostgreSQL component's inventory: what a reader of the report wants to see of the database besides
the findings — the top statements by total time and the largest tables — from the snapshot fact."""

from __future__ import annotations

from typing import Any

from redline.checks.interface import CheckContext
from redline.core.facts import Facts
from redline.core.inventory import DatabaseInventory
from redline.core.model import Finding
from redline.sources.postgres.model import Snapshot
from redline.synthesis.interface import SynthesisOutput, SynthesisStep

TOP = 10


def database_inventory(snap: Snapshot) -> dict[str, Any]:
    total = snap.database.statements_total_ms
    top = sorted(snap.statements, key=lambda s: (-s.total_ms, s.queryid))[:TOP]
    largest = sorted((t for t in snap.tables if not t.parent), key=lambda t: (-t.total_bytes, t.qualified))[:TOP]
    return {
        "component": f"postgres/{snap.server.database}",
        "address": snap.server.address,
        "server_version_num": snap.server.version_num,
        "captured_at": snap.server.captured_at,
        "stats_reset": snap.server.stats_reset,
        "deadlocks": snap.database.deadlocks,  # since stats_reset: the lock-wait counter the server keeps
        "blocked_sessions": sum(1 for s in snap.sessions if s.blocked_by),
        "top_statements": [
            {
                "queryid": s.queryid,
                "calls": s.calls,
                "total_ms": s.total_ms,
                "mean_ms": s.mean_ms,
                "share": round(s.total_ms / total, 4) if total > 0 else 0.0,
                "rows": s.rows,
                "shared_blks_hit": s.shared_blks_hit,
                "shared_blks_read": s.shared_blks_read,
                "query": s.query[:500],
            }
            for s in top
        ],
        "largest_tables": [
            {
                "table": t.qualified,
                "rows": t.live_tuples,
                "total_bytes": t.total_bytes,
                "seq_scan": t.seq_scan,
                "idx_scan": t.idx_scan,
                "partitioned": t.kind == "partitioned",
            }
            for t in largest
        ],
    }


class DatabaseInventoryStep(SynthesisStep):
    name = "database inventory"

    def run(self, facts: Facts, findings: list[Finding], ctx: CheckContext) -> SynthesisOutput:
        snaps = facts.of(Snapshot)
        if not snaps:
            return SynthesisOutput()
        return SynthesisOutput(postgres=DatabaseInventory(tuple(database_inventory(s) for s in snaps)))
