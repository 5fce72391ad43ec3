"""``redline cost``: read the exports and request volume once, run the cost checks, compute the measures.

The audit runs the same checks through its project-source step (``CostExportSource``); this path exists
so that a cost review needs no source tree.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from pathlib import Path

from redline.checks.cost import checks as cost_checks
from redline.checks.interface import CheckContext
from redline.core.config import Config
from redline.core.facts import Facts
from redline.core.model import Finding, Skipped, Stage, ToolError
from redline.core.result import AuditResult, RunStats
from redline.pipeline.plan import make_plan
from redline.pipeline.run import AuditRequest, override_severity
from redline.sources.cost.dataset import CostExportSource, load_dataset
from redline.sources.cost.measures import Criterion, baseline_criterion, component_costs, rollup
from redline.sources.cost.model import CostDataset
from redline.sources.cost.settings import METRICS, CostSettings, cost_settings
from redline.synthesis.cost import cost_document

#: what the ``cost`` command uses of the cost source and synthesis, re-exported so the CLI never imports them
__all__ = [
    "METRICS",
    "CostRequest",
    "CostRun",
    "component_costs",
    "cost_document",
    "cost_settings",
    "rollup",
    "run_cost",
    "with_cost",
]


def with_cost(
    req: AuditRequest, exports: list[Path], request_specs: list[str], trace_paths: list[Path] | None = None
) -> AuditRequest:
    """``req`` that also reads these billing exports (``audit --cost``) and judges them with the cost checks;
    with ``--traces`` as well, the traces' server spans count as request volume."""
    req.project_sources = [s for s in req.project_sources if not isinstance(s, CostExportSource)]
    req.project_sources.append(CostExportSource(exports, request_specs, trace_paths or ()))
    return req


@dataclass(frozen=True)
class CostRequest:
    exports: tuple[Path, ...]
    config: Config
    settings: CostSettings
    requests: tuple[str, ...] = ()
    baseline_period: str = ""
    select: tuple[str, ...] = ()
    ignore: tuple[str, ...] = ()
    traces: tuple[Path, ...] = ()  # request volume from these trace files' server spans


@dataclass(frozen=True)
class CostRun:
    result: AuditResult
    dataset: CostDataset
    criteria: tuple[Criterion, ...] = field(default=())


def run_cost(req: CostRequest) -> CostRun:
    started = time.perf_counter()
    ds = load_dataset(req.exports, req.requests, req.settings, req.traces)
    plan = make_plan(cost_checks(), [], [], req.config, select=req.select, ignore=req.ignore)
    ctx = CheckContext(Path.cwd(), req.config, plan.enabled)
    findings: list[Finding] = []
    errors: list[ToolError] = []  # a file that could not be read is not covered (once), not a tool error
    skipped = [Skipped(path, reason) for path, reason in ds.problems]
    facts = Facts([ds])
    for check in plan.project_checks:
        try:
            findings += [f for f in check.check(facts, ctx) if isinstance(f, Finding) and f.rule in plan.enabled]
        except Exception as exc:  # noqa: BLE001 - recorded, the run goes on
            errors.append(
                ToolError(check.name, f"check failed: {type(exc).__name__}: {exc}", stage=Stage.CHECK, fatal=True)
            )
    findings = [override_severity(f, req.config) for f in findings]
    criteria = tuple(baseline_criterion(ds, req.baseline_period)) if req.baseline_period else ()
    result = AuditResult(
        root=", ".join(str(p) for p in req.exports),
        findings=tuple(sorted(findings, key=Finding.sort_key)),
        rules=plan.registry,
        config=req.config,
        errors=tuple(errors),
        skipped=tuple(skipped),
        stats=RunStats(files_scanned=len(ds.files), seconds=round(time.perf_counter() - started, 3)),
        facts_summary={"CostLine": len(ds.lines), "ExportFile": len(ds.files), "RequestCount": len(ds.requests)},
    )
    return CostRun(result, ds, criteria)
