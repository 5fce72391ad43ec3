"""A small Flask + SQLAlchemy (SQLite) shop, instrumented with the OpenTelemetry SDK, with loopback HTTP
stubs for its downstream services; driving it yields real spans with real N+1 queries, serial calls,
a chatty loop and a slow third-party call — and clean endpoints that must stay quiet."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import requests
from flask import Flask, jsonify
from opentelemetry.instrumentation.flask import FlaskInstrumentor
from opentelemetry.instrumentation.requests import RequestsInstrumentor
from opentelemetry.instrumentation.sqlalchemy import SQLAlchemyInstrumentor
from opentelemetry.sdk.resources import Resource
from opentelemetry.sdk.trace import ReadableSpan, TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from sqlalchemy import ForeignKey, create_engine, select
from sqlalchemy.orm import DeclarativeBase, Mapped, Session, mapped_column, relationship, selectinload

VENDOR_URL = "http://api.payments-vendor.example/v1/charges"  # reached through the stub acting as a proxy


class Base(DeclarativeBase):
    pass


class Customer(Base):
    __tablename__ = "customers"
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str]


class Order(Base):
    __tablename__ = "orders"
    id: Mapped[int] = mapped_column(primary_key=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("customers.id"))
    customer: Mapped[Customer] = relationship(lazy="select")


class _Stub(BaseHTTPRequestHandler):
    """Answers after ``?delay=MS`` milliseconds; also serves absolute-form (proxy) requests."""

    def do_GET(self) -> None:
        query = parse_qs(urlsplit(self.path).query)
        time.sleep(int(query.get("delay", ["0"])[0]) / 1000)
        body = b'{"ok": true}'
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: Any) -> None:
        pass


@contextmanager
def stub_server() -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Stub)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


@dataclass
class ShopTraces:
    spans: list[ReadableSpan]
    stock_url: str
    price_url: str


def _app(db: Path, stock: str, price: str, http: requests.Session) -> tuple[Flask, Any]:
    engine = create_engine(f"sqlite:///{db}")
    Base.metadata.create_all(engine)
    with Session(engine) as s:
        s.add_all([Customer(id=i, name=f"c{i}") for i in range(1, 31)])
        s.add_all([Order(id=i, customer_id=i) for i in range(1, 31)])
        s.commit()
    app = Flask("shop")

    @app.get("/orders")
    def orders_n_plus_one() -> Any:  # one SELECT per order for its customer
        with Session(engine) as s:
            return jsonify([o.customer.name for o in s.scalars(select(Order))])

    @app.get("/orders/eager")
    def orders_eager() -> Any:  # the fix: two queries in all
        with Session(engine) as s:
            return jsonify([o.customer.name for o in s.scalars(select(Order).options(selectinload(Order.customer)))])

    @app.get("/product/<int:pid>")
    def product_serial(pid: int) -> Any:  # two independent downstream calls, one after the other
        a = http.get(f"{stock}/stock/{pid}?delay=150", timeout=5).json()
        b = http.get(f"{price}/price/{pid}?delay=150", timeout=5).json()
        return jsonify(a | b)

    @app.get("/cart")
    def cart_chatty() -> Any:  # one call per item to the same endpoint
        return jsonify([http.get(f"{price}/price/{i}?delay=2", timeout=5).json() for i in range(12)])

    @app.get("/checkout")
    def checkout_third_party() -> Any:  # the request waits on a vendor
        return jsonify(http.get(VENDOR_URL + "?delay=200", timeout=5, proxies={"http": stock}).json())

    @app.get("/health")
    def health() -> Any:
        return jsonify({"ok": True})

    return app, engine


#: the tenant of each of the three rounds (sent as ``X-Tenant``, recorded as the ``tenant.id`` attribute)
TENANTS = ("acme", "acme", "globex")


def _tenant_attribute(span: Any, environ: dict[str, Any]) -> None:
    if span.is_recording() and environ.get("HTTP_X_TENANT"):
        span.set_attribute("tenant.id", environ["HTTP_X_TENANT"])


def drive_shop(db: Path) -> ShopTraces:
    """Run every endpoint three times (once per entry of ``TENANTS``) under a fresh tracer provider;
    return the finished spans."""
    exporter = InMemorySpanExporter()
    provider = TracerProvider(resource=Resource.create({"service.name": "shop"}))
    provider.add_span_processor(SimpleSpanProcessor(exporter))
    http = requests.Session()
    with stub_server() as stock, stub_server() as price:
        app, engine = _app(db, stock, price, http)
        FlaskInstrumentor().instrument_app(  # type: ignore[no-untyped-call]
            app, tracer_provider=provider, request_hook=_tenant_attribute
        )
        SQLAlchemyInstrumentor().instrument(engine=engine, tracer_provider=provider)
        RequestsInstrumentor().instrument(tracer_provider=provider)
        try:
            client = app.test_client()
            for tenant in TENANTS:
                for path in ("/orders", "/orders/eager", "/product/7", "/cart", "/checkout", "/health"):
                    assert client.get(path, headers={"X-Tenant": tenant}).status_code == 200
        finally:
            RequestsInstrumentor().uninstrument()
            SQLAlchemyInstrumentor().uninstrument()
            FlaskInstrumentor().uninstrument_app(app)  # type: ignore[no-untyped-call]
    return ShopTraces(list(exporter.get_finished_spans()), stock, price)
