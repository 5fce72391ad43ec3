"""Hand-built OTLP/JSON traces for the detector fixtures: small, exact, readable."""

from __future__ import annotations

import itertools
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

BASE_US = 1_700_000_000_000_000
_ids = itertools.count(1)


@dataclass
class TraceBuilder:
    """One trace of one service; times in milliseconds from the trace start."""

    service: str = "shop"
    trace_id: str = field(default_factory=lambda: f"{next(_ids):032x}")
    spans: list[dict[str, Any]] = field(default_factory=list)

    def span(
        self,
        name: str,
        kind: int,
        start_ms: float,
        dur_ms: float,
        parent: str | None = None,
        *,
        error: bool = False,
        **attrs: Any,
    ) -> str:
        span_id = f"{next(_ids):016x}"
        start = int((BASE_US + start_ms * 1000) * 1000)
        span: dict[str, Any] = {
            "traceId": self.trace_id,
            "spanId": span_id,
            "name": name,
            "kind": kind,
            "startTimeUnixNano": str(start),
            "endTimeUnixNano": str(start + int(dur_ms * 1_000_000)),
            "attributes": [{"key": k.replace("__", "."), "value": _value(v)} for k, v in attrs.items()],
        }
        if parent:
            span["parentSpanId"] = parent
        if error:
            span["status"] = {"code": 2}
        self.spans.append(span)
        return span_id

    def server(self, route: str, dur_ms: float, start_ms: float = 0) -> str:
        method, path = route.split(" ", 1)
        return self.span(route, 2, start_ms, dur_ms, http__request__method=method, http__route=path)

    def query(self, parent: str, sql: str, start_ms: float, dur_ms: float, error: bool = False) -> str:
        return self.span("SELECT", 3, start_ms, dur_ms, parent, error=error, db__system="postgresql", db__statement=sql)

    def call(self, parent: str, url: str, start_ms: float, dur_ms: float, error: bool = False) -> str:
        return self.span("GET", 3, start_ms, dur_ms, parent, error=error, http__request__method="GET", url__full=url)


def _value(v: Any) -> dict[str, Any]:
    if isinstance(v, bool):
        return {"boolValue": v}
    if isinstance(v, int):
        return {"intValue": str(v)}
    return {"stringValue": str(v)}


def write_otlp(path: Path, *traces: TraceBuilder) -> Path:
    by_service: dict[str, list[dict[str, Any]]] = {}
    for t in traces:
        by_service.setdefault(t.service, []).extend(t.spans)
    doc = {
        "resourceSpans": [
            {
                "resource": {"attributes": [{"key": "service.name", "value": {"stringValue": s}}]},
                "scopeSpans": [{"scope": {"name": "test"}, "spans": spans}],
            }
            for s, spans in by_service.items()
        ]
    }
    path.write_text(json.dumps(doc), encoding="utf-8")
    return path
