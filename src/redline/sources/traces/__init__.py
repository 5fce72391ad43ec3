"""Runtime evidence from distributed traces: OTLP JSON, Jaeger JSON and Zipkin v2 JSON read into one
DuckDB span table (``store.SpanStore``), each span classified once (``classify``)."""
