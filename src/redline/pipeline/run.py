"""The audit pipeline: walk → file sources + file checks (parallel) → project
sources → project checks → suppressions and overrides → synthesis."""

from __future__ import annotations

import contextlib
import gc
import logging
import os
import threading
import time
from collections.abc import Callable, Container, Iterable, Iterator
from dataclasses import dataclass, field, replace
from functools import partial
from pathlib import Path
from typing import Any

from redline.checks.interface import Check, CheckContext, CheckError, FileCheck
from redline.core.config import Config
from redline.core.facts import Deferred, Facts
from redline.core.interrupts import for_the_main_thread_only
from redline.core.model import Finding, Skipped, Stage, ToolError
from redline.core.result import AuditResult, RunStats
from redline.core.suppress import FileSuppressions
from redline.core.workspace import FileText, SourceFile, Workspace
from redline.pipeline.bounds import bound_error, bound_finding, bound_skipped
from redline.pipeline.coverage import not_covered_from_errors
from redline.pipeline.judging import Judge, judge_all
from redline.pipeline.lifetime import keep
from redline.pipeline.plan import RunPlan, make_plan
from redline.pipeline.project_sources import EarlySources, Noted, collect_project_facts
from redline.pipeline.worker import (
    ChunkOutcome,
    WorkerState,
    facts_frozen,
    install_state,
    judge_text_chunk,
    judge_text_chunk_here,
    parsing,
    process_chunk,
    process_chunk_here,
    process_file,
)
from redline.sources.interface import FileSource, ProjectContext, ProjectSource
from redline.synthesis.interface import Inventory, SynthesisOutput, SynthesisStep

log = logging.getLogger("redline")

#: below this much estimated work (bytes, parsed kinds weighted) a process pool costs more than it saves
PARALLEL_MIN_COST = 4 * 1024 * 1024
#: the smallest chunk, as a share of the whole work per worker: the last chunks are this small, so the
#: process that finishes first waits at most this long for the other; large enough that sending a chunk
#: costs little beside parsing it (at 1/48 the main process still waited 0.1-0.3 s on the warm Django audit)
CHUNKS_PER_WORKER = 96
CHUNK_FILES = 400
#: parsing a Python module into a syntax tree costs about this many times a plain text scan per byte
PARSE_WEIGHT = {"python": 8}


class Progress:
    """Silent progress; the CLI passes a rich one on a terminal."""

    def stage(self, name: str, total: int | None = None) -> None: ...

    def advance(self, n: int = 1) -> None: ...

    def done(self) -> None: ...


@dataclass
class AuditRequest:
    root: Path
    config: Config
    checks: list[Check]
    file_sources: list[FileSource]
    project_sources: list[ProjectSource] = field(default_factory=list)
    steps: list[SynthesisStep] = field(default_factory=list)
    select: tuple[str, ...] = ()
    ignore: tuple[str, ...] = ()
    baseline: frozenset[str] = frozenset()
    options: dict[str, Any] = field(default_factory=dict)
    include_ignored: bool = False
    extra_errors: list[ToolError] = field(default_factory=list)
    #: only these files (relative to root), not the whole tree: the staged files of a pre-commit hook
    only: tuple[str, ...] | None = None
    #: what the caller will load after the run (its report writers' ``ready``), loaded ahead like the steps'
    ahead: tuple[Callable[[], None], ...] = ()


def route(
    item: Finding | Skipped | ToolError,
    enabled: Container[str],
    findings: list[Finding],
    skipped: list[Skipped],
    errors: list[ToolError],
) -> None:
    """A project check's output: a finding of an enabled rule, an input not covered, or a notice
    (a non-fatal ``ToolError``: what the check could not vouch for)."""
    if isinstance(item, Skipped):
        skipped.append(item)
    elif isinstance(item, ToolError):
        errors.append(item)
    elif item.rule in enabled:
        findings.append(item)


