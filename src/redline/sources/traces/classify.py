"""Classify a span once, at ingest: kind, category (db, cache, http, rpc, messaging), the DB statement
normalised (literals, numbers and ``IN`` lists replaced, so one query shape is one key), the HTTP method,
peer and route template. Old and new OpenTelemetry semantic-convention names are both read."""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Any
from urllib.parse import urlsplit

from redline.sources.traces.spans import RawSpan

CACHE_SYSTEMS = frozenset({"redis", "memcached", "valkey", "hazelcast", "aerospike"})

_STRING = re.compile(r"'(?:[^']|'')*'")
_NUMBER = re.compile(r"(?<![\w$.])-?\d+(?:\.\d+)?(?:e[+-]?\d+)?\b", re.IGNORECASE)
_IN_LIST = re.compile(r"\bIN\s*\(\s*\?(?:\s*,\s*\?)*\s*\)", re.IGNORECASE)
_VALUES = re.compile(r"\bVALUES\s*\(\s*\?(?:\s*,\s*\?)*\s*\)(?:\s*,\s*\(\s*\?(?:\s*,\s*\?)*\s*\))*", re.IGNORECASE)
_SPACE = re.compile(r"\s+")
_PATH_ID = re.compile(
    r"/(?:\d+|[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}|[0-9a-f]{16,}|[0-9A-Za-z_-]{22,})(?=/|$)",
    re.IGNORECASE,
)

#: the columns of the span table, in order (``store.SpanStore`` creates it from this)
COLUMNS: tuple[tuple[str, str], ...] = (
    ("trace_id", "VARCHAR"),
    ("span_id", "VARCHAR"),
    ("parent_id", "VARCHAR"),
    ("service", "VARCHAR"),
    ("name", "VARCHAR"),
    ("kind", "VARCHAR"),
    ("start_us", "BIGINT"),
    ("dur_us", "BIGINT"),
    ("error", "BOOLEAN"),
    ("category", "VARCHAR"),
    ("db_system", "VARCHAR"),
    ("statement", "VARCHAR"),
    ("http_method", "VARCHAR"),
    ("peer", "VARCHAR"),
    ("route", "VARCHAR"),
    ("operation", "VARCHAR"),
    ("status_code", "INTEGER"),
    ("remote_parent", "BOOLEAN"),
    ("code_function", "VARCHAR"),
    ("code_filepath", "VARCHAR"),
    ("file_no", "INTEGER"),
    ("propagation", "VARCHAR"),
    ("sampling_p", "DOUBLE"),
    ("tenant", "VARCHAR"),
    ("lock_wait", "VARCHAR"),
)

#: span attributes that name the tenant a request was served for (cost per tenant from traces)
TENANT_ATTRIBUTES = ("tenant.id", "tenant_id", "tenant", "app.tenant.id", "app.tenant", "enduser.tenant")

#: captured request headers (``http.request.header.<name>``) that say how the context travelled
_PROPAGATION = (
    ("traceparent", "w3c"),
    ("b3", "b3"),
    ("x-b3-traceid", "b3"),
    ("uber-trace-id", "jaeger"),
    ("x-amzn-trace-id", "aws-xray"),
    ("x-datadog-trace-id", "datadog"),
    ("x-cloud-trace-context", "gcp"),
)
_PROPAGATION_KEYS = tuple((f"http.request.header.{header}", name) for header, name in _PROPAGATION)
_TH = re.compile(r"(?:^|[;,])\s*ot=(?:[^,]*;)?th:([0-9a-f]{1,14})", re.IGNORECASE)

Row = tuple[Any, ...]


@lru_cache(maxsize=65536)  # ORMs send the same few shapes with bound parameters, over and over
def normalise_statement(sql: str) -> str:
    """One shape per query: ``SELECT * FROM t WHERE id = 7`` and ``… id = 8`` give the same text."""
    text = _STRING.sub("?", sql)
    text = _NUMBER.sub("?", text)
    text = _IN_LIST.sub("IN (?)", text)
    text = _VALUES.sub("VALUES (?)", text)
    return _SPACE.sub(" ", text).strip()


@lru_cache(maxsize=65536)
def route_template(path: str) -> str:
    """``/users/42/orders`` -> ``/users/{id}/orders``: numbers, UUIDs and long opaque ids become ``{id}``."""
    previous = None
    while previous != path:
        previous, path = path, _PATH_ID.sub("/{id}", path)
    return path or "/"


