"""LAT200: synchronous fs / child_process / crypto calls in Express handlers; start-up reads, promise and
stream forms, non-blocking crypto and helpers stay silent."""

from __future__ import annotations

from pathlib import Path

from audit_helpers import findings_of
from redline.checks.latency.node_sync import NodeSyncIoCheck

FIXTURES = Path(__file__).parent / "fixtures" / "node"


def test_sync_calls_in_handlers_fire_at_their_lines() -> None:
    found = findings_of(FIXTURES, NodeSyncIoCheck())
    got = [(f.rule, f.location.path, f.location.start_line, f.evidence["route"]) for f in found]
    assert got == [
        ("LAT200", "src/server.js", 11, "GET /report"),
        ("LAT200", "src/server.js", 16, "GET /files/:name"),
        ("LAT200", "src/server.js", 21, "POST /login"),
        ("LAT200", "src/server.js", 27, "GET /version"),
    ]
    login = next(f for f in found if f.location.start_line == 21)
    assert login.evidence["call"] == "crypto.pbkdf2Sync" and "`crypto.pbkdf2`" in login.remediation
