"""Retry storms: the same failing call repeated under one parent."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence

from redline.checks.performance.common import Occurrence, Pattern, TraceCheck, examples, location, ms
from redline.core.model import Area, Finding, Severity
from redline.core.rules import Rule, RuleDoc
from redline.sources.traces.settings import TracesSettings
from redline.sources.traces.store import SpanStore

RETRY_STORM = Rule(
    code="TRC107",
    name="retry-storm",
    area=Area.RESILIENCE,
    severity=Severity.HIGH,
    summary="The same failing downstream call is repeated many times within one request",
    doc=RuleDoc(
        what_it_does="In the traces, finds parent spans under which the same client HTTP/RPC call (same peer "
        "and route; database statements are left out: one shape with other parameters is not a retry) fails"
        " and is repeated at least 3 times in a row (`[traces] retry_min_attempts`), "
        "and reports the gap between attempts (no backoff when it is near zero).",
        why_bad="Retries multiply load on a service that is already failing: with 3 retries at each of 3 "
        "layers one user request becomes up to 64 calls at the bottom. Without backoff and jitter the "
        "retries arrive together and keep the dependency down.",
        example="for _ in range(5):\n    try:\n        return client.get(url, timeout=1)\n"
        "    except Exception:\n        pass",
        use_instead="Retry at one layer only, at most 2-3 times, with exponential backoff and full jitter, "
        "within a retry budget (for example 10% of requests) and behind a circuit breaker.",
        references=(
            "https://aws.amazon.com/builders-library/timeouts-retries-and-backoff-with-jitter/",
            "https://sre.google/sre-book/handling-overload/#retrying-requests",
        ),
    ),
)

_SQL = """
SELECT s.service, s.peer, coalesce(s.statement, s.route, s.name) AS target, s.trace_id,
       list(s.error ORDER BY s.start_us), list(s.start_us ORDER BY s.start_us), list(s.dur_us ORDER BY s.start_us),
       list(s.span_id ORDER BY s.start_us), min(s.file_no)
FROM spans s
-- only parents with a failed call can hold a storm (a run starts with a failure): a small semi-join first
SEMI JOIN (SELECT DISTINCT trace_id, parent_id FROM spans
           WHERE error AND kind = 'client' AND category IN ('http', 'rpc') AND parent_id IS NOT NULL) f
  ON f.trace_id = s.trace_id AND f.parent_id = s.parent_id
WHERE s.kind = 'client' AND s.category IN ('http', 'rpc') AND s.parent_id IS NOT NULL
GROUP BY s.service, s.peer, target, s.trace_id, s.parent_id
HAVING count(*) >= ? AND sum(s.error::INTEGER) >= ? - 1
"""


def failing_runs(errors: Sequence[bool]) -> list[tuple[int, int]]:
    """(first, last) index of each run of failed attempts plus the attempt right after it."""
    runs, start = [], None
    for i, failed in enumerate(errors):
        if failed and start is None:
            start = i
        if not failed and start is not None:
            runs.append((start, i))
            start = None
    if start is not None:
        runs.append((start, len(errors) - 1))
    return runs


class RetryStormCheck(TraceCheck):
    name = "trace-retry-storm"
    rules = (RETRY_STORM,)

    def detect(self, store: SpanStore, settings: TracesSettings) -> Iterable[Finding]:
        patterns: dict[tuple[str, str, str], Pattern] = defaultdict(Pattern)
        for service, peer, target, trace_id, errors, starts, durs, ids, file_no in store.query(
            _SQL, (settings.retry_min_attempts, settings.retry_min_attempts)
        ):
            for first, last in failing_runs(errors):
                attempts = last - first + 1
                if attempts < settings.retry_min_attempts:
                    continue
                gaps = [starts[i + 1] - (starts[i] + durs[i]) for i in range(first, last)]
                patterns[(service, peer or "?", target)].add(
                    Occurrence(
                        trace_id,
                        ids[first : last + 1],
                        float(attempts),
                        file_no,
                        {"gap_ms": ms(sorted(gaps)[len(gaps) // 2])},
                    )
                )
        for (service, peer, target), pattern in sorted(patterns.items()):
            most, gap = max(o.value_ms for o in pattern.occurrences), pattern.median("gap_ms")
            yield self.finding(
                RETRY_STORM,
                f"{service} repeats a failing call to {peer} '{target[:120]}' up to {most:g} times in one "
                f"request ({pattern.traces} trace(s)), {gap:g} ms between attempts (median)",
                location(store, pattern, f"{service} -> {peer} {target[:120]}"),
                evidence={
                    "service": service,
                    "peer": peer,
                    "target": target[:500],
                    "max_attempts": int(most),
                    "median_gap_ms": gap,
                    "traces": pattern.traces,
                    **examples(pattern),
                },
                remediation=f"Cap retries of calls to {peer} at 2-3 at a single layer, with exponential backoff "
                "and full jitter (the median gap here is "
                f"{gap:g} ms), a retry budget, and a circuit breaker that fails fast while {peer} is down.",
                identity=f"{service}|{peer}|{target}",
            )
