"""TRC111 on real traces: requests instrumented with OpenTelemetry (SQLAlchemy over psycopg) against the
test PostgreSQL. One request updates a row and then does slow work inside its transaction; another request's
update of the same row waits for its commit — the one finding. Look-alikes that must stay quiet: a concurrent
update of another row (no wait), a slow SELECT that ends with a holder's request (not a write), and an
update blocked by a session that is not traced while a traced request wrote the table (the traced request's
end does not match the wait's end, so it is not named as the holder)."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest
from opentelemetry.instrumentation.sqlalchemy import SQLAlchemyInstrumentor
from opentelemetry.sdk.resources import Resource
from opentelemetry.sdk.trace import ReadableSpan, TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from opentelemetry.trace import SpanKind, Tracer
from sqlalchemy import Engine, create_engine, text

from database.server import Server
from redline.core.config import Config
from redline.pipeline.traces import run_traces

from . import exports

pytestmark = pytest.mark.postgres

TRANSFER = "UPDATE accounts SET balance = balance + :d WHERE id = :id"
CHECKOUT = "UPDATE accounts SET balance = balance - :d WHERE id = :id"


def _request(engine: Engine, tracer: Tracer, name: str, sql: str, row: int, *, hold_s: float = 0.0) -> None:
    """One traced request: a write, then ``hold_s`` of other work before the commit."""
    with tracer.start_as_current_span(name, kind=SpanKind.SERVER), engine.begin() as conn:
        conn.execute(text(sql), {"id": row, "d": 1})
        time.sleep(hold_s)


def _holding(engine: Engine, tracer: Tracer, row: int, hold_s: float) -> threading.Thread:
    """A checkout that holds ``row`` for ``hold_s``, started in the background; returns once it holds it."""
    thread = threading.Thread(
        target=_request, args=(engine, tracer, "POST /checkout", CHECKOUT, row), kwargs={"hold_s": hold_s}
    )
    thread.start()
    time.sleep(0.1)
    return thread


def _drive(engine: Engine, tracer: Tracer, url: str) -> None:
    for row in (1, 2, 3, 4, 1):
        _request(engine, tracer, "POST /transfer", TRANSFER, row)  # the usual: a few milliseconds
    holder = _holding(engine, tracer, 1, 0.5)
    _request(engine, tracer, "POST /transfer", TRANSFER, 1)  # waits ~0.4 s for the checkout's commit
    holder.join(5)
    holder = _holding(engine, tracer, 2, 0.5)
    _request(engine, tracer, "POST /transfer", TRANSFER, 3)  # another row: no wait
    with tracer.start_as_current_span("GET /report", kind=SpanKind.SERVER), engine.begin() as conn:
        conn.execute(text("SELECT pg_sleep(0.3)"))  # slow, ends with the checkout, but writes nothing
    holder.join(5)
    with psycopg.connect(url) as untraced:
        untraced.execute("UPDATE accounts SET balance = 0 WHERE id = 4")  # holds row 4, not traced
        holder = _holding(engine, tracer, 2, 0.2)
        threading.Timer(0.6, untraced.rollback).start()
        _request(engine, tracer, "POST /transfer", TRANSFER, 4)  # waits ~0.6 s for the untraced session
        holder.join(5)


@pytest.fixture(scope="module")
def spans(pg_server: Server) -> Iterator[list[ReadableSpan]]:
    with psycopg.connect(pg_server.url(), autocommit=True) as conn:
        conn.execute("DROP DATABASE IF EXISTS blockedwrite")
        conn.execute("CREATE DATABASE blockedwrite")
    url = pg_server.url(dbname="blockedwrite")
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute("CREATE TABLE accounts (id int PRIMARY KEY, balance int NOT NULL)")
        conn.execute("INSERT INTO accounts SELECT i, 100 FROM generate_series(1, 4) i")
    exporter = InMemorySpanExporter()
    provider = TracerProvider(resource=Resource.create({"service.name": "bank"}))
    provider.add_span_processor(SimpleSpanProcessor(exporter))
    engine = create_engine(url.replace("postgresql://", "postgresql+psycopg://"), pool_size=4)
    SQLAlchemyInstrumentor().instrument(engine=engine, tracer_provider=provider)
    try:
        _drive(engine, provider.get_tracer("test"), url)
    finally:
        SQLAlchemyInstrumentor().uninstrument()
        engine.dispose()
    yield list(exporter.get_finished_spans())


def _span_id(span: ReadableSpan) -> str:
    return f"{span.get_span_context().span_id:016x}"  # type: ignore[union-attr]


@pytest.mark.parametrize("fmt", ["otlp", "jaeger"])
def test_the_write_that_waited_for_a_commit_and_nothing_else(
    spans: list[ReadableSpan], tmp_path: Path, fmt: str
) -> None:
    path = (
        exports.write_otlp_lines_gz(spans, tmp_path / "spans.jsonl.gz")
        if fmt == "otlp"
        else exports.write_jaeger(spans, tmp_path / "jaeger.json")
    )
    run = run_traces([path], Config())
    found = [f for f in run.result.findings if f.rule == "TRC111"]
    assert len(found) == 1, [f.message for f in found]
    evidence = dict(found[0].evidence)
    assert (evidence["service"], evidence["db_system"], evidence["table"]) == ("bank", "postgresql", "accounts")
    assert str(evidence["statement"]).startswith("UPDATE accounts SET balance = balance +")
    assert evidence["count"] == 1 and evidence["held_by"] == ("POST /checkout",)
    assert isinstance(evidence["worst_ms"], float) and 300 <= evidence["worst_ms"] < 600
    updates = sorted(
        (s for s in spans if s.attributes and "UPDATE accounts" in str(s.attributes.get("db.statement"))),
        key=lambda s: s.start_time or 0,
    )
    transfers = [s for s in updates if "+" in str(s.attributes and s.attributes["db.statement"])]
    waited = next(s for s in transfers if 300e6 <= _duration(s) < 550e6)  # not the one the untraced session held
    holder = next(s for s in updates if "-" in str(s.attributes and s.attributes["db.statement"]))  # the first
    assert evidence["span_ids"] == (_span_id(waited), _span_id(holder))
    assert evidence["trace_ids"] == (f"{waited.get_span_context().trace_id:032x}",)  # type: ignore[union-attr]


def _duration(span: ReadableSpan) -> int:
    return (span.end_time or 0) - (span.start_time or 0)
