"""The direct OTLP-to-rows path (``otlp_rows``) gives the same span table as the general reader, on the
common shape and on every variant it hands back; broken lines are still named with their line number."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from redline.sources.traces.otlp_rows import OtlpRows
from redline.sources.traces.store import ingest

TRACE = "5b8efff798038103d269b633813fc60c"


def _span(span_id: str, parent: str = "", **extra: Any) -> dict[str, Any]:
    span: dict[str, Any] = {
        "traceId": TRACE,
        "spanId": span_id,
        "parentSpanId": parent,
        "name": "SELECT",
        "kind": 3,
        "startTimeUnixNano": "1700000000000000000",
        "endTimeUnixNano": "1700000000250000000",
        "attributes": [
            {"key": "db.system", "value": {"stringValue": "postgresql"}},
            {"key": "db.statement", "value": {"stringValue": "SELECT * FROM t WHERE id = 7"}},
        ],
    }
    span.update(extra)
    return span


def _request(spans: list[dict[str, Any]], scope_key: str = "scopeSpans") -> str:
    resource = {"attributes": [{"key": "service.name", "value": {"stringValue": "api"}}]}
    return json.dumps({"resourceSpans": [{"resource": resource, scope_key: [{"spans": spans}]}]})


def _variants() -> list[str]:
    """One export request per line: the common shape, then the shapes real exporters also write."""
    server = {
        "name": "GET /orders/{id}",
        "kind": "SPAN_KIND_SERVER",
        "flags": 0x300,
        "status": {},
        "traceState": "ot=th:c",
        "attributes": [
            {"key": "http.request.method", "value": {"stringValue": "GET"}},
            {"key": "http.route", "value": {"stringValue": "/orders/{id}"}},
            {"key": "http.response.status_code", "value": {"intValue": 503}},
            {"key": "tenant.id", "value": {"intValue": "42"}},
            {"key": "http.request.header.traceparent", "value": {"arrayValue": {"values": [{"stringValue": "00-"}]}}},
        ],
    }
    lock = {
        "status": {"code": 2, "message": "canceling statement due to lock timeout"},
        "events": [
            {
                "name": "exception",
                "attributes": [{"key": "exception.type", "value": {"stringValue": "psycopg.errors.LockNotAvailable"}}],
            }
        ],
    }
    plain_server = {
        "name": "GET /x",
        "kind": 2,
        "attributes": [
            {"key": "http.method", "value": {"stringValue": "GET"}},
            {"key": "http.route", "value": {"stringValue": "/x"}},
            {"key": "http.status_code", "value": {"intValue": "500"}},
        ],
    }
    return [
        _request(
            [
                _span("00000000000000a1"),
                _span("00000000000000a2", "00000000000000a1", **server),
                _span("00000000000000a8", "00000000000000a1", **plain_server),
            ]
        ),
        _request([_span("00000000000000a3", "00000000000000a1", **lock)], "instrumentationLibrarySpans"),
        _request([_span("00000000000000A4", traceId=TRACE.upper())]),  # upper case: the general reader
        _request([_span("AAAAAAAAAKU=", traceId="W47/95gDgQPSabYzgT/GDA==")]),  # base64 (protobuf JSON mapping)
        _request([_span("00000000000000a6", startTimeUnixNano=1700000000000000000, kind=5.0)]),  # numbers
        _request([_span("00000000000000a7", "0000a1")]),  # a short parent id, padded
    ]


def _table(path: Path) -> tuple[list[tuple[Any, ...]], list[tuple[str, str]]]:
    store = ingest([path])
    rows = store.query("SELECT * FROM spans ORDER BY span_id")
    return rows, sorted((Path(p.path).name, p.reason) for p in store.problems)


def test_direct_rows_equal_the_general_reader(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    lines = _variants()
    path = tmp_path / "spans.jsonl"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    taken = [OtlpRows(0).rows(line) is not None for line in lines]
    assert taken == [True, True, False, False, False, False]
    direct = _table(path)
    monkeypatch.setattr(OtlpRows, "rows", lambda self, text: None)  # every line the general way
    assert direct == _table(path)
    rows, problems = direct
    assert problems == [] and len(rows) == 8
    by_id = {r[1]: r for r in rows}
    server = by_id["00000000000000a2"]
    assert server[9:11] == ("http", None) and server[15:18] == ("GET /orders/{id}", 503, True)
    assert server[8] is True  # a 503 on a server span is an error
    assert server[21:24] == ("w3c", pytest.approx(1 - 0xC0000000000000 / 2**56), "42")  # tenant id as text
    assert by_id["00000000000000a8"][8] is True and by_id["00000000000000a8"][15] == "GET /x"
    assert by_id["00000000000000a1"][8] is False and by_id["00000000000000a1"][22] is None
    assert by_id["00000000000000a3"][24] == "lock timeout"
    assert by_id["00000000000000a4"][0] == TRACE  # upper case read as lower case
    assert by_id["00000000000000a5"][0] == TRACE  # base64 decoded
    assert by_id["00000000000000a7"][2] == "00000000000000a1"


def test_broken_lines_between_direct_ones_are_named(tmp_path: Path) -> None:
    good = _request([_span("00000000000000b1")])
    bad_ids = _request([_span("00000000000000b2", traceId="")])
    path = tmp_path / "collector.jsonl"
    path.write_text("\n".join([good, good[:40], bad_ids, good.replace("b1", "b3")]) + "\n", encoding="utf-8")
    rows, problems = _table(path)
    assert [r[1] for r in rows] == ["00000000000000b1", "00000000000000b3"]
    assert problems == [
        ("collector.jsonl:2", "line is not an OTLP JSON export request (truncated?)"),
        ("collector.jsonl:3", "unexpected structure: span 'SELECT' lacks a valid traceId, spanId or start/end time"),
    ]


def test_one_description_per_distinct_attribute_set() -> None:
    reader = OtlpRows(3)
    rows = reader.rows(_request([_span(f"{i:016x}") for i in range(1, 101)]))
    assert rows is not None and len(rows) == 100
    assert len({id(r[-1]) for r in rows}) == 1  # 100 spans, one classification
    assert rows[0][-1][:6] == ("api", "SELECT", "client", "db", "postgresql", "SELECT * FROM t WHERE id = ?")
