"""Chatty RPC (N+1 API calls): one parent calling the same host and route many times, one after another."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable

from redline.checks.performance.common import Occurrence, Pattern, TraceCheck, examples, location, ms
from redline.core.model import Area, Finding, Severity
from redline.core.rules import Rule, RuleDoc
from redline.sources.traces.settings import TracesSettings
from redline.sources.traces.store import SpanStore

CHATTY_RPC = Rule(
    code="TRC102",
    name="chatty-rpc",
    area=Area.PERFORMANCE,
    severity=Severity.MEDIUM,
    summary="Chatty RPC: many sequential calls to the same endpoint from one request",
    doc=RuleDoc(
        what_it_does="In the traces, finds parent spans under which at least 10 client HTTP/RPC spans to the "
        "same host and route template run one after another (`[traces] chatty_min_calls`).",
        why_bad="Every call pays connection, serialisation and network latency; done in sequence they add "
        "up, and the count usually grows with the data (one call per item). The caller's latency becomes "
        "N times the callee's and the callee sees N times the load.",
        example="prices = [requests.get(f'http://pricing/items/{i}', timeout=2).json() for i in item_ids]",
        use_instead="prices = requests.post('http://pricing/items:batchGet', json={'ids': item_ids}, timeout=2).json()",
        references=(
            "https://cloud.google.com/apis/design/standard_methods#batch_get",
            "https://learn.microsoft.com/en-us/azure/architecture/antipatterns/chatty-io/",
        ),
    ),
)

_SQL = """
-- grouped per parent first, the parent joined to the few groups left (not to every client span)
WITH g AS (
  SELECT service, parent_id, peer, coalesce(route, name) AS target, trace_id,
         list(start_us ORDER BY start_us) AS starts, list(dur_us ORDER BY start_us) AS durs,
         list(span_id ORDER BY start_us) AS ids, min(file_no) AS file_no
  FROM spans
  WHERE kind = 'client' AND category IN ('http', 'rpc') AND parent_id IS NOT NULL
  GROUP BY service, parent_id, peer, target, trace_id
  HAVING count(*) >= ?
)
SELECT g.service, coalesce(p.operation, g.parent_id), g.peer, g.target, g.trace_id, g.starts, g.durs, g.ids,
       g.file_no
FROM g LEFT JOIN spans p ON p.trace_id = g.trace_id AND p.span_id = g.parent_id
"""


def sequential_count(starts: list[int], durations: list[int]) -> int:
    """How many calls started only after every earlier one had ended (1 for the first)."""
    count, end = 0, None
    for start, dur in zip(starts, durations, strict=True):
        if end is None or start >= end:
            count += 1
        end = max(end or 0, start + dur)
    return count


class ChattyRpcCheck(TraceCheck):
    name = "trace-chatty-rpc"
    rules = (CHATTY_RPC,)

    def detect(self, store: SpanStore, settings: TracesSettings) -> Iterable[Finding]:
        patterns: dict[tuple[str, str, str, str], Pattern] = defaultdict(Pattern)
        for service, parent_op, peer, target, trace_id, starts, durs, ids, file_no in store.query(
            _SQL, (settings.chatty_min_calls,)
        ):
            calls = sequential_count(starts, durs)
            if calls >= settings.chatty_min_calls:
                patterns[(service, parent_op, peer or "?", target)].add(
                    Occurrence(trace_id, ids, ms(sum(durs)), file_no, {"count": float(calls)})
                )
        for (service, parent_op, peer, target), pattern in sorted(patterns.items()):
            count = pattern.median("count")
            yield self.finding(
                CHATTY_RPC,
                f"{service} '{parent_op}' calls {peer} {target} {count:g} times in sequence per request "
                f"(median, {pattern.median():g} ms in all) in {pattern.traces} trace(s)",
                location(store, pattern, f"{service} {parent_op} -> {peer} {target}"),
                evidence={
                    "service": service,
                    "operation": parent_op,
                    "peer": peer,
                    "route": target,
                    "median_calls": count,
                    "median_total_ms": pattern.median(),
                    "traces": pattern.traces,
                    **examples(pattern),
                },
                remediation=f"Replace the per-item calls to {peer} {target} with one batch request (or a bulk "
                "endpoint); if the callee has none, run them concurrently with a bounded pool and cache "
                "repeated keys for the request.",
                identity=f"{service}|{parent_op}|{peer}|{target}",
            )
