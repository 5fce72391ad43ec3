"""Top statements by total time: the ones that are both heavy in total and slow per call.

Mean latency alone ranks a report query run twice a day above the lookup that runs a million times;
total time (plan + execution) is what the database actually spends.
"""

from __future__ import annotations

from collections.abc import Iterator

from redline.checks.database.common import REF_MONITORING, SnapshotCheck, ev, location
from redline.core.model import Area, Finding, Severity, Skipped
from redline.core.rules import Rule, RuleDoc
from redline.sources.postgres.model import Snapshot, Statement
from redline.sources.postgres.settings import PostgresSettings

HEAVY_SLOW_QUERY = Rule(
    code="DB101",
    name="heavy-slow-statement",
    area=Area.PERFORMANCE,
    severity=Severity.MEDIUM,
    summary="a top-10 statement by total time that is also slow per call",
    doc=RuleDoc(
        what_it_does="Ranks the statements of `pg_stat_statements` by total time (planning + execution) and "
        "reports those among the top ten that take a large share of all statement time *and* are slow per "
        "call (thresholds `[postgres] heavy_query_share` and `slow_query_ms`), run at least `slow_query_calls` "
        "times (100 by default, as PgHero: a one-off migration or report is not where the database spends its time).",
        why_bad="A statement that is both frequent and slow is where the database spends its time: it holds "
        "connections, competes for I/O and CPU with every other query and sets the tail latency of the "
        "endpoints that issue it. Tuning it pays back more than tuning everything else together.",
        example="SELECT * FROM orders WHERE status = $1 AND region = $2   -- 40% of all time, 35 ms per call",
        use_instead="CREATE INDEX ON orders (region, status);   -- or cache, batch, or rewrite the statement",
        references=("https://www.postgresql.org/docs/current/pgstatstatements.html", REF_MONITORING),
    ),
)


def top_statements(snap: Snapshot, n: int) -> list[Statement]:
    return sorted(snap.statements, key=lambda s: (-s.total_ms, s.queryid))[:n]


def share(snap: Snapshot, stmt: Statement) -> float:
    total = snap.database.statements_total_ms
    return stmt.total_ms / total if total > 0 else 0.0


class TopQueriesCheck(SnapshotCheck):
    name = "db-top-queries"
    rules = (HEAVY_SLOW_QUERY,)

    def judge(self, snap: Snapshot, settings: PostgresSettings) -> Iterator[Finding | Skipped]:
        for rank, stmt in enumerate(top_statements(snap, settings.top_statements), start=1):
            part = share(snap, stmt)
            if part < settings.heavy_query_share or stmt.mean_ms < settings.slow_query_ms:
                continue
            if stmt.calls < settings.slow_query_calls:  # a one-off (a migration, an ad-hoc report) is not frequent
                continue
            hit_ratio = stmt.shared_blks_hit / max(stmt.shared_blks_hit + stmt.shared_blks_read, 1)
            yield self.finding(
                HEAVY_SLOW_QUERY,
                f"statement {stmt.queryid} is #{rank} by total time: {part:.0%} of all statement time "
                f"({stmt.total_ms / 1000:,.1f} s over {stmt.calls:,} calls, {stmt.mean_ms:,.1f} ms per call)",
                location(snap, f"statement {stmt.queryid}"),
                evidence=ev(
                    queryid=stmt.queryid,
                    rank=rank,
                    calls=stmt.calls,
                    total_ms=f"{stmt.total_ms:.1f}",
                    mean_ms=f"{stmt.mean_ms:.2f}",
                    share=f"{part:.3f}",
                    rows=stmt.rows,
                    cache_hit=f"{hit_ratio:.3f}",
                    query=stmt.query[:300],
                ),
                remediation="Run EXPLAIN (ANALYZE, BUFFERS) on this statement with typical parameters; add the "
                "index it lacks (see DB103), cache or batch it, or cut the rows it reads.",
                identity=f"statement:{stmt.queryid}",
            )
