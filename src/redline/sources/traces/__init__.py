"""Runtime evidence from distributed traces: OTLP JSON, Jaeger JSON and Zipkin v2 JSON read into one
DuckDB span table (``store.SpanStore``), each span classified once (``classify``)."""

from __future__ import annotations

from redline.sources.interface import FileSource, ProjectSource
from redline.sources.traces.source import TraceSource


def file_sources() -> list[FileSource]:
    return []


def project_sources() -> list[ProjectSource]:
    return [TraceSource()]
