"""OTLP/JSON: the collector's file exporter (one export request per line) and ``/v1/traces`` bodies.

Ids are hex (the OTLP/JSON spec) or base64 (protobuf JSON mappings); 64-bit integers are strings or
numbers; kinds and status codes are enum numbers or names; both ``scopeSpans`` and the older
``instrumentationLibrarySpans`` appear in the wild."""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from typing import Any

from redline.sources.traces.ids import as_int, hex_id
from redline.sources.traces.spans import KINDS, RawSpan, TraceFormatError

#: OTLP JSON may name a span kind instead of numbering it
KIND_NUMBERS = {
    "SPAN_KIND_UNSPECIFIED": 0,
    "SPAN_KIND_INTERNAL": 1,
    "SPAN_KIND_SERVER": 2,
    "SPAN_KIND_CLIENT": 3,
    "SPAN_KIND_PRODUCER": 4,
    "SPAN_KIND_CONSUMER": 5,
}
#: span flags bits 8 and 9: whether the parent is known to be remote, and whether it is
FLAG_REMOTE_KNOWN, FLAG_REMOTE = 0x100, 0x200
_LOWER_HEX = re.compile(r"[0-9a-f]+").fullmatch


def is_otlp(doc: object) -> bool:
    return isinstance(doc, dict) and "resourceSpans" in doc


def otlp_spans(doc: Mapping[str, Any]) -> Iterator[RawSpan]:
    """Every span of one export request."""
    resource_spans = doc.get("resourceSpans")
    if not isinstance(resource_spans, list):
        raise TraceFormatError("'resourceSpans' is not a list")
    for rs in resource_spans:
        if not isinstance(rs, dict):
            raise TraceFormatError("a 'resourceSpans' entry is not an object")
        resource = rs.get("resource") or {}
        service = str(attributes(resource.get("attributes")).get("service.name", "unknown_service"))
        scopes = rs.get("scopeSpans", rs.get("instrumentationLibrarySpans")) or []
        for scope in scopes:
            for span in (scope.get("spans") or []) if isinstance(scope, dict) else ():
                yield _span(span, service)


def _span(span: object, service: str) -> RawSpan:
    if not isinstance(span, dict):
        raise TraceFormatError("a span is not an object")
    start, end = _time(span.get("startTimeUnixNano")), _time(span.get("endTimeUnixNano"))
    trace_id, span_id = _hex(span.get("traceId"), 32), _hex(span.get("spanId"), 16)
    if start is None or end is None or not trace_id or not span_id:
        raise TraceFormatError(f"span {span.get('name')!r} lacks a valid traceId, spanId or start/end time")
    kind = span.get("kind", 0)
    kind_no = kind if type(kind) is int else KIND_NUMBERS.get(kind, 0) if isinstance(kind, str) else (as_int(kind) or 0)
    status = span.get("status")
    code = status.get("code", 0) if type(status) is dict else 0
    events = span.get("events")
    message = status.get("message") if type(status) is dict else None
    notes = span_notes(str(message) if message else "", events) if message or events else ()
    flags = span.get("flags")
    flags = 0 if flags is None else (as_int(flags) or 0)
    parent = span.get("parentSpanId")
    return RawSpan(
        trace_id=trace_id,
        span_id=span_id,
        parent_id=_hex(parent, 16) if parent else "",
        service=service,
        name=str(span.get("name", "")),
        kind=KINDS[kind_no - 1] if 1 <= kind_no <= 5 else "internal",
        start_us=start // 1000,
        duration_us=max(0, (end - start) // 1000),
        error=code in (2, "STATUS_CODE_ERROR"),
        attributes=attributes(span.get("attributes")),
        remote_parent=bool(flags & FLAG_REMOTE) if flags & FLAG_REMOTE_KNOWN else None,
        trace_state=str(span.get("traceState") or ""),
        notes=notes,
    )


def span_notes(message: str, events: object) -> tuple[str, ...]:
    """The status message and the exception events (``exception.type: exception.message``)."""
    out = [message] if message else []
    for event in events if isinstance(events, list) else ():
        if isinstance(event, dict) and event.get("name") == "exception":
            a = attributes(event.get("attributes"))
            out.append(f"{a.get('exception.type', '')}: {a.get('exception.message', '')}")
    return tuple(out)


def _hex(value: object, width: int) -> str:
    """The common case (lower-case hex of the right width) without a detour; the rest via ``hex_id``."""
    if type(value) is str and len(value) == width and _LOWER_HEX(value):
        return value
    return hex_id(value, width)


def _time(value: object) -> int | None:
    if type(value) is str and value.isdecimal():
        return int(value)
    return as_int(value)


def attributes(items: object) -> dict[str, Any]:
    """OTLP's list of ``{key, value: {stringValue|intValue|…}}`` as a plain dict (arrays as lists)."""
    out: dict[str, Any] = {}
    if not isinstance(items, list):
        return out
    for item in items:
        if isinstance(item, dict) and isinstance(item.get("key"), str):
            value = item.get("value")
            # the common case first: most attributes are strings
            out[item["key"]] = value["stringValue"] if type(value) is dict and "stringValue" in value else _value(value)
    return out


def _value(value: object) -> Any:
    if not isinstance(value, dict) or not value:
        return None
    (tag, inner), *_ = value.items()
    if tag == "intValue":
        return as_int(inner)
    if tag == "arrayValue":
        return [_value(v) for v in (inner or {}).get("values", [])] if isinstance(inner, dict) else []
    if tag == "kvlistValue":
        return attributes((inner or {}).get("values")) if isinstance(inner, dict) else {}
    return inner
