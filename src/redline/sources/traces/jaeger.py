"""Jaeger JSON as the UI's "download" and the query API (``/api/traces``) write it: ``{"data": [trace…]}``,
each trace with ``spans`` and ``processes``; times in microseconds; 64-bit or 128-bit trace ids."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from redline.sources.traces.ids import as_int, hex_id
from redline.sources.traces.spans import KINDS, RawSpan, TraceFormatError


def is_jaeger(doc: object) -> bool:
    if not isinstance(doc, dict) or not isinstance(doc.get("data"), list):
        return False
    first = doc["data"][0] if doc["data"] else {}
    return isinstance(first, dict) and ("spans" in first or "traceID" in first)


def jaeger_spans(doc: Mapping[str, Any]) -> Iterator[RawSpan]:
    for trace in doc.get("data") or []:
        if not isinstance(trace, dict) or not isinstance(trace.get("spans"), list):
            raise TraceFormatError("a 'data' entry has no 'spans' list")
        processes = trace.get("processes") or {}
        for span in trace["spans"]:
            yield _span(span, processes)


def _span(span: object, processes: Mapping[str, Any]) -> RawSpan:
    if not isinstance(span, dict):
        raise TraceFormatError("a span is not an object")
    start, duration = as_int(span.get("startTime")), as_int(span.get("duration"))
    trace_id, span_id = hex_id(span.get("traceID"), 32), hex_id(span.get("spanID"), 16)
    if start is None or duration is None or not trace_id or not span_id:
        raise TraceFormatError(f"span {span.get('operationName')!r} lacks traceID, spanID, startTime or duration")
    tags = {t["key"]: t.get("value") for t in span.get("tags") or [] if isinstance(t, dict) and "key" in t}
    process = processes.get(span.get("processID", "")) or span.get("process") or {}
    parent = next(
        (
            r
            for r in span.get("references") or []
            if isinstance(r, dict) and r.get("refType", "CHILD_OF") in ("CHILD_OF", "FOLLOWS_FROM")
        ),
        None,
    )
    kind = str(tags.pop("span.kind", "internal")).lower()
    error = tags.get("error") in (True, "true") or str(tags.get("otel.status_code", "")).upper() == "ERROR"
    return RawSpan(
        trace_id=trace_id,
        span_id=span_id,
        parent_id=hex_id(parent.get("spanID"), 16) if parent else "",
        service=str(process.get("serviceName", "unknown_service")) if isinstance(process, dict) else "unknown_service",
        name=str(span.get("operationName", "")),
        kind=kind if kind in KINDS else "internal",
        start_us=start,
        duration_us=max(0, duration),
        error=error,
        attributes=tags,
        notes=_log_notes(span.get("logs")),
    )


def _log_notes(logs: object) -> tuple[str, ...]:
    """Error and exception logs as text (OpenTracing ``event=error`` with ``message``/``error.object``, or
    OpenTelemetry's ``exception.type``/``exception.message`` fields)."""
    out = []
    for log in logs if isinstance(logs, list) else ():
        fields = log.get("fields") if isinstance(log, dict) else None
        if not isinstance(fields, list):
            continue
        f = {x.get("key"): x.get("value") for x in fields if isinstance(x, dict)}
        if f.get("event") in ("error", "exception") or "exception.message" in f:
            kind = f.get("exception.type") or f.get("error.kind") or ""
            message = f.get("exception.message") or f.get("message") or f.get("error.object") or ""
            out.append(f"{kind}: {message}")
    return tuple(out)
