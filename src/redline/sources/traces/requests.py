"""Request volume from the span store: server spans per service, tenant and route per day.

A server span is one request a service answered; where the trace says it was sampled with probability
p, it stands for 1/p requests. The route is the operation (``GET /orders/{id}`` when the span names its
method and route template), so features defined as groups of routes match it."""

from __future__ import annotations

from redline.sources.traces.store import SpanStore

_SQL = """
SELECT strftime(make_timestamp(start_us), '%Y-%m-%d') AS day, service, coalesce(tenant, '') AS tenant, operation,
       sum(1.0 / coalesce(nullif(sampling_p, 0), 1)) AS requests
FROM spans WHERE kind = 'server'
GROUP BY ALL ORDER BY ALL
"""


def daily_server_requests(store: SpanStore) -> list[tuple[str, str, str, str, float]]:
    """(day, service, tenant, route, requests) for every day and operation that has server spans."""
    return [(str(d), str(s), str(t), str(r), float(n)) for d, s, t, r, n in store.query(_SQL)]


def files_without_server_spans(store: SpanStore) -> list[str]:
    """Trace files that hold spans but not one server span: they say nothing about request volume."""
    rows = store.query(
        "SELECT file_no FROM spans GROUP BY file_no HAVING count(*) FILTER (WHERE kind = 'server') = 0 ORDER BY 1"
    )
    return [store.file_of(int(r[0])) for r in rows]
