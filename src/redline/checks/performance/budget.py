"""Latency budgets per hop: each hop's p95 time on the critical path of a route against its budget."""

from __future__ import annotations

from collections.abc import Iterable

from redline.checks.interface import CheckContext
from redline.checks.performance.common import TraceCheck
from redline.core.facts import Facts
from redline.core.model import Area, Finding, Location, Severity, Skipped
from redline.core.rules import Rule, RuleDoc
from redline.sources.traces.critical_path import hop_breakdown
from redline.sources.traces.settings import SLO_SECTION, TRACES_SECTION, TracesSettings
from redline.sources.traces.store import SpanStore

HOP_OVER_BUDGET = Rule(
    code="TRC109",
    name="hop-over-latency-budget",
    area=Area.PERFORMANCE,
    severity=Severity.MEDIUM,
    summary="A hop spends more of a route's latency than its budget",
    doc=RuleDoc(
        what_it_does='For each route with `[slo."ROUTE".budget]`, computes the critical path of every trace of '
        'the route, tags each piece with a hop (`[traces.hops]` rules such as `db = ["category=db"]`, else '
        "the service name), and compares each hop's p95 time on the critical path with its budget.",
        why_bad="A route's objective is met only if every hop stays within its slice; a hop over budget eats "
        "the margin of the others, and the route misses its objective as soon as load or data grow.",
        example='[slo."POST /checkout"]\np95_ms = 300\n[slo."POST /checkout".budget]\napi = 120\ndb = 80'
        "   # measured db p95 on the critical path: 140 ms",
        use_instead="Bring the hop back within its slice (the traces named show where its time goes), or "
        "re-slice the budget explicitly and keep the sum within the objective.",
        references=(
            "https://sre.google/workbook/implementing-slos/",
            "https://research.google/pubs/the-tail-at-scale/",
        ),
    ),
)


class HopBudgetCheck(TraceCheck):
    name = "trace-hop-budget"
    rules = (HOP_OVER_BUDGET,)
    config_sections = (TRACES_SECTION, SLO_SECTION)

    def detect(self, store: SpanStore, settings: TracesSettings) -> Iterable[Finding]:
        return ()  # needs the [slo] settings too: see check()

    def check(self, facts: Facts, ctx: CheckContext) -> Iterable[Finding | Skipped]:
        settings, slos = ctx.config.settings(TRACES_SECTION), ctx.config.settings(SLO_SECTION)
        for store in facts.of(SpanStore):
            for slo in slos.slos:
                if not slo.budget:
                    continue
                for stat in hop_breakdown(store, slo.route, settings.hops):
                    budget = slo.budget.get(stat.hop)
                    if budget is None or stat.p95_ms <= budget:
                        continue
                    yield self.finding(
                        HOP_OVER_BUDGET,
                        f"'{slo.route}': hop {stat.hop} takes {stat.p95_ms:g} ms at p95 on the critical path, "
                        f"over its budget of {budget:g} ms ({stat.mean_share:.0%} of the request on average)",
                        Location(path=store.files[0] if store.files else "", resource=f"{slo.route} hop {stat.hop}"),
                        evidence={
                            "operation": slo.route,
                            "hop": stat.hop,
                            "p95_ms": stat.p95_ms,
                            "budget_ms": budget,
                            "mean_share": stat.mean_share,
                            "trace_ids": stat.worst_traces,
                        },
                        remediation=f"Open the traces named and cut the {stat.hop} time on '{slo.route}' by "
                        f"{stat.p95_ms - budget:g} ms at p95 (look first at the other trace findings on this "
                        "route), or re-slice the budget.",
                        identity=f"{slo.route}|{stat.hop}",
                    )