def run_audit(req: AuditRequest, progress: Progress | None = None) -> AuditResult:
    progress = progress or Progress()
    started = time.perf_counter()
    plan = make_plan(
        req.checks,
        req.file_sources,
        req.project_sources,
        req.config,
        select=req.select,
        ignore=req.ignore,
        step_fact_types=[t for step in req.steps for t in step.fact_types],
    )
    ctx = CheckContext(req.root.resolve(), req.config, plan.enabled, dict(req.options), rules=plan.registry)
    plan, prepare_errors = _prepare(plan, ctx)

    progress.stage("walking the tree")
    workspace = Workspace(
        req.root,
        exclude=req.config.exclude,
        max_file_size=req.config.max_file_size,
        max_lockfile_size=req.config.max_lockfile_size,
        honour_gitignore=not req.include_ignored,
    )
    walk = workspace.walk() if req.only is None else workspace.named(req.only)
    errors: list[ToolError] = [*req.extra_errors, *prepare_errors]
    skipped: list[Skipped] = list(walk.skipped)

    state = WorkerState(
        plan.file_sources,
        plan.file_checks,
        ctx,
        needs_text=any(FileText in c.fact_types for c in plan.file_checks),
        module_checks=plan.module_checks,
    )
    wanted = [f for f in walk.files if state.needs_text or any(s.wants(f) for s in plan.file_sources)]
    progress.stage("reading and parsing", total=len(wanted))
    late = [(c, work) for c in plan.file_checks if (work := c.prepare_later(ctx)) is not None]
    project_ctx = ProjectContext(ctx.root, req.config, tuple(walk.files))
    early = EarlySources(plan, project_ctx)
    ahead: list[Callable[[], None]] = [early.collect, *(partial(step.ready, ctx) for step in req.steps), *req.ahead]
    outcome, workers = _process_files(state, wanted, req.config.jobs, progress, late=late, ahead=ahead)
    errors += outcome.errors
    skipped += outcome.skipped
    facts = Facts(outcome.facts)
    findings = list(outcome.findings)

    project_ctx = replace(project_ctx, facts=facts)
    noted = Noted(errors, skipped)
    with facts_frozen():
        collect_project_facts(plan, project_ctx, noted, early=early, stage=progress.stage)
        findings += _check_project(plan, facts, outcome.partials, ctx, workers, noted=noted, progress=progress)
        findings, supp_errors = _apply_suppressions(findings, facts.of(FileSuppressions))
        errors += supp_errors
        findings = [override_severity(f, req.config) for f in findings]
        synthesis = _synthesise(req.steps, facts, findings, ctx, noted=noted, progress=progress)
    findings = synthesis.findings
    progress.done()
    skipped += not_covered_from_errors(errors, skipped)
    findings = [bound_finding(f) for f in findings]
    errors = [bound_error(e) for e in errors]
    skipped = [bound_skipped(s) for s in skipped]

    result = AuditResult(
        root=str(req.root),
        findings=tuple(sorted(_dedupe(findings), key=Finding.sort_key)),
        rules=plan.registry,
        config=req.config,
        errors=tuple(sorted(set(errors), key=lambda e: (e.where, e.stage, e.reason))),
        skipped=tuple(sorted(set(skipped), key=lambda s: (s.path, s.reason))),
        stats=RunStats(outcome.files, outcome.bytes, round(time.perf_counter() - started, 3), workers),
        baseline=req.baseline,
        facts_summary=facts.counts(),
        **synthesis.inventory.as_fields(),
    )
    keep(outcome, facts, project_ctx, synthesis, state, walk, plan, ctx, result)  # the CLI exits without freeing
    return result


@dataclass
class _Synthesis:
    findings: list[Finding]
    #: what the steps so far produced, for the next step to build on and for the result
    inventory: Inventory = field(default_factory=Inventory)


def _check_project(
    plan: RunPlan,
    facts: Facts,
    partials: dict[int, list[object]],
    ctx: CheckContext,
    workers: int,
    *,
    noted: Noted,
    progress: Progress,
) -> list[Finding]:
    """Each project check over all facts, then each module check's ``finish`` over the partials its per-module
    half left in every worker, on as many processes as the file phase used; a check that fails is recorded and
    the run goes on."""
    judges = [Judge(check, partial(check.check, facts, ctx), check.fact_types) for check in plan.project_checks]
    judges += [
        Judge(check, partial(check.finish, partials.get(position, []), facts, ctx), check.project_fact_types)
        for position, check in enumerate(plan.module_checks)
    ]
    progress.stage("checking the project", total=len(judges))
    findings: list[Finding] = []
    for items in judge_all(judges, workers):
        for item in items:
            route(item, plan.enabled, findings, noted.skipped, noted.errors)
        progress.advance()
    return findings


def _synthesise(
    steps: list[SynthesisStep],
    facts: Facts,
    findings: list[Finding],
    ctx: CheckContext,
    *,
    noted: Noted,
    progress: Progress,
) -> _Synthesis:
    """The synthesis steps in order; each sees the findings the previous one left."""
    out = _Synthesis(findings)
    for step in steps:
        progress.stage(step.name)
        try:
            result = step.run_after(facts, out.findings, ctx, SynthesisOutput(**out.inventory.as_fields()))
        except Exception as exc:  # noqa: BLE001
            noted.errors.append(
                ToolError(
                    step.name, f"synthesis failed: {type(exc).__name__}: {exc}", stage=Stage.SYNTHESIS, fatal=True
                )
            )
            continue
        out.inventory.update(result)
        noted.skipped.extend(result.skipped)
        noted.errors.extend(result.errors)
        if result.findings is not None:
            out.findings = result.findings
    return out


