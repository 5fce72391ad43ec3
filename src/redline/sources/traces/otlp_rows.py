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

import re
from operator import itemgetter

import msgspec
import orjson

from redline.core.interrupts import interrupts_deferred
from redline.sources.traces.classify import (
    NO_SAMPLER,
    SAMPLER,
    SERVER_ERROR,
    Description,
    Row,
    describe,
    span_row,
)
from redline.sources.traces.otlp import FLAG_REMOTE, FLAG_REMOTE_KNOWN, KIND_NUMBERS, attributes, span_notes
from redline.sources.traces.spans import KINDS

_CACHE_LIMIT = 200_000  # distinct (service, name, kind, attributes) kept; past it the cache starts again

_EMPTY = msgspec.Raw(b"[]")
_LOWER_HEX = re.compile("[0-9a-f]*").fullmatch


class _Status(msgspec.Struct):
    code: int | str = 0
    message: str = ""


class _Span(msgspec.Struct, rename="camel"):
    trace_id: str  # lower-case hex of the right width: checked per request (``_lower_hex_ids``)
    span_id: str
    start_time_unix_nano: int | str
    end_time_unix_nano: int | str
    parent_span_id: str = ""
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


with interrupts_deferred():  # as the code index's decoder: not cut by a Ctrl-C inside msgspec
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
            out: list[Row] = []
            for rs in request.resource_spans:
                service = self._service(rs.resource)
                scopes = rs.scope_spans if rs.scope_spans is not None else rs.instrumentation_library_spans
                for scope in scopes or ():
                    out += [self._row(span, service) for span in scope.spans]
        except (msgspec.DecodeError, ValueError):  # msgspec.ValidationError is a DecodeError; int("x")
            return None
        return out if _lower_hex_ids(out) else None

    def _service(self, resource: _Resource | None) -> str:
        raw = bytes(resource.attributes) if resource is not None else b"[]"
        service = self._services.get(raw)
        if service is None:
            service = str(attributes(orjson.loads(raw)).get("service.name", "unknown_service"))
            self._services[raw] = service
        return service

    def _row(self, span: _Span, service: str) -> Row:
        raw = bytes(span.attributes)
        described = self._described.get((service, span.name, span.kind, raw))
        if described is None:
            described = self._describe((service, span.name, span.kind, raw))
        start, status, flags = int(span.start_time_unix_nano), span.status, span.flags
        duration = max(0, (int(span.end_time_unix_nano) - start) // 1000)
        remote = bool(flags & FLAG_REMOTE) if flags & FLAG_REMOTE_KNOWN else None
        error = status is not None and status.code in (2, "STATUS_CODE_ERROR")
        message = status.message if status is not None else ""
        if not (error or message or span.trace_state) and len(span.events) <= 2:  # most spans: span_row, inline
            sampler = described[SAMPLER]
            return (
                span.trace_id,
                span.span_id,
                span.parent_span_id or None,
                start // 1000,
                duration,
                described[SERVER_ERROR],
                remote,
                None if sampler is NO_SAMPLER else sampler,
                None,
                described,
            )
        return span_row(
            described,
            span.trace_id,
            span.span_id,
            span.parent_span_id,
            start // 1000,
            duration,
            error,
            remote,
            span.trace_state,
            lambda: attributes(orjson.loads(raw)),
            span_notes(message, orjson.loads(bytes(span.events))) if message or len(span.events) > 2 else (),
        )

    def _describe(self, key: tuple[str, str, int | str, bytes]) -> Description:
        service, name, kind, raw = key
        kind_no = kind if type(kind) is int else KIND_NUMBERS.get(str(kind), 0)
        kind_name = KINDS[kind_no - 1] if 1 <= kind_no <= 5 else "internal"
        described = describe(attributes(orjson.loads(raw)), service, name, kind_name, self.file_no)
        if len(self._described) >= _CACHE_LIMIT:
            self._described.clear()
        self._described[key] = described
        return described


def _lower_hex_ids(rows: list[Row]) -> bool:
    """Every trace id 32 and every span and parent id 16 lower-case hex digits (one regex per column, not
    three per span); otherwise the general reader decides (it reads base64 and upper case, and words
    what is missing)."""
    parents = [p for p in map(itemgetter(2), rows) if p is not None]
    for column, width in ((list(map(itemgetter(0), rows)), 32), (list(map(itemgetter(1), rows)), 16), (parents, 16)):
        if set(map(len, column)) - {width} or not _LOWER_HEX("".join(column)):
            return False
    return True
