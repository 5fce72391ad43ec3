"""LAT252 on a Redis client held by another object (``this.connection.redis``, node-resque's shape): a property
named like a Redis client counts in a project that imports ioredis/redis, never in one that does not."""

from __future__ import annotations

import shutil
from pathlib import Path

from audit_helpers import findings_of
from redline.checks.latency.jsgo_check import JsGoPerItemCheck

FIXTURES = Path(__file__).parent / "fixtures" / "jsredis"


def test_a_held_client_fires_per_item_only() -> None:
    found = findings_of(FIXTURES, JsGoPerItemCheck())
    assert sorted((f.location.path, f.location.start_line, f.rule) for f in found) == [
        ("src/core/queue.ts", 10, "LAT252"),
        ("src/core/queue.ts", 16, "LAT252"),
    ]
    serial = next(f for f in found if f.location.start_line == 10)
    assert serial.evidence["client"] == "this.connection.redis" and "MGET" in serial.remediation


def test_the_name_alone_is_not_a_client(tmp_path: Path) -> None:
    tree = tmp_path / "tree"
    shutil.copytree(FIXTURES, tree)
    (tree / "src" / "core" / "connection.ts").unlink()  # no module imports a Redis package any more
    assert findings_of(tree, JsGoPerItemCheck()) == []
