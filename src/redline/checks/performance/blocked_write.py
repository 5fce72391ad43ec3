"""Writes that waited on another request's lock and then succeeded: no span attribute reports a lock wait
or the CPU a statement used, so the evidence is the shape the wait leaves in the traces — a write many
times slower than the same statement usually is, that started while another trace's write to the same
table was inside a still-open request, and that finished when that request finished (its commit released
the lock)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable

from redline.checks.performance.common import Occurrence, Pattern, TraceCheck, examples, location, ms
from redline.core.model import Area, Finding, Severity
from redline.core.rules import Rule, RuleDoc
from redline.sources.traces.settings import TracesSettings
from redline.sources.traces.store import SpanStore

BLOCKED_WRITE = Rule(
    code="TRC111",
    name="blocked-write",
    area=Area.PERFORMANCE,
    severity=Severity.MEDIUM,
    summary="A write that waited for another request's transaction: slow only while that request held the table",
    doc=RuleDoc(
        what_it_does="Finds database write spans (`INSERT`, `UPDATE`, `DELETE`, `SELECT … FOR UPDATE/SHARE`) "
        "that succeeded but took at least `blocked_min_ms` (100 ms) and `blocked_min_ratio` (5) times the "
        "median of the same statement (seen at least 3 times), that started after another trace had written the "
        "same table inside a request that was still running, and that ended within 50 ms of that request's end "
        "— when its commit released the lock. The finding names both traces: the waiting one and the holder.",
        why_bad="Row and table locks are held until commit, so a request that writes and then does slow work "
        "(an HTTP call, a big computation) inside its transaction makes every other writer of those rows wait "
        "for it. The wait is invisible in CPU profiles and query plans and grows with concurrency; it ends in "
        "lock timeouts and deadlocks (TRC110) under load.",
        example="with session.begin():\n"
        "    session.execute(update(Account).where(Account.id == 1).values(balance=Account.balance - 10))\n"
        "    charge_card()  # 400 ms of HTTP while row 1 stays locked: the next transfer waits for it",
        use_instead="Keep transactions short: do the slow work before the transaction or after the commit, "
        "take row locks late and in one order, and use SELECT … FOR UPDATE SKIP LOCKED for work queues.",
        references=(
            "https://www.postgresql.org/docs/current/explicit-locking.html#LOCKING-ROWS",
            "https://dev.mysql.com/doc/refman/8.0/en/innodb-locking.html",
            "https://www.postgresql.org/docs/current/monitoring-stats.html#MONITORING-PG-STAT-ACTIVITY-VIEW",
        ),
    ),
)

#: the table a write or locking read takes locks in (RE2, case-insensitive; quotes and schema kept)
_WRITE_TABLE = r"(?i)^\s*(?:update\s+(?:only\s+)?|delete\s+from\s+(?:only\s+)?|insert\s+into\s+)([\w.\"`\[\]]+)"
_LOCKING_READ_TABLE = (
    r"(?i)^\s*select\b.*?\bfrom\s+([\w.\"`\[\]]+).*\bfor\s+(?:no\s+key\s+)?(?:update|share|key\s+share)\b"
)
RELEASE_TOLERANCE_US = 50_000  # the waiting write ends this close to the holder's request end

_SQL = f"""
WITH shapes AS (  -- the regexes run once per distinct statement, not per span
  SELECT service, statement, lower(coalesce(nullif(regexp_extract(statement, '{_WRITE_TABLE}', 1), ''),
                                            nullif(regexp_extract(statement, '{_LOCKING_READ_TABLE}', 1), ''))) AS tbl
  FROM (SELECT DISTINCT service, statement FROM spans WHERE category = 'db' AND statement IS NOT NULL)
), writes AS (
  SELECT s.trace_id, s.span_id, s.parent_id, s.service, coalesce(s.db_system, '') AS system,
         coalesce(s.peer, '') AS peer, s.statement, s.start_us, s.start_us + s.dur_us AS end_us, s.dur_us, s.error,
         s.file_no, sh.tbl
  FROM spans s JOIN shapes sh USING (service, statement) WHERE s.category = 'db' AND sh.tbl IS NOT NULL
), usual AS (
  SELECT service, statement, median(dur_us) AS p50, count(*) AS n FROM writes GROUP BY ALL
), waiting AS (
  SELECT w.*, u.p50 FROM writes w JOIN usual u USING (service, statement)
  WHERE NOT w.error AND u.n >= 3 AND w.dur_us >= ? AND w.dur_us >= ? * u.p50
)
SELECT s.service, s.system, s.statement, s.tbl, s.trace_id, s.span_id, s.dur_us, s.p50, s.file_no,
       arg_min(h.trace_id, abs(r.start_us + r.dur_us - s.end_us)),
       arg_min(h.span_id, abs(r.start_us + r.dur_us - s.end_us)),
       arg_min(r.operation, abs(r.start_us + r.dur_us - s.end_us))
FROM waiting s
JOIN writes h ON h.tbl = s.tbl AND h.system = s.system AND h.peer = s.peer AND h.trace_id <> s.trace_id
             AND h.start_us < s.start_us AND NOT h.error
JOIN spans r ON r.trace_id = h.trace_id AND r.span_id = h.parent_id  -- the holder's request
WHERE r.start_us + r.dur_us >= s.start_us AND abs(r.start_us + r.dur_us - s.end_us) <= {RELEASE_TOLERANCE_US}
GROUP BY ALL
"""


class BlockedWriteCheck(TraceCheck):
    name = "trace-blocked-write"
    rules = (BLOCKED_WRITE,)

    def detect(self, store: SpanStore, settings: TracesSettings) -> Iterable[Finding]:
        patterns: dict[tuple[str, str, str, str], Pattern] = defaultdict(Pattern)
        holders: dict[tuple[str, str, str, str], set[str]] = defaultdict(set)
        rows = store.query(_SQL, (settings.blocked_min_ms * 1000, settings.blocked_min_ratio))
        for service, system, statement, table, trace, span, dur, p50, file_no, h_trace, h_span, h_op in rows:
            key = (service, system, statement, table)
            patterns[key].add(Occurrence(trace, [span, h_span], ms(dur), file_no, {"p50_ms": ms(p50)}))
            holders[key].add(h_op or h_trace)
        for (service, system, statement, table), pattern in sorted(patterns.items()):
            worst, usual = max(o.value_ms for o in pattern.occurrences), pattern.median("p50_ms")
            held_by = sorted(holders[(service, system, statement, table)])
            yield self.finding(
                BLOCKED_WRITE,
                f"{service}: a write to {table} waited for another request's transaction "
                f"{len(pattern.occurrences)}× (up to {worst:g} ms; {usual:g} ms usually), held by "
                f"{', '.join(held_by[:3])}: {statement[:200]}",
                location(store, pattern, f"{service} blocked {table} {statement[:120]}"),
                evidence={
                    "service": service,
                    "db_system": system,
                    "table": table,
                    "statement": statement[:500],
                    "count": len(pattern.occurrences),
                    "worst_ms": worst,
                    "usual_ms": usual,
                    "held_by": tuple(held_by),
                    **examples(pattern),
                },
                remediation=f"Shorten the transactions of {', '.join(held_by[:3])} that write {table}: move slow "
                "work (HTTP calls, computation) out of the transaction or after its commit, and lock rows late "
                "and in one order; check pg_stat_activity / performance_schema.data_lock_waits while it happens.",
                identity=f"{service}|{table}|{statement}",
            )
