"""Write the same SDK spans as every format redline reads: OTLP/JSON as the protobuf JSON mapping writes
it (base64 ids, int64 as strings), OTLP JSON lines as the collector's file exporter writes them (hex ids,
gzip), Jaeger's UI/API JSON and Zipkin v2 JSON."""

from __future__ import annotations

import base64
import gzip
import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from google.protobuf.json_format import MessageToDict
from opentelemetry.exporter.otlp.proto.common.trace_encoder import encode_spans
from opentelemetry.sdk.trace import ReadableSpan
from opentelemetry.trace import SpanKind, StatusCode


def otlp_document(spans: Sequence[ReadableSpan]) -> dict[str, Any]:
    """A ``/v1/traces`` body exactly as the protobuf JSON mapping writes it (ids in base64)."""
    doc: dict[str, Any] = MessageToDict(encode_spans(spans))
    return doc


def _hex_ids(doc: Any) -> Any:
    if isinstance(doc, dict):
        return {
            k: (base64.b64decode(v).hex() if k in ("traceId", "spanId", "parentSpanId") and v else _hex_ids(v))
            for k, v in doc.items()
        }
    if isinstance(doc, list):
        return [_hex_ids(v) for v in doc]
    return doc


def write_otlp_json(spans: Sequence[ReadableSpan], path: Path) -> Path:
    path.write_text(json.dumps(otlp_document(spans)), encoding="utf-8")
    return path


def write_otlp_lines_gz(spans: Sequence[ReadableSpan], path: Path, per_line: int = 25) -> Path:
    """Collector file exporter style: one export request per line, hex ids, gzip."""
    with gzip.open(path, "wt", encoding="utf-8") as out:
        for i in range(0, len(spans), per_line):
            out.write(json.dumps(_hex_ids(otlp_document(spans[i : i + per_line]))) + "\n")
    return path


_KIND = {
    SpanKind.SERVER: "server",
    SpanKind.CLIENT: "client",
    SpanKind.PRODUCER: "producer",
    SpanKind.CONSUMER: "consumer",
    SpanKind.INTERNAL: "internal",
}


def _ids(span: ReadableSpan) -> tuple[str, str, str]:
    ctx = span.get_span_context()
    assert ctx is not None
    parent = f"{span.parent.span_id:016x}" if span.parent else ""
    return f"{ctx.trace_id:032x}", f"{ctx.span_id:016x}", parent


def _service(span: ReadableSpan) -> str:
    return str(span.resource.attributes.get("service.name", "unknown_service"))


def write_jaeger(spans: Sequence[ReadableSpan], path: Path) -> Path:
    traces: dict[str, list[dict[str, Any]]] = {}
    for span in spans:
        trace_id, span_id, parent = _ids(span)
        assert span.start_time is not None and span.end_time is not None
        tags = [
            {"key": k, "type": "string" if isinstance(v, str) else "int64", "value": v}
            for k, v in (span.attributes or {}).items()
        ]
        tags.append({"key": "span.kind", "type": "string", "value": _KIND[span.kind]})
        if span.status.status_code is StatusCode.ERROR:  # as the collector's Jaeger translator writes it
            tags.append({"key": "error", "type": "bool", "value": True})
            tags.append({"key": "otel.status_code", "type": "string", "value": "ERROR"})
            if span.status.description:
                tags.append({"key": "otel.status_description", "type": "string", "value": span.status.description})
        traces.setdefault(trace_id, []).append(
            {
                "traceID": trace_id,
                "spanID": span_id,
                "operationName": span.name,
                "references": [{"refType": "CHILD_OF", "traceID": trace_id, "spanID": parent}] if parent else [],
                "startTime": span.start_time // 1000,
                "duration": (span.end_time - span.start_time) // 1000,
                "tags": tags,
                "logs": [],
                "processID": "p1",
            }
        )
    service = _service(spans[0])
    data = [
        {"traceID": t, "spans": s, "processes": {"p1": {"serviceName": service, "tags": []}}} for t, s in traces.items()
    ]
    path.write_text(json.dumps({"data": data, "total": 0, "limit": 0, "offset": 0, "errors": None}), encoding="utf-8")
    return path


def write_zipkin(spans: Sequence[ReadableSpan], path: Path) -> Path:
    out = []
    for span in spans:
        trace_id, span_id, parent = _ids(span)
        assert span.start_time is not None and span.end_time is not None
        item: dict[str, Any] = {
            "traceId": trace_id,
            "id": span_id,
            "name": span.name.lower(),
            "timestamp": span.start_time // 1000,
            "duration": (span.end_time - span.start_time) // 1000,
            "localEndpoint": {"serviceName": _service(span)},
            "tags": {k: str(v) for k, v in (span.attributes or {}).items()},
        }
        if parent:
            item["parentId"] = parent
        if span.kind in (SpanKind.SERVER, SpanKind.CLIENT, SpanKind.PRODUCER, SpanKind.CONSUMER):
            item["kind"] = _KIND[span.kind].upper()
        if span.status.status_code is StatusCode.ERROR:
            item["tags"]["error"] = span.status.description or "true"
        out.append(item)
    path.write_text(json.dumps(out), encoding="utf-8")
    return path