def _prepare(plan: RunPlan, ctx: CheckContext) -> tuple[RunPlan, list[ToolError]]:
    """Each active check's ``prepare()``, once, before any worker forks. A check that cannot run is left
    out of the run; checks failing for one reason (a bad ``[secrets]`` table) make one error."""
    failed: dict[str, list[str]] = {}
    dropped: set[int] = set()
    for check in (*plan.file_checks, *plan.project_checks, *plan.module_checks):
        try:
            check.prepare(ctx)
        except Exception as exc:  # noqa: BLE001 - recorded, the run goes on without the check
            failed.setdefault(_not_run_reason(exc), []).append(check.name)
            dropped.add(id(check))
    errors = [
        ToolError(", ".join(names), f"check not run: {reason}", stage=Stage.CHECK, fatal=True)
        for reason, names in failed.items()
    ]
    return replace(
        plan,
        file_checks=tuple(c for c in plan.file_checks if id(c) not in dropped),
        project_checks=tuple(c for c in plan.project_checks if id(c) not in dropped),
        module_checks=tuple(c for c in plan.module_checks if id(c) not in dropped),
    ), errors


def _not_run_reason(exc: Exception) -> str:
    """Why a check's (late) preparation left it out: a ``CheckError`` says it itself, anything else is named."""
    return str(exc) if isinstance(exc, CheckError) else f"{type(exc).__name__}: {exc}"


#: a file check and the preparation it left for later (``Check.prepare_later``)
LateWork = tuple[FileCheck, Callable[[], None]]


def _process_files(
    state: WorkerState,
    files: list[SourceFile],
    jobs: int,
    progress: Progress,
    *,
    late: list[LateWork],
    ahead: list[Callable[[], None]],
) -> tuple[ChunkOutcome, int]:
    total = ChunkOutcome()
    workers = jobs or os.cpu_count() or 1
    costs = [_cost(f) for f in files]
    if workers <= 1 or sum(costs) < PARALLEL_MIN_COST or not hasattr(os, "fork"):
        state = _without(state, _prepared(late, total))  # no pool to overlap with: prepared first
        with parsing():
            for file in files:
                process_file(state, file, total)
                progress.advance()
        return total, 1
    from redline.pipeline.pool import worker_pool  # noqa: PLC0415 - multiprocessing only when a pool runs

    chunks = list(_chunks(files, costs, workers))
    first = _without(state, {id(c) for c, _ in late})
    install_state(first)
    gc.freeze()  # what the workers inherit stays out of their collections (and their pages stay shared)
    try:
        # the main process is one of the ``workers``: it takes a chunk itself whenever the forked ones are busy
        with parsing(), worker_pool(workers - 1, process_chunk) as pool:  # what they send back piles up here
            preparing = _Preparing(late, total, ahead)  # started after the fork: no worker inherits the thread
            here = partial(process_chunk_here, first)
            for chunk, out in zip(chunks, pool.imap(chunks, here), strict=True):
                _merge(total, out)
                progress.advance(len(chunk))
            failed = preparing.join()
        second = replace(state, sources=(), checks=tuple(c for c, _ in late if id(c) not in failed), module_checks=())
        if second.checks:  # the checks prepared meanwhile, over the text again, in a pool forked now (inheriting it)
            progress.stage("scanning text", total=len(files))
            install_state(second)
            with worker_pool(workers - 1, judge_text_chunk) as pool:
                for chunk, out in zip(chunks, pool.imap(chunks, partial(judge_text_chunk_here, second)), strict=True):
                    _merge(total, out)
                    progress.advance(len(chunk))
    finally:
        install_state(None)
    return total, workers


def _without(state: WorkerState, dropped: set[int]) -> WorkerState:
    return replace(state, checks=tuple(c for c in state.checks if id(c) not in dropped))


def _prepared(late: list[LateWork], into: ChunkOutcome) -> set[int]:
    """Each late preparation now; the checks whose preparation failed (each reported), by ``id``."""
    failed: set[int] = set()
    for check, work in late:
        try:
            work()
        except Exception as exc:  # noqa: BLE001 - recorded, the run goes on without the check
            into.errors.append(
                ToolError(check.name, f"check not run: {_not_run_reason(exc)}", stage=Stage.CHECK, fatal=True)
            )
            failed.add(id(check))
    return failed


