"""N+1 queries measured: one parent span running the same query shape again and again."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable

from redline.checks.performance.common import Occurrence, Pattern, TraceCheck, examples, location, ms
from redline.core.model import Area, Finding, Severity
from redline.core.rules import Rule, RuleDoc
from redline.sources.traces.settings import TracesSettings
from redline.sources.traces.store import SpanStore

N_PLUS_ONE = Rule(
    code="TRC101",
    name="n-plus-one-queries",
    area=Area.PERFORMANCE,
    severity=Severity.MEDIUM,
    summary="Measured N+1 queries: one request runs the same query shape many times",
    tags=("N+1",),
    doc=RuleDoc(
        what_it_does="In the traces, finds parent spans (a request handler, a job) under which at least 5 "
        "database spans run the same normalised statement (literals, numbers and `IN` lists replaced) and "
        "together take at least 50 ms (`[traces] n_plus_one_min_count`, `n_plus_one_min_total_ms`).",
        why_bad="Each query pays a network round trip, parsing and locking; the count grows with the data "
        "(one query per order line), so latency grows with the customer's size and the database does N "
        "times the work. It is the most common tail amplifier in ORM code.",
        example="for order in session.scalars(select(Order)):\n"
        "    order.customer.name  # lazy load: one SELECT per order",
        use_instead="session.scalars(select(Order).options(selectinload(Order.customer)))  # two queries in all",
        references=(
            "https://docs.sqlalchemy.org/en/20/orm/queryguide/relationships.html#selectin-eager-loading",
            "https://docs.sentry.io/product/issues/issue-details/performance-issues/n-one-queries/",
        ),
    ),
)

_SQL = """
-- grouped per parent first, the parent joined to the few groups left (not to every DB span)
WITH g AS (
  SELECT service, statement, trace_id, parent_id, count(*) AS n, sum(dur_us) AS total_us,
         list(span_id ORDER BY start_us) AS ids, min(file_no) AS file_no,
         any_value(code_filepath) AS filepath, any_value(code_function) AS function
  FROM spans
  WHERE category = 'db' AND statement IS NOT NULL AND parent_id IS NOT NULL
  GROUP BY service, statement, trace_id, parent_id
  HAVING count(*) >= ? AND sum(dur_us) >= ?
)
SELECT g.service, coalesce(p.operation, g.parent_id), g.statement, g.trace_id, g.n, g.total_us, g.ids, g.file_no,
       coalesce(g.filepath, p.code_filepath), coalesce(g.function, p.code_function)
FROM g LEFT JOIN spans p ON p.trace_id = g.trace_id AND p.span_id = g.parent_id
"""


class NPlusOneCheck(TraceCheck):
    name = "trace-n-plus-one"
    rules = (N_PLUS_ONE,)

    def detect(self, store: SpanStore, settings: TracesSettings) -> Iterable[Finding]:
        patterns: dict[tuple[str, str, str], Pattern] = defaultdict(Pattern)
        code: dict[tuple[str, str, str], dict[str, str]] = {}  # OpenTelemetry code.* attributes, when sent
        rows = store.query(_SQL, (settings.n_plus_one_min_count, settings.n_plus_one_min_total_ms * 1000))
        for service, parent_op, statement, trace_id, n, total_us, ids, file_no, filepath, function in rows:
            patterns[(service, parent_op, statement)].add(
                Occurrence(trace_id, ids, ms(total_us), file_no, {"count": float(n)})
            )
            if filepath or function:
                code.setdefault(
                    (service, parent_op, statement), {"code_filepath": filepath or "", "code_function": function or ""}
                )
        for (service, parent_op, statement), pattern in sorted(patterns.items()):
            count, total = pattern.median("count"), pattern.median()
            yield self.finding(
                N_PLUS_ONE,
                f"{service} '{parent_op}' runs the same query {count:g} times per request (median, "
                f"{total:g} ms in all) in {pattern.traces} trace(s): {statement[:200]}",
                location(store, pattern, f"{service} {parent_op}"),
                evidence={
                    "service": service,
                    "operation": parent_op,
                    "statement": statement[:500],
                    "median_count": count,
                    "median_total_ms": total,
                    "traces": pattern.traces,
                    **code.get((service, parent_op, statement), {}),
                    **examples(pattern),
                },
                remediation=f"Load the rows of '{statement[:80]}' for the whole set in one query under "
                "'{parent_op}' (an eager load such as SQLAlchemy selectinload/joinedload, Django "
                "prefetch_related, or one `WHERE id IN (…)` / JOIN) instead of one query per item.".replace(
                    "{parent_op}", parent_op
                ),
                identity=f"{service}|{parent_op}|{statement}",
            )
