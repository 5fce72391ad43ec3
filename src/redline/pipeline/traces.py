"""``redline traces``: ingest trace files, measure every operation, run the trace detectors.

The same checks run inside ``redline audit`` whenever a span store is among the facts; this module is
the stand-alone run: it builds the store, hands it to the performance checks and returns their findings
with the measures, in an ``AuditResult`` the usual reporters render."""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from redline.checks.interface import CheckContext, CheckError
from redline.checks.performance import checks as performance_checks
from redline.core.config import Config
from redline.core.facts import Facts
from redline.core.model import Finding, Skipped, Stage, ToolError
from redline.core.result import AuditResult, RunStats
from redline.pipeline.plan import make_plan
from redline.pipeline.run import override_severity
from redline.sources.traces.critical_path import HopStat, hop_breakdown
from redline.sources.traces.health import TraceHealth, trace_health
from redline.sources.traces.measures import OperationMeasure, operation_measures
from redline.sources.traces.settings import SLO_SECTION, TRACES_SECTION
from redline.sources.traces.store import SpanStore, ingest

TRACES_SCHEMA_VERSION = "1.0"
#: a route, its p95 objective, and each hop's measure with its budget (None when the hop has none)
RouteBudget = tuple[str, float, tuple[tuple[HopStat, float | None], ...]]


@dataclass(frozen=True)
class TracesRun:
    """What ``redline traces`` produced: the usual audit result plus the measures per operation."""

    result: AuditResult
    measures: tuple[OperationMeasure, ...]
    span_count: int
    trace_count: int
    files: tuple[str, ...]
    #: per route with an objective: each hop's p95 on the critical path, its share, and the budget
    budgets: tuple[RouteBudget, ...] = ()
    health: TraceHealth | None = None


def run_traces(paths: Sequence[Path], config: Config, database: str = ":memory:") -> TracesRun:
    started = time.monotonic()
    store = ingest(paths, database)
    plan = make_plan(performance_checks(), [], [], config)
    ctx = CheckContext(root=Path.cwd(), config=config, enabled=plan.enabled, rules=plan.registry)
    findings: list[Finding] = []
    errors: list[ToolError] = []  # a file that could not be read is not covered (once), not a tool error
    skipped = [Skipped(p.path, p.reason) for p in store.problems]
    facts = Facts([store])
    for check in plan.project_checks:
        try:
            findings += [f for f in check.check(facts, ctx) if isinstance(f, Finding) and f.rule in plan.enabled]
        except CheckError as exc:
            errors.append(ToolError(check.name, str(exc), Stage.CHECK))
    findings = [override_severity(f, config) for f in findings]
    findings.sort(key=lambda f: (f.rule, f.location.resource, f.fingerprint))
    measures = tuple(operation_measures(store))
    spans, traces = store.span_count, _traces(store)
    result = AuditResult(
        root=str(Path.cwd()),
        findings=tuple(findings),
        rules=plan.registry,
        config=config,
        errors=tuple(errors),
        skipped=tuple(skipped),
        stats=RunStats(files_scanned=len(store.files), seconds=time.monotonic() - started),
        facts_summary={"spans": spans, "traces": traces},
    )
    return TracesRun(result, measures, spans, traces, store.files, _budgets(store, config), trace_health(store))


def _budgets(store: SpanStore, config: Config) -> tuple[RouteBudget, ...]:
    rules = config.settings(TRACES_SECTION).hops
    return tuple(
        (
            slo.route,
            slo.p95_ms,
            tuple((stat, slo.budget.get(stat.hop)) for stat in hop_breakdown(store, slo.route, rules)),
        )
        for slo in config.settings(SLO_SECTION).slos
    )


def with_trace_paths(config: Config, paths: Sequence[Path]) -> Config:
    """``redline audit --traces PATH…``: the paths (made absolute) added to ``[traces] paths``."""
    settings = config.settings(TRACES_SECTION)
    extra = tuple(str(p.resolve()) for p in paths)
    return config.with_settings(TRACES_SECTION, replace(settings, paths=(*settings.paths, *extra)))


def _traces(store: SpanStore) -> int:
    return int(store.query("SELECT count(DISTINCT trace_id) FROM spans")[0][0])


def traces_document(run: TracesRun) -> dict[str, Any]:
    """``traces.json``: the measures per service and operation, and what was read."""
    return {
        "schema_version": TRACES_SCHEMA_VERSION,
        "spans": run.span_count,
        "traces": run.trace_count,
        "files": list(run.files),
        "not_covered": [{"path": s.path, "reason": s.reason} for s in run.result.skipped],
        "operations": [
            {
                "service": m.service,
                "kind": m.kind,
                "operation": m.operation,
                "count": m.count,
                "qps_mean": m.mean_qps,
                "qps_max": m.max_qps,
                "burst_ratio": round(m.burst_ratio, 2),
                "error_rate": m.error_rate,
                "duration_ms": {"p50": m.p50_ms, "p95": m.p95_ms, "p99": m.p99_ms},
                "self_time_ms": {"p50": m.self_p50_ms, "p95": m.self_p95_ms, "p99": m.self_p99_ms},
            }
            for m in run.measures
        ],
        "budgets": [
            {
                "operation": route,
                "objective_p95_ms": p95,
                "hops": [
                    {
                        "hop": s.hop,
                        "p95_ms": s.p95_ms,
                        "mean_share": s.mean_share,
                        "budget_ms": budget,
                        "over_budget": budget is not None and s.p95_ms > budget,
                        "worst_traces": list(s.worst_traces),
                    }
                    for s, budget in hops
                ],
            }
            for route, p95, hops in run.budgets
        ],
        "health": run.health.as_dict() if run.health else {},
        "findings": len(run.result.findings),
    }
