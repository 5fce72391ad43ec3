"""Latency objectives (``[slo."ROUTE"] p95_ms``) compared with the measured p95 of the route."""

from __future__ import annotations

from collections.abc import Iterable

from redline.checks.interface import CheckContext
from redline.checks.performance.common import Occurrence, Pattern, TraceCheck, examples, location, ms
from redline.core.facts import Facts
from redline.core.model import Area, Finding, Severity, Skipped
from redline.core.rules import Rule, RuleDoc
from redline.sources.traces.settings import SLO_SECTION, TRACES_SECTION, SloSettings, TracesSettings
from redline.sources.traces.store import SpanStore

SLO_P95_OVER = Rule(
    code="TRC108",
    name="slo-p95-exceeded",
    area=Area.PERFORMANCE,
    severity=Severity.HIGH,
    summary="A route's measured p95 latency is over its objective",
    doc=RuleDoc(
        what_it_does="Compares the measured p95 duration of the server spans of each route named in "
        '`[slo."ROUTE"] p95_ms` with that objective.',
        why_bad="The objective is the latency users were promised; a measured p95 above it means one request "
        "in twenty (or more) is slower than promised, and the error budget is being spent.",
        example='[slo."POST /checkout"]\np95_ms = 300   # measured p95: 480 ms',
        use_instead="Look at the slowest traces named in the finding and at the tail amplifiers found on the "
        "same route (N+1 queries, serial calls, third-party calls); fix them until the p95 is under the "
        "objective, or renegotiate the objective.",
        references=("https://sre.google/sre-book/service-level-objectives/",),
    ),
)

_SQL = """
SELECT service, count(*), quantile_cont(dur_us, 0.95),
       max_by(struct_pack(t := trace_id, s := span_id, d := dur_us, f := file_no), dur_us, 3)
FROM spans WHERE kind = 'server' AND operation = ? GROUP BY service ORDER BY service
"""


class SloCheck(TraceCheck):
    name = "trace-slo"
    rules = (SLO_P95_OVER,)
    config_sections = (TRACES_SECTION, SLO_SECTION)

    def detect(self, store: SpanStore, settings: TracesSettings) -> Iterable[Finding]:
        return ()  # needs the [slo] settings too: see check()

    def check(self, facts: Facts, ctx: CheckContext) -> Iterable[Finding | Skipped]:
        slos: SloSettings = ctx.config.settings(SLO_SECTION)
        for store in facts.of(SpanStore):
            yield from self.compare(store, slos)

    def compare(self, store: SpanStore, slos: SloSettings) -> Iterable[Finding]:
        for slo in slos.slos:
            for service, n, p95, worst in store.query(_SQL, (slo.route,)):
                if ms(p95) <= slo.p95_ms:
                    continue
                pattern = Pattern([Occurrence(w["t"], [w["s"]], ms(w["d"]), w["f"]) for w in worst])
                yield self.finding(
                    SLO_P95_OVER,
                    f"{service} '{slo.route}': measured p95 {ms(p95):g} ms is over the objective "
                    f"{slo.p95_ms:g} ms ({n} requests)",
                    location(store, pattern, f"{service} {slo.route}"),
                    evidence={
                        "service": service,
                        "operation": slo.route,
                        "count": n,
                        "p95_ms": ms(p95),
                        "objective_p95_ms": slo.p95_ms,
                        **examples(pattern),
                    },
                    remediation=f"Open the slowest traces of '{slo.route}' and fix the largest contributors "
                    "first (the other trace findings on this route name them); the p95 must drop by "
                    f"{ms(p95) - slo.p95_ms:g} ms.",
                    identity=f"{service}|{slo.route}",
                )
