"""Classify a span once, at ingest: kind, category (db, cache, http, rpc, messaging), the DB statement
normalised (literals, numbers and ``IN`` lists replaced, so one query shape is one key), the HTTP method,
peer and route template. Old and new OpenTelemetry semantic-convention names are both read."""

from __future__ import annotations

import re
from collections.abc import Callable
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

#: a span as classified, before it becomes a table row: the per-span values (``SPAN_FIELDS``: ids, times,
#: and the lock wait, which reads the span's notes), then one ``Description`` shared by every span with the
#: same service, name, kind and attributes
SPAN_FIELDS = (
    "trace_id",
    "span_id",
    "parent_id",
    "start_us",
    "dur_us",
    "error",
    "remote_parent",
    "sampling_p",
    "lock_wait",
)
#: what a span's service, name, kind and attributes decide, in this order (``describe``); the last two
#: are not columns: whether the span counts as an error by its HTTP status, and the sampler's probability
DESCRIPTION_FIELDS = (
    "service",
    "name",
    "kind",
    "category",
    "db_system",
    "statement",
    "http_method",
    "peer",
    "route",
    "operation",
    "status_code",
    "code_function",
    "code_filepath",
    "file_no",
    "propagation",
    "tenant",
)
SERVER_ERROR, SAMPLER = len(DESCRIPTION_FIELDS), len(DESCRIPTION_FIELDS) + 1
NO_SAMPLER = object()  # no probabilistic sampler attribute: the tracestate decides
Description = tuple[Any, ...]


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
    """The span as a row: ``SPAN_FIELDS``, its lock wait, then its ``Description``."""
    described = describe(span.attributes, span.service, span.name, span.kind, file_no)
    return span_row(
        described,
        span.trace_id,
        span.span_id,
        span.parent_id,
        span.start_us,
        span.duration_us,
        span.error,
        span.remote_parent,
        span.trace_state,
        lambda: span.attributes,
        span.notes,
    )


def span_row(  # noqa: PLR0917  (one span's own values, positional for speed: this runs per span)
    described: Description,
    trace_id: str,
    span_id: str,
    parent_id: str,
    start_us: int,
    duration_us: int,
    status_error: bool,
    remote_parent: bool | None,
    trace_state: str,
    attributes: Callable[[], dict[str, Any]],
    notes: tuple[str, ...],
) -> Row:
    """One span's row from its shared ``Description``; ``attributes`` is called only for the rare DB span
    with an error or notes (its lock wait reads them)."""
    sampler = described[SAMPLER]
    if sampler is NO_SAMPLER:
        sampler = _trace_state_sampling(trace_state) if trace_state else None
    lock = None
    if (status_error or notes) and described[3] == "db":
        lock = lock_wait(attributes(), notes, described[4])
    return (
        trace_id,
        span_id,
        parent_id or None,
        start_us,
        duration_us,
        status_error or described[SERVER_ERROR],
        remote_parent,
        sampler,
        lock,
        described,
    )


def describe(a: dict[str, Any], service: str, name: str, kind: str, file_no: int) -> Description:
    """What the attributes say about a span (``DESCRIPTION_FIELDS``, then the two flags): computed once per
    distinct attribute set when the reader caches it."""
    method = _first(a, "http.request.method", "http.method")
    db_system = _first(a, "db.system.name", "db.system")
    statement = _first(a, "db.query.text", "db.statement")
    url = _first(a, "url.full", "http.url")
    host, path = _host_path(url)
    route = _first(a, "http.route")
    category = _category(a, db_system, method)
    if category == "db" and statement:
        statement = normalise_statement(statement)
    elif category == "cache" and statement:
        statement = statement.split(" ", 1)[0].upper()  # the command only: keys are data
    if not route and method and kind == "client":
        route = route_template(_first(a, "url.path", "http.target") or path)
    status = _first(a, "http.response.status_code", "http.status_code")
    status_code = int(status) if isinstance(status, int | str) and str(status).isdigit() else None
    return (
        service,
        name,
        kind,
        category,
        db_system,
        statement or None,
        method,
        _peer(a, host),
        route,
        f"{method} {route}" if method and route and kind == "server" else name,
        status_code,
        _first(a, "code.function.name", "code.function"),
        _first(a, "code.file.path", "code.filepath"),
        file_no,
        _propagation(a),
        _first(a, *TENANT_ATTRIBUTES),
        status_code is not None and status_code >= 500 and kind == "server",
        _attribute_sampling(a),
    )


def _propagation(a: dict[str, Any]) -> str | None:
    for key, name in _PROPAGATION_KEYS:
        if key in a:
            return name
    return None


def _attribute_sampling(a: dict[str, Any]) -> object:
    """Jaeger's ``sampler.param`` with a probabilistic sampler (None when unreadable), else ``NO_SAMPLER``."""
    if str(a.get("sampler.type", "")) == "probabilistic":
        try:
            return float(a.get("sampler.param", ""))
        except ValueError:
            return None
    return NO_SAMPLER


@lru_cache(maxsize=4096)
def _trace_state_sampling(trace_state: str) -> float | None:
    """OpenTelemetry's threshold ``ot=th:…`` in the tracestate: the span's trace was kept with
    p = 1 - th / 2^56."""
    match = _TH.search(trace_state)
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
