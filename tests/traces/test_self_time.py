"""Self-time: a span's duration minus the union of its children's intervals, clipped to the span."""

from __future__ import annotations

from pathlib import Path

from redline.sources.traces.measures import operation_measures
from redline.sources.traces.store import ingest

from .builders import TraceBuilder, write_otlp


def test_self_time_counts_overlapping_children_once(tmp_path: Path) -> None:
    t = TraceBuilder()
    root = t.server("GET /self", 100)
    t.span("a", 3, 10, 20, root)  # 10-30
    t.span("b", 3, 15, 5, root)  # inside a: adds nothing
    t.span("c", 3, 25, 15, root)  # 25-40: adds 10
    t.span("d", 3, 60, 10, root)  # disjoint: adds 10
    t.span("e", 3, 95, 30, root)  # overhangs the parent's end: clipped to 5
    store = ingest([write_otlp(tmp_path / "self.json", t)])
    server = next(m for m in operation_measures(store) if m.operation == "GET /self")
    assert server.self_p50_ms == 100 - (20 + 10 + 10 + 5)
