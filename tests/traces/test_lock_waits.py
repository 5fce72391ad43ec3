"""TRC110 on real traces: an app instrumented with OpenTelemetry (SQLAlchemy over psycopg) against the test
PostgreSQL meets a real lock timeout and a real deadlock; a unique violation, a slow statement and the
successful updates next to them are the look-alikes that must not fire. Each export format is read."""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import psycopg
import pytest
from opentelemetry.instrumentation.sqlalchemy import SQLAlchemyInstrumentor
from opentelemetry.sdk.resources import Resource
from opentelemetry.sdk.trace import ReadableSpan, TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from sqlalchemy import Engine, create_engine, text
from sqlalchemy.exc import DBAPIError

from database.server import Server
from redline.core.config import Config
from redline.pipeline.traces import run_traces
from redline.sources.traces.classify import lock_wait

from . import exports

pytestmark = pytest.mark.postgres

UPDATE = "UPDATE accounts SET balance = balance + 1 WHERE id = :id"


def _update(engine: Engine, first: int, second: int | None = None, barrier: threading.Barrier | None = None) -> None:
    try:
        with engine.begin() as conn:
            conn.execute(text("SET LOCAL lock_timeout = '300ms'; SET LOCAL deadlock_timeout = '100ms'"))
            conn.execute(text(UPDATE), {"id": first})
            if second is not None:
                assert barrier is not None
                barrier.wait(5)
                conn.execute(text(UPDATE), {"id": second})
    except DBAPIError:
        pass  # the failure is what the trace records


def _drive(url: str) -> list[ReadableSpan]:
    exporter = InMemorySpanExporter()
    provider = TracerProvider(resource=Resource.create({"service.name": "bank"}))
    provider.add_span_processor(SimpleSpanProcessor(exporter))
    engine = create_engine(url.replace("postgresql://", "postgresql+psycopg://"), pool_size=4)
    SQLAlchemyInstrumentor().instrument(engine=engine, tracer_provider=provider)
    try:
        with psycopg.connect(url) as holder:  # not traced: the other session, holding row 3
            holder.execute("UPDATE accounts SET balance = 0 WHERE id = 3")
            for _ in range(2):
                _update(engine, 3)  # waits 300 ms, then: canceling statement due to lock timeout
            holder.rollback()
        barrier = threading.Barrier(2)
        pair = [threading.Thread(target=_update, args=(engine, a, b, barrier)) for a, b in ((1, 2), (2, 1))]
        for t in pair:
            t.start()
        for t in pair:
            t.join(10)  # one of the two is the deadlock victim
        _update(engine, 4)  # no contention: fine
        with engine.begin() as conn:
            conn.execute(text("SELECT pg_sleep(0.35)"))  # slow, but waits on no lock
        try:
            with engine.begin() as conn:
                conn.execute(text("INSERT INTO accounts VALUES (1, 0)"))  # unique violation: an error, not a wait
        except DBAPIError:
            pass
    finally:
        SQLAlchemyInstrumentor().uninstrument()
        engine.dispose()
    return list(exporter.get_finished_spans())


@pytest.fixture(scope="module")
def spans(pg_server: Server) -> list[ReadableSpan]:
    with psycopg.connect(pg_server.url(), autocommit=True) as conn:
        conn.execute("DROP DATABASE IF EXISTS lockwait")
        conn.execute("CREATE DATABASE lockwait")
    url = pg_server.url(dbname="lockwait")
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute("CREATE TABLE accounts (id int PRIMARY KEY, balance int NOT NULL)")
        conn.execute("INSERT INTO accounts SELECT i, 100 FROM generate_series(1, 4) i")
    return _drive(url)


Writer = Callable[[Sequence[ReadableSpan], Path], Path]
FORMATS: dict[str, tuple[Writer, str]] = {
    "otlp-lines-gzip": (exports.write_otlp_lines_gz, "spans.jsonl.gz"),
    "otlp-base64": (exports.write_otlp_json, "spans.json"),
    "jaeger": (exports.write_jaeger, "jaeger.json"),
    "zipkin": (exports.write_zipkin, "zipkin.json"),
}


@pytest.mark.parametrize("fmt", sorted(FORMATS))
def test_lock_timeout_and_deadlock_are_found_and_nothing_else(
    spans: list[ReadableSpan], tmp_path: Path, fmt: str
) -> None:
    writer, name = FORMATS[fmt]
    run = run_traces([writer(spans, tmp_path / name)], Config())
    found = {dict(f.evidence)["wait"]: f for f in run.result.findings if f.rule == "TRC110"}
    assert set(found) == {"lock timeout", "deadlock"}
    timeout, deadlock = dict(found["lock timeout"].evidence), dict(found["deadlock"].evidence)
    assert (timeout["service"], timeout["db_system"], timeout["count"]) == ("bank", "postgresql", 2)
    assert "UPDATE accounts SET balance = balance + ? WHERE id = " in str(timeout["statement"])
    assert isinstance(timeout["p50_ms"], float) and timeout["p50_ms"] >= 250  # it waited for lock_timeout
    assert deadlock["count"] == 1 and "UPDATE accounts" in str(deadlock["statement"])
    failed = {
        f"{s.get_span_context().span_id:016x}"  # type: ignore[union-attr]
        for s in spans
        if s.status.description and "lock timeout" in s.status.description
    }
    span_ids = timeout["span_ids"]
    assert isinstance(span_ids, tuple) and set(span_ids) == failed
    assert "lock timeout" in found["lock timeout"].message and "deadlock victim" in found["deadlock"].message


@pytest.mark.parametrize(
    ("attributes", "notes", "system", "kind"),
    [
        ({"db.response.status_code": "55P03"}, (), "postgresql", "lock timeout"),
        ({"db.response.status_code": "40P01"}, (), "postgresql", "deadlock"),
        ({"error.type": "1205"}, (), "mysql", "lock timeout"),
        ({"error.type": "1205"}, (), "mssql", "deadlock"),
        (
            {},
            ("OperationalError: (1213, 'Deadlock found when trying to get lock; try restarting')",),
            "mysql",
            "deadlock",
        ),
        ({}, ("Lock wait timeout exceeded; try restarting transaction",), "mysql", "lock timeout"),
        ({"otel.status_description": "database is locked"}, (), "sqlite", "lock timeout"),
        ({}, ("ORA-00054: resource busy and acquire with NOWAIT specified",), "oracle", "lock timeout"),
        ({"db.response.status_code": "23505"}, ("duplicate key value violates unique constraint",), "postgresql", None),
        ({"error": "true"}, ("canceling statement due to statement timeout",), "postgresql", None),
        ({}, (), "postgresql", None),
    ],
)
def test_lock_wait_recognition(
    attributes: dict[str, Any], notes: tuple[str, ...], system: str, kind: str | None
) -> None:
    assert lock_wait(attributes, notes, system) == kind
