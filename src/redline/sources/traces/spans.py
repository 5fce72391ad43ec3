"""The span every reader produces, before classification: the format's differences end here."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

Scalar = str | int | float | bool

KINDS = ("internal", "server", "client", "producer", "consumer")


@dataclass(slots=True)
class RawSpan:
    """One span as read: ids as lower-case hex, times in microseconds since the epoch."""

    trace_id: str
    span_id: str
    parent_id: str  # "" for a root span
    service: str
    name: str
    kind: str  # one of KINDS
    start_us: int
    duration_us: int
    error: bool
    attributes: dict[str, Any] = field(default_factory=dict)
    remote_parent: bool | None = None  # known only for OTLP with flags; None = unknown
    trace_state: str = ""  # W3C tracestate (OTLP); ``ot=th:…`` carries the sampling threshold
    #: what the span says went wrong, as text: the status message, exception events (type: message),
    #: Jaeger error logs, Zipkin annotations (lock timeouts and deadlocks are recognised from these)
    notes: tuple[str, ...] = ()


class TraceFormatError(ValueError):
    """The input is not a trace export redline understands (the message says why)."""
