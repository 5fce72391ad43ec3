"""Lock waits measured: database spans that failed because they waited on a lock (a lock timeout) or were
chosen as a deadlock victim, as their status, exception events or response code say."""

from __future__ import annotations

from collections.abc import Iterable

from redline.checks.performance.common import Occurrence, Pattern, TraceCheck, examples, location, ms
from redline.core.model import Area, Finding, Severity
from redline.core.rules import Rule, RuleDoc
from redline.sources.traces.settings import TracesSettings
from redline.sources.traces.store import SpanStore

LOCK_WAIT = Rule(
    code="TRC110",
    name="lock-wait",
    area=Area.PERFORMANCE,
    severity=Severity.MEDIUM,
    summary="A statement that timed out waiting on a lock, or was a deadlock victim, in the traces",
    doc=RuleDoc(
        what_it_does="Reports database spans whose error says they waited on a lock: a lock timeout or "
        "`NOWAIT` failure (PostgreSQL 55P03, MySQL 1205, SQL Server 1222, Oracle ORA-00054, SQLite "
        "`database is locked`) or a deadlock (PostgreSQL 40P01, MySQL 1213, SQL Server 1205, ORA-00060), read "
        "from the span status message, `exception` events, Jaeger error logs, Zipkin annotations and "
        "`db.response.status_code` / `error.type`. One finding per service, statement and kind of wait.",
        why_bad="Each of these requests sat blocked for the whole lock timeout (or the deadlock detection "
        "delay) and then failed; the time is invisible in CPU and query plans, grows with concurrency, and a "
        "retry usually meets the same lock holder. It points at a long transaction or a hot row elsewhere.",
        example="UPDATE accounts SET balance = balance - $1 WHERE id = $2\n"
        "-- ERROR: canceling statement due to lock timeout (55P03)",
        use_instead="Find the holder (pg_locks / pg_blocking_pids, performance_schema.data_lock_waits): keep "
        "transactions short (no network calls inside), lock rows in one order to avoid deadlocks, or use "
        "SELECT … FOR UPDATE SKIP LOCKED for queues.",
        references=(
            "https://www.postgresql.org/docs/current/explicit-locking.html",
            "https://www.postgresql.org/docs/current/runtime-config-client.html#GUC-LOCK-TIMEOUT",
            "https://dev.mysql.com/doc/refman/8.0/en/innodb-deadlocks.html",
        ),
    ),
)

_SQL = """
SELECT service, coalesce(db_system, ''), coalesce(statement, name), lock_wait, count(*) AS n, sum(dur_us),
       quantile_cont(dur_us, 0.5),
       list(struct_pack(t := trace_id, s := span_id, d := dur_us, f := file_no) ORDER BY dur_us DESC, span_id)[1:3]
FROM spans WHERE lock_wait IS NOT NULL
GROUP BY ALL ORDER BY service, 3, lock_wait
"""


class LockWaitCheck(TraceCheck):
    name = "trace-lock-wait"
    rules = (LOCK_WAIT,)

    def detect(self, store: SpanStore, settings: TracesSettings) -> Iterable[Finding]:
        for service, system, statement, kind, n, total, p50, worst in store.query(_SQL):
            pattern = Pattern([Occurrence(w["t"], [w["s"]], ms(w["d"]), w["f"]) for w in worst])
            what = "deadlock victim" if kind == "deadlock" else "lock timeout"
            yield self.finding(
                LOCK_WAIT,
                f"{service}: {system or 'database'} statement failed {n}× as a {what} after waiting "
                f"{ms(p50):g} ms (median; {ms(total):g} ms in all): {statement[:200]}",
                location(store, pattern, f"{service} {kind} {statement[:120]}"),
                evidence={
                    "service": service,
                    "db_system": system,
                    "statement": statement[:500],
                    "wait": kind,
                    "count": n,
                    "waited_ms": ms(total),
                    "p50_ms": ms(p50),
                    **examples(pattern),
                },
                remediation="Find the session holding the lock when this runs (pg_blocking_pids, "
                "performance_schema.data_lock_waits) and shorten its transaction; take row locks in one "
                "order everywhere; for work queues use SELECT … FOR UPDATE SKIP LOCKED.",
                identity=f"{service}|{kind}|{statement}",
            )
