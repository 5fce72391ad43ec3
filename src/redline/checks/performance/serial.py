"""Serial calls that could fan out: independent calls to different targets made one after another."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Iterator, Sequence

from redline.checks.performance.common import Occurrence, Pattern, TraceCheck, examples, location, ms
from redline.core.model import Area, Finding, Severity
from redline.core.rules import Rule, RuleDoc
from redline.sources.traces.settings import TracesSettings
from redline.sources.traces.store import SpanStore

SERIAL_CALLS = Rule(
    code="TRC103",
    name="serial-calls-could-fan-out",
    area=Area.PERFORMANCE,
    severity=Severity.LOW,
    summary="Independent downstream calls made one after another instead of in parallel",
    doc=RuleDoc(
        what_it_does="In the traces, finds parent spans under which at least 2 consecutive client HTTP/RPC "
        "calls to different targets never overlap, where running them at once would save at least 100 ms "
        "(`[traces] serial_min_saving_ms`): the saving is the sum of their durations minus the longest.",
        why_bad="The request waits for the sum of the calls instead of the slowest one. Calls to different "
        "services with no visible data dependency can usually run concurrently; the serial form adds "
        "latency to every request and makes the tail of each callee add up.",
        example="user = get_user(uid)        # 120 ms\nrecs = get_recommendations(uid)  # 150 ms",
        use_instead="with ThreadPoolExecutor() as pool:\n    user_f = pool.submit(get_user, uid)\n"
        "    recs_f = pool.submit(get_recommendations, uid)\n    user, recs = user_f.result(), recs_f.result()",
        references=(
            "https://research.google/pubs/the-tail-at-scale/",
            "https://docs.python.org/3/library/asyncio-task.html#asyncio.gather",
        ),
    ),
)

_SQL = """
-- grouped per parent first, the parent joined to the few groups left (not to every client span)
WITH g AS (
  SELECT service, parent_id, trace_id,
         list(start_us ORDER BY start_us) AS starts, list(dur_us ORDER BY start_us) AS durs,
         list(span_id ORDER BY start_us) AS ids,
         list(coalesce(peer, '?') || ' ' || coalesce(route, name) ORDER BY start_us) AS targets,
         min(file_no) AS file_no
  FROM spans
  WHERE kind = 'client' AND category IN ('http', 'rpc') AND parent_id IS NOT NULL
  GROUP BY service, parent_id, trace_id
  HAVING count(*) >= 2 AND sum(dur_us) - max(dur_us) >= ?
)
SELECT g.service, coalesce(p.operation, g.parent_id), g.trace_id, g.starts, g.durs, g.ids, g.targets, g.file_no
FROM g LEFT JOIN spans p ON p.trace_id = g.trace_id AND p.span_id = g.parent_id
"""


def serial_runs(starts: Sequence[int], durs: Sequence[int], targets: Sequence[str]) -> Iterator[list[int]]:
    """Maximal runs (indexes) of calls that each start after the previous ended, to targets not yet
    called in the run (a repeated target is a data dependency or chattiness, not fan-out)."""
    run: list[int] = []
    for i, (start, target) in enumerate(zip(starts, targets, strict=True)):
        prev = run[-1] if run else None
        if prev is not None and (start < starts[prev] + durs[prev] or target in {targets[j] for j in run}):
            if len(run) >= 2:
                yield run
            run = []
        run.append(i)
    if len(run) >= 2:
        yield run


class SerialCallsCheck(TraceCheck):
    name = "trace-serial-calls"
    rules = (SERIAL_CALLS,)

    def detect(self, store: SpanStore, settings: TracesSettings) -> Iterable[Finding]:
        patterns: dict[tuple[str, str, tuple[str, ...]], Pattern] = defaultdict(Pattern)
        for service, parent_op, trace_id, starts, durs, ids, targets, file_no in store.query(
            _SQL, (settings.serial_min_saving_ms * 1000,)
        ):
            for run in serial_runs(starts, durs, targets):
                run_durs = [durs[i] for i in run]
                saving = ms(sum(run_durs) - max(run_durs))
                if saving >= settings.serial_min_saving_ms:
                    patterns[(service, parent_op, tuple(targets[i] for i in run))].add(
                        Occurrence(trace_id, [ids[i] for i in run], saving, file_no)
                    )
        for (service, parent_op, targets), pattern in sorted(patterns.items()):
            saving = pattern.median()
            yield self.finding(
                SERIAL_CALLS,
                f"{service} '{parent_op}' calls {', '.join(targets)} one after another; in parallel the "
                f"request would be {saving:g} ms faster (median over {pattern.traces} trace(s))",
                location(store, pattern, f"{service} {parent_op} -> {' | '.join(targets)}"),
                evidence={
                    "service": service,
                    "operation": parent_op,
                    "targets": targets,
                    "median_saving_ms": saving,
                    "traces": pattern.traces,
                    **examples(pattern),
                },
                remediation=f"If the calls to {' and '.join(targets)} do not depend on each other's results, "
                "issue them concurrently (asyncio.gather, a thread pool, CompletableFuture.allOf, errgroup) "
                f"with one overall deadline; that saves about {saving:g} ms per request.",
                identity=f"{service}|{parent_op}|{'|'.join(targets)}",
            )
