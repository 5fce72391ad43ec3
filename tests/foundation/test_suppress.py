"""Inline suppressions need a reason, are reported, and survive in the outputs as suppressed."""

from __future__ import annotations

from pathlib import Path

from audit_helpers import cli_audit as audit
from audit_helpers import cli_report as report

from .helpers import write

SOURCE = """import requests
requests.get("https://a")  # redline: ignore[RES101] internal health probe, bounded by the load balancer
# redline: ignore[RES101] batch job, the scheduler kills it after 5 minutes
requests.get("https://b")
requests.get("https://c")  # redline: ignore[RES101]
requests.get("https://d")  # redline: ignore[RES105] wrong code does not cover it
requests.get("https://e")  # redline: ignore[RES1, RES2] prefix covers the family
"""


def test_inline_suppression(tmp_path: Path) -> None:
    src = tmp_path / "src"
    write(src, "client.py", SOURCE)
    out = tmp_path / "out"
    assert audit(src, out, "--fail-on", "medium") == 1
    doc = report(out)
    state = {f["location"]["start_line"]: f["suppressed"] for f in doc["findings"]}
    assert state == {
        2: "internal health probe, bounded by the load balancer",
        4: "batch job, the scheduler kills it after 5 minutes",
        5: None,
        6: None,
        7: "prefix covers the family",
    }
    assert doc["summary"]["findings"] == 2 and doc["summary"]["suppressed"] == 3
    assert {
        "where": "client.py:5",
        "stage": "suppression",
        "fatal": False,
        "reason": "suppression comment without a reason is not honoured",
    } in doc["errors"]


def test_suppression_inside_a_block_span(tmp_path: Path) -> None:
    from redline.core.suppress import parse_suppressions

    supp = parse_suppressions("main.tf", 'resource "x" "y" {\n  # redline: ignore[TF101] legacy bastion\n  a = 1\n}\n')
    assert supp is not None
    item = supp.items[0]
    assert item.covers("TF101", 1, 4)  # a finding spanning the block
    assert not item.covers("TF101", 5, 9)
    assert not item.covers("TF102", 1, 4)
