"""Lock waits at snapshot time, and transactions held open long enough to cause them."""

from __future__ import annotations

from collections.abc import Iterator

from redline.checks.database.common import REF_MONITORING, SnapshotCheck, ev, location
from redline.core.model import Area, Finding, Severity, Skipped
from redline.core.rules import Rule, RuleDoc
from redline.sources.postgres.model import Session, Snapshot
from redline.sources.postgres.settings import PostgresSettings

BLOCKED_SESSIONS = Rule(
    code="DB104",
    name="sessions-blocked-on-locks",
    area=Area.PERFORMANCE,
    severity=Severity.HIGH,
    summary="sessions are waiting on locks held by another session",
    doc=RuleDoc(
        what_it_does="Reports each session that blocks others at snapshot time (`pg_blocking_pids`), with the "
        "sessions it blocks, what they wait for, and what the blocker is doing (often: idle in a transaction).",
        why_bad="A blocked session holds its connection and its caller while it waits; behind one long lock "
        "holder a queue forms in seconds, the pool runs dry and requests time out across the service.",
        example="BEGIN; UPDATE accounts SET … WHERE id = 1;   -- then the application waits on an HTTP call",
        use_instead="Keep transactions short; do remote calls outside them; set lock_timeout and "
        "idle_in_transaction_session_timeout for the application role.",
        references=(
            "https://www.postgresql.org/docs/current/explicit-locking.html",
            "https://www.postgresql.org/docs/current/functions-info.html#FUNCTIONS-INFO-SESSION",
            REF_MONITORING,
        ),
    ),
)

LONG_TRANSACTION = Rule(
    code="DB105",
    name="long-or-idle-transaction",
    area=Area.RESILIENCE,
    severity=Severity.MEDIUM,
    summary="a transaction has been open (or idle in transaction) too long",
    doc=RuleDoc(
        what_it_does="Reports sessions idle in a transaction for longer than `[postgres] idle_in_transaction_s`, "
        "or with a transaction open for longer than `long_transaction_s`.",
        why_bad="An open transaction keeps its locks and holds back the xmin horizon: vacuum cannot remove dead "
        "rows anywhere in the database, tables and indexes bloat, and every lock it holds blocks writers.",
        example="conn = pool.get(); conn.execute('BEGIN'); ...; requests.get(url)  # transaction idles",
        use_instead="ALTER ROLE app SET idle_in_transaction_session_timeout = '30s';  -- and commit before I/O",
        references=(
            "https://www.postgresql.org/docs/current/runtime-config-client.html"
            "#GUC-IDLE-IN-TRANSACTION-SESSION-TIMEOUT",
            REF_MONITORING,
        ),
    ),
)


def _describe(s: Session) -> str:
    age = f", transaction open {s.xact_age_s:,.0f} s" if s.xact_age_s is not None else ""
    return f"pid {s.pid} ({s.user or 'unknown user'}, {s.state or 'unknown state'}{age})"


class LockCheck(SnapshotCheck):
    name = "db-locks"
    rules = (BLOCKED_SESSIONS, LONG_TRANSACTION)

    def judge(self, snap: Snapshot, settings: PostgresSettings) -> Iterator[Finding | Skipped]:
        by_pid = {s.pid: s for s in snap.sessions}
        blocked_by: dict[int, list[Session]] = {}
        for s in snap.sessions:
            for pid in s.blocked_by:
                blocked_by.setdefault(pid, []).append(s)
        for pid, victims in sorted(blocked_by.items()):
            blocker = by_pid.get(pid)
            who = _describe(blocker) if blocker else f"pid {pid}"
            waits = sorted({v.waiting_lock for v in victims if v.waiting_lock})
            yield self.finding(
                BLOCKED_SESSIONS,
                f"{who} blocks {len(victims)} session(s) ({', '.join(str(v.pid) for v in victims)})"
                + (f" waiting for {'; '.join(waits)}" if waits else ""),
                location(snap, f"session {pid}"),
                evidence=ev(
                    blocker=pid,
                    blocker_state=blocker.state if blocker else "",
                    blocked=tuple(v.pid for v in victims),
                    waiting_for=tuple(waits),
                    longest_wait_s=round(max((v.state_age_s or 0) for v in victims), 1),
                ),
                remediation=f"Find why pid {pid} holds its transaction open (SELECT query FROM pg_stat_activity "
                f"WHERE pid = {pid}); end it with pg_terminate_backend if it is stuck, and set lock_timeout and "
                "idle_in_transaction_session_timeout for the application role.",
                identity=f"blocker:{blocker.user if blocker else pid}",
            )
        yield from self._long(snap, settings)

    def _long(self, snap: Snapshot, settings: PostgresSettings) -> Iterator[Finding]:
        for s in snap.sessions:
            idle = s.state.startswith("idle in transaction") and (s.state_age_s or 0) >= settings.idle_in_transaction_s
            long = (s.xact_age_s or 0) >= settings.long_transaction_s
            if not (idle or long):
                continue
            what = (
                f"idle in transaction for {s.state_age_s:,.0f} s"
                if idle
                else f"in a transaction open for {s.xact_age_s:,.0f} s"
            )
            yield self.finding(
                LONG_TRANSACTION,
                f"session pid {s.pid} ({s.user}, application {s.application or 'unnamed'!r}) is {what}",
                location(snap, f"session {s.pid}"),
                evidence=ev(
                    pid=s.pid,
                    user=s.user,
                    application=s.application,
                    state=s.state,
                    xact_age_s=f"{s.xact_age_s or 0:.0f}",
                    state_age_s=f"{s.state_age_s or 0:.0f}",
                ),
                remediation="Commit or roll back before any wait outside the database; set "
                "idle_in_transaction_session_timeout for the application role.",
                identity=f"session:{s.user}:{s.application}",
            )
