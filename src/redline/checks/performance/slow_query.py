"""Slow queries measured: a query shape whose p95 is over the threshold."""

from __future__ import annotations

from collections.abc import Iterable

from redline.checks.performance.common import Occurrence, Pattern, TraceCheck, examples, location, ms
from redline.core.model import Area, Finding, Severity
from redline.core.rules import Rule, RuleDoc
from redline.sources.traces.settings import TracesSettings
from redline.sources.traces.store import SpanStore

SLOW_QUERY = Rule(
    code="TRC105",
    name="slow-query",
    area=Area.PERFORMANCE,
    severity=Severity.MEDIUM,
    summary="A query shape whose measured p95 is over the slow-query threshold",
    doc=RuleDoc(
        what_it_does="In the traces, groups database spans by normalised statement and reports those seen at "
        "least 3 times whose p95 duration is at least 100 ms (`[traces] slow_query_p95_ms`, "
        "`slow_query_min_count`), the usual `log_min_duration_statement` level for OLTP work.",
        why_bad="A slow query holds a connection from the pool, and often locks, for its whole duration; on a "
        "request path it spends most of the latency budget of the database hop, and under load the pool "
        "empties and every request queues behind it.",
        example="SELECT * FROM orders WHERE lower(email) = ? ORDER BY created_at DESC  -- 400 ms, seq scan",
        use_instead="CREATE INDEX CONCURRENTLY orders_email_created ON orders (lower(email), created_at DESC);\n"
        "-- then check the plan with EXPLAIN (ANALYZE, BUFFERS)",
        references=(
            "https://www.postgresql.org/docs/current/runtime-config-logging.html#GUC-LOG-MIN-DURATION-STATEMENT",
            "https://www.postgresql.org/docs/current/using-explain.html",
        ),
    ),
)

_SQL = """
SELECT service, db_system, statement, count(*) AS n, quantile_cont(dur_us, 0.5), quantile_cont(dur_us, 0.95),
       max_by(struct_pack(t := trace_id, s := span_id, d := dur_us, f := file_no), dur_us, 3)
FROM spans WHERE category = 'db' AND statement IS NOT NULL
GROUP BY service, db_system, statement
HAVING count(*) >= ? AND quantile_cont(dur_us, 0.95) >= ?
ORDER BY service, statement
"""


class SlowQueryCheck(TraceCheck):
    name = "trace-slow-query"
    rules = (SLOW_QUERY,)

    def detect(self, store: SpanStore, settings: TracesSettings) -> Iterable[Finding]:
        for service, system, statement, n, p50, p95, worst in store.query(
            _SQL, (settings.slow_query_min_count, settings.slow_query_p95_ms * 1000)
        ):
            pattern = Pattern([Occurrence(w["t"], [w["s"]], ms(w["d"]), w["f"]) for w in worst])
            yield self.finding(
                SLOW_QUERY,
                f"{service}: {system or 'database'} query with p95 {ms(p95):g} ms (p50 {ms(p50):g} ms, "
                f"{n} runs): {statement[:200]}",
                location(store, pattern, f"{service} {statement[:120]}"),
                evidence={
                    "service": service,
                    "db_system": system or "",
                    "statement": statement[:500],
                    "count": n,
                    "p50_ms": ms(p50),
                    "p95_ms": ms(p95),
                    **examples(pattern),
                },
                remediation="Run EXPLAIN (ANALYZE, BUFFERS) on this statement with the slowest trace's "
                "parameters; add the index its filter and sort need, fetch only the columns and rows used, "
                "or move it off the request path.",
                identity=f"{service}|{statement}",
            )