def classify(span: RawSpan, file_no: int) -> Row:
    """The span as a row of ``COLUMNS``."""
    a = span.attributes
    method = _first(a, "http.request.method", "http.method")
    db_system = _first(a, "db.system.name", "db.system")
    statement = _first(a, "db.query.text", "db.statement")
    url = _first(a, "url.full", "http.url")
    host, path = _host_path(url)
    peer = _peer(a, host)
    route = _first(a, "http.route")
    category = _category(a, db_system, method)
    if category == "db" and statement:
        statement = normalise_statement(statement)
    elif category == "cache" and statement:
        statement = statement.split(" ", 1)[0].upper()  # the command only: keys are data
    if not route and method and span.kind == "client":
        route = route_template(_first(a, "url.path", "http.target") or path)
    status = _first(a, "http.response.status_code", "http.status_code")
    status_code = int(status) if isinstance(status, int | str) and str(status).isdigit() else None
    error = span.error or (status_code is not None and status_code >= 500 and span.kind == "server")
    operation = f"{method} {route}" if method and route and span.kind == "server" else span.name
    return (
        span.trace_id,
        span.span_id,
        span.parent_id or None,
        span.service,
        span.name,
        span.kind,
        span.start_us,
        span.duration_us,
        error,
        category,
        db_system,
        statement or None,
        method,
        peer,
        route,
        operation,
        status_code,
        span.remote_parent,
        _first(a, "code.function.name", "code.function"),
        _first(a, "code.file.path", "code.filepath"),
        file_no,
        _propagation(a),
        _sampling(a, span.trace_state),
        _first(a, *TENANT_ATTRIBUTES),
        lock_wait(a, span.notes, db_system) if category == "db" and (span.error or span.notes) else None,
    )


def _propagation(a: dict[str, Any]) -> str | None:
    for key, name in _PROPAGATION_KEYS:
        if key in a:
            return name
    return None


def _sampling(a: dict[str, Any], trace_state: str) -> float | None:
    """The probability this span's trace was kept: Jaeger's ``sampler.param`` with a probabilistic
    sampler, or OpenTelemetry's threshold ``ot=th:…`` in the tracestate (p = 1 - th / 2^56)."""
    if str(a.get("sampler.type", "")) == "probabilistic":
        try:
            return float(a.get("sampler.param", ""))
        except ValueError:
            return None
    match = _TH.search(trace_state) if trace_state else None
    if match:
        return 1 - int(match.group(1).ljust(14, "0"), 16) / 2**56
    return None


def _first(attrs: dict[str, Any], *keys: str) -> Any:
    for key in keys:
        value = attrs.get(key)
        if value is None or value == "":
            continue
        if type(value) is str or (type(value) is int):
            return value
        return str(value)
    return None


def _category(a: dict[str, Any], db_system: str | None, method: str | None) -> str:
    if db_system:
        return "cache" if db_system.lower() in CACHE_SYSTEMS else "db"
    if a.get("messaging.system"):
        return "messaging"
    if a.get("rpc.system"):
        return "rpc"
    if method:
        return "http"
    return "other"


def _host_path(url: str | None) -> tuple[str | None, str]:
    if not url:
        return None, ""
    try:
        parts = urlsplit(url)
        return parts.netloc.rsplit("@", 1)[-1] or None, parts.path
    except ValueError:
        return None, ""


def _peer(a: dict[str, Any], url_host: str | None) -> str | None:
    """Who the span talks to: ``peer.service`` when set, else the server address (with its port)."""
    if a.get("peer.service"):
        return str(a["peer.service"])
    host = _first(a, "server.address", "net.peer.name", "net.sock.peer.addr", "network.peer.address")
    port = _first(a, "server.port", "net.peer.port", "network.peer.port")
    if host:
        return f"{host}:{port}" if port else str(host)
    if url_host:
        return url_host
    destination = _first(a, "messaging.destination.name", "messaging.destination")
    return str(destination) if destination else None


#: what database errors say when a statement waited on a lock and gave up, or was chosen as a deadlock victim
#: (PostgreSQL, MySQL/MariaDB, SQL Server, Oracle, SQLite), and the driver exception classes that carry them
_LOCK_TEXTS = (
    ("deadlock", re.compile(r"deadlock|ORA-00060|DeadlockDetected|TransactionRollbackError", re.IGNORECASE)),
    (
        "lock timeout",
        re.compile(
            r"lock timeout|lock wait timeout|lock request time ?out|could not obtain lock|LockNotAvailable|"
            r"ORA-00054|ORA-30006|resource busy and acquire|database (table )?is locked|SQLITE_BUSY",
            re.IGNORECASE,
        ),
    ),
)
#: db.response.status_code / error.type values: PostgreSQL SQLSTATEs, MySQL and SQL Server error numbers
_LOCK_CODES = {
    "55P03": "lock timeout",
    "40P01": "deadlock",
    "1205": "lock timeout",
    "1213": "deadlock",
    "1222": "lock timeout",
}
_ERROR_TEXT_KEYS = ("otel.status_description", "error", "exception.message", "exception.type", "error.message")


def lock_wait(a: dict[str, Any], notes: tuple[str, ...], db_system: str | None = None) -> str | None:
    """``deadlock`` or ``lock timeout`` when a DB span's error says it waited on a lock, else None."""
    code = str(_first(a, "db.response.status_code", "error.type") or "").upper()
    if code == "1205" and str(db_system).lower() in ("mssql", "microsoft.sql_server"):
        return "deadlock"  # SQL Server's 1205 is the deadlock victim; MySQL's is the lock wait timeout
    if code in _LOCK_CODES:
        return _LOCK_CODES[code]
    texts = [*notes, *(str(a[k]) for k in _ERROR_TEXT_KEYS if isinstance(a.get(k), str))]
    for kind, pattern in _LOCK_TEXTS:
        if any(pattern.search(t) for t in texts):
            return kind
    return None
