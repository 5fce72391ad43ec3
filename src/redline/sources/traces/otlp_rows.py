"""OTLP/JSON straight to classified rows: the common shape of an export (lower-case hex ids, integer
times as strings or numbers, kinds as numbers or names) decoded by msgspec into typed structs, with no
dict per span and no attribute dict per span.

A span's attributes stay as their raw JSON text: spans of one service with the same name, kind and
attribute text share one ``Description`` (``classify.describe`` runs once per distinct set, not once per
span). Anything outside that shape — base64 or upper-case ids, ``null`` where a value belongs, another
type — makes ``rows`` answer None, and the caller reads that export request the general way
(``otlp.otlp_spans`` + ``classify.classify``), which words the problems; so this path changes speed, not
what is read or reported."""

from __future__ import annotations

from typing import Annotated

import msgspec
import orjson

from redline.sources.traces.classify import Description, Row, describe, span_row
from redline.sources.traces.otlp import attributes, span_notes
from redline.sources.traces.spans import KINDS

_KIND_NAMES = {
    "SPAN_KIND_UNSPECIFIED": 0,
    "SPAN_KIND_INTERNAL": 1,
    "SPAN_KIND_SERVER": 2,
    "SPAN_KIND_CLIENT": 3,
    "SPAN_KIND_PRODUCER": 4,
    "SPAN_KIND_CONSUMER": 5,
}
_REMOTE_KNOWN, _REMOTE = 0x100, 0x200
_CACHE_LIMIT = 200_000  # distinct (service, name, kind, attributes) kept; past it the cache starts again

_EMPTY = msgspec.Raw(b"[]")
_TraceId = Annotated[str, msgspec.Meta(pattern="^[0-9a-f]{32}$")]
_SpanId = Annotated[str, msgspec.Meta(pattern="^[0-9a-f]{16}$")]
_ParentId = Annotated[str, msgspec.Meta(pattern="^(?:[0-9a-f]{16})?$")]
_Nanos = int | Annotated[str, msgspec.Meta(pattern="^[0-9]+$")]


class _Status(msgspec.Struct):
    code: int | str = 0
    message: str = ""


class _Span(msgspec.Struct, rename="camel"):
    trace_id: _TraceId
    span_id: _SpanId
    start_time_unix_nano: _Nanos
    end_time_unix_nano: _Nanos
    parent_span_id: _ParentId = ""
    name: str = ""
    kind: int | str = 0
    status: _Status | None = None
    attributes: msgspec.Raw = _EMPTY
    events: msgspec.Raw = _EMPTY
    flags: int = 0
    trace_state: str = ""


class _Scope(msgspec.Struct):
    spans: list[_Span] = []


class _Resource(msgspec.Struct):
    attributes: msgspec.Raw = _EMPTY


class _ResourceSpans(msgspec.Struct, rename="camel"):
    resource: _Resource | None = None
    scope_spans: list[_Scope] | None = None
    instrumentation_library_spans: list[_Scope] | None = None


class _Request(msgspec.Struct, rename="camel"):
    resource_spans: list[_ResourceSpans]


_DECODER = msgspec.json.Decoder(_Request)


class OtlpRows:
    """The rows of one file's export requests; holds the file's description and service caches."""

    def __init__(self, file_no: int) -> None:
        self.file_no = file_no
        self._described: dict[tuple[str, str, int | str, bytes], Description] = {}
        self._services: dict[bytes, str] = {}

    def rows(self, text: str) -> list[Row] | None:
        """Every span of one export request, or None when it is not in the common shape."""
        try:
            request = _DECODER.decode(text)
        except msgspec.DecodeError:  # also msgspec.ValidationError
            return None
        out: list[Row] = []
        for rs in request.resource_spans:
            service = self._service(rs.resource)
            scopes = rs.scope_spans if rs.scope_spans is not None else rs.instrumentation_library_spans
            for scope in scopes or ():
                out += [self._row(span, service) for span in scope.spans]
        return out

    def _service(self, resource: _Resource | None) -> str:
        raw = bytes(resource.attributes) if resource is not None else b"[]"
        service = self._services.get(raw)
        if service is None:
            service = str(attributes(orjson.loads(raw)).get("service.name", "unknown_service"))
            self._services[raw] = service
        return service

    def _row(self, span: _Span, service: str) -> Row:
        raw = bytes(span.attributes)
        key = (service, span.name, span.kind, raw)
        described = self._described.get(key)
        if described is None:
            described = self._describe(key)
        start, status, events, flags = int(span.start_time_unix_nano), span.status, span.events, span.flags
        error = status is not None and status.code in (2, "STATUS_CODE_ERROR")
        message = status.message if status is not None else ""
        return span_row(
            described,
            span.trace_id,
            span.span_id,
            span.parent_span_id,
            start // 1000,
            max(0, (int(span.end_time_unix_nano) - start) // 1000),
            error,
            bool(flags & _REMOTE) if flags & _REMOTE_KNOWN else None,
            span.trace_state,
            lambda: attributes(orjson.loads(raw)),
            span_notes(message, orjson.loads(bytes(events))) if message or len(events) > 2 else (),
        )

    def _describe(self, key: tuple[str, str, int | str, bytes]) -> Description:
        service, name, kind, raw = key
        kind_no = kind if type(kind) is int else _KIND_NAMES.get(str(kind), 0)
        kind_name = KINDS[kind_no - 1] if 1 <= kind_no <= 5 else "internal"
        described = describe(attributes(orjson.loads(raw)), service, name, kind_name, self.file_no)
        if len(self._described) >= _CACHE_LIMIT:
            self._described.clear()
        self._described[key] = described
        return described
