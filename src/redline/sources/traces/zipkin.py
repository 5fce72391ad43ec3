"""Zipkin v2 JSON (``/api/v2/spans`` bodies and UI downloads): a list of spans with ``localEndpoint``,
``remoteEndpoint`` and string ``tags``; times in microseconds; a trace may be a list of lists."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from redline.sources.traces.ids import as_int, hex_id
from redline.sources.traces.spans import RawSpan, TraceFormatError


def is_zipkin(doc: object) -> bool:
    if not isinstance(doc, list) or not doc:
        return False
    first = doc[0][0] if isinstance(doc[0], list) and doc[0] else doc[0]
    return isinstance(first, dict) and "traceId" in first and ("id" in first)


def zipkin_spans(doc: list[Any]) -> Iterator[RawSpan]:
    for item in doc:
        for span in item if isinstance(item, list) else (item,):
            yield _span(span)


def _span(span: object) -> RawSpan:
    if not isinstance(span, dict):
        raise TraceFormatError("a span is not an object")
    start, duration = as_int(span.get("timestamp")), as_int(span.get("duration", 0))
    trace_id, span_id = hex_id(span.get("traceId"), 32), hex_id(span.get("id"), 16)
    if start is None or duration is None or not trace_id or not span_id:
        raise TraceFormatError(f"span {span.get('name')!r} lacks traceId, id or timestamp")
    tags: dict[str, Any] = dict(span.get("tags") or {})
    local, remote = span.get("localEndpoint") or {}, span.get("remoteEndpoint") or {}
    if isinstance(remote, dict) and remote.get("serviceName"):
        tags.setdefault("peer.service", remote["serviceName"])
    if isinstance(remote, dict) and (remote.get("ipv4") or remote.get("ipv6")) and "server.address" not in tags:
        tags.setdefault("net.peer.name", remote.get("ipv4") or remote.get("ipv6"))
        if remote.get("port"):
            tags.setdefault("net.peer.port", remote["port"])
    kind = str(span.get("kind", "")).lower()
    error = "error" in tags or str(tags.get("otel.status_code", "")).upper() == "ERROR"
    return RawSpan(
        trace_id=trace_id,
        span_id=span_id,
        parent_id=hex_id(span.get("parentId"), 16),
        service=str(local.get("serviceName", "unknown_service")) if isinstance(local, dict) else "unknown_service",
        name=str(span.get("name", "")),
        kind=kind if kind in ("server", "client", "producer", "consumer") else "internal",
        start_us=start,
        duration_us=max(0, duration),
        error=error,
        attributes=tags,
        notes=tuple(str(a["value"]) for a in span.get("annotations") or () if isinstance(a, dict) and a.get("value")),
    )