class _Preparing:
    """The late preparations in a thread of the main process while the workers parse (Hyperscan's compile
    releases the GIL; the main process otherwise mostly waits on the workers' pipes), then what only the main
    process reads or loads after the file phase (``ahead``: the project sources that read no facts, the SBOM's
    cyclonedx, the page template, 0.15 s of a warm Django audit that was serial), so that the forked worker takes
    more chunks meanwhile. With one process nothing is done ahead: each is done when it is needed."""

    def __init__(self, late: list[LateWork], into: ChunkOutcome, ahead: list[Callable[[], None]]) -> None:
        self._failed: set[int] = set()
        self._errors = ChunkOutcome()
        self._into = into
        self._thread: threading.Thread | None = None
        if late or ahead:
            self._thread = threading.Thread(target=self._run, args=(late, ahead), name="redline-prepare", daemon=True)
            self._thread.start()

    def _run(self, late: list[LateWork], ahead: list[Callable[[], None]]) -> None:
        for_the_main_thread_only()
        self._failed = _prepared(late, self._errors)
        for load in ahead:
            with contextlib.suppress(Exception):  # loaded again where it is used, and a failure reported there
                load()

    def join(self) -> set[int]:
        if self._thread is not None:
            self._thread.join()
        self._into.errors += self._errors.errors
        return self._failed


def _cost(file: SourceFile) -> int:
    """Estimated work for one file: its size, weighted by how much parsing its kind costs."""
    return file.size * PARSE_WEIGHT.get(file.kind, 1) + 1024  # reading any file has a fixed cost too


def _chunks(files: list[SourceFile], costs: list[int], workers: int) -> Iterator[list[SourceFile]]:
    """Consecutive runs of files (the walk's order is kept, so facts come back in the same order whatever the
    number of workers), large first and smaller towards the end: each takes half a worker's share of the work
    left (guided scheduling), down to 1/``CHUNKS_PER_WORKER`` of a worker's share of the whole. Equal chunks
    left one process waiting for the other's last one (0.11 s of a 3.5 s warm Django audit)."""
    left = sum(costs)
    floor = max(1, left // (workers * CHUNKS_PER_WORKER))
    chunk: list[SourceFile] = []
    spent = 0
    for f, cost in zip(files, costs, strict=True):
        chunk.append(f)
        spent += cost
        if spent >= max(floor, left // (2 * workers)) or len(chunk) >= CHUNK_FILES:
            yield chunk
            left -= spent
            chunk, spent = [], 0
    if chunk:
        yield chunk


def _merge(into: ChunkOutcome, out: ChunkOutcome) -> None:
    into.facts += out.facts if not any(isinstance(fact, Deferred) for fact in out.facts) else _decoded(out)
    into.findings += out.findings
    into.errors += out.errors
    into.skipped += out.skipped
    into.files += out.files
    into.bytes += out.bytes
    for position, partials in out.partials.items():
        into.partials.setdefault(position, []).extend(partials)


def _decoded(out: ChunkOutcome) -> list[object]:
    """A worker's facts, each it sent undecoded (``Deferred``) decoded; one that cannot be is not covered."""
    facts: list[object] = []
    for fact in out.facts:
        if not isinstance(fact, Deferred):
            facts.append(fact)
            continue
        try:
            facts.append(fact.decoded())
        except ValueError as exc:
            out.skipped.append(Skipped(fact.path, str(exc)))
    return facts


def _apply_suppressions(
    findings: list[Finding], suppressions: Iterable[FileSuppressions]
) -> tuple[list[Finding], list[ToolError]]:
    by_path = {s.path: s for s in suppressions}
    errors = [
        ToolError(f"{s.path}:{line}", "suppression comment without a reason is not honoured", stage=Stage.SUPPRESSION)
        for s in by_path.values()
        for line in s.missing_reason
    ]
    out: list[Finding] = []
    for finding in findings:
        supp = by_path.get(finding.location.path)
        loc = finding.location
        reason = (
            next((item.reason for item in supp.items if item.covers(finding.rule, loc.start_line, loc.end_line)), None)
            if supp is not None
            else None
        )
        out.append(finding if reason is None else replace(finding, suppressed=reason))
    return out, errors


def override_severity(finding: Finding, config: Config) -> Finding:
    """The finding with the severity ``[severity]`` sets for its rule, if any."""
    sev = config.severity_overrides.get(finding.rule)
    return replace(finding, severity=sev) if sev is not None and sev != finding.severity else finding


def _dedupe(findings: Iterable[Finding]) -> list[Finding]:
    seen: dict[tuple[str, int, int, str], Finding] = {}
    for f in findings:
        key = (f.fingerprint, f.location.start_line, f.location.start_column, f.message)
        seen.setdefault(key, f)
    return list(seen.values())
