"""The audit pipeline: walk → file sources + file checks (parallel) → project
sources → project checks → suppressions and overrides → synthesis."""

from __future__ import annotations

import logging
import multiprocessing
import os
import time
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from redline.checks.interface import Check, CheckContext
from redline.core.config import Config
from redline.core.facts import Facts
from redline.core.model import Finding, Skipped, ToolError
from redline.core.result import AuditResult, RunStats
from redline.core.suppress import FileSuppressions
from redline.core.workspace import FileText, SourceFile, Workspace
from redline.pipeline.bounds import bound_error, bound_finding, bound_skipped
from redline.pipeline.coverage import not_covered_from_errors
from redline.pipeline.plan import make_plan
from redline.pipeline.pool import worker_pool
from redline.pipeline.worker import ChunkOutcome, WorkerState, install_state, process_chunk, process_file
from redline.sources.interface import FileSource, ProjectContext, ProjectSource
from redline.synthesis.interface import SynthesisStep

log = logging.getLogger("redline")

#: below this many bytes a process pool costs more than it saves
PARALLEL_MIN_BYTES = 4 * 1024 * 1024
CHUNK_BYTES = 2 * 1024 * 1024
CHUNK_FILES = 400


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


def run_audit(req: AuditRequest, progress: Progress | None = None) -> AuditResult:
    progress = progress or Progress()
    started = time.perf_counter()
    plan = make_plan(req.checks, req.file_sources, req.project_sources, req.config,
                     select=req.select, ignore=req.ignore)
    ctx = CheckContext(req.root.resolve(), req.config, plan.enabled, dict(req.options))

    progress.stage("walking the tree")
    walk = Workspace(req.root, exclude=req.config.exclude, max_file_size=req.config.max_file_size,
                     max_lockfile_size=req.config.max_lockfile_size,
                     honour_gitignore=not req.include_ignored).walk()
    errors: list[ToolError] = list(req.extra_errors)
    skipped: list[Skipped] = list(walk.skipped)

    state = WorkerState(plan.file_sources, plan.file_checks, ctx,
                        needs_text=any(FileText in c.fact_types for c in plan.file_checks))
    wanted = [f for f in walk.files if state.needs_text or any(s.wants(f) for s in plan.file_sources)]
    progress.stage("reading and parsing", total=len(wanted))
    outcome, workers = _process_files(state, wanted, req.config.jobs, progress)
    errors += outcome.errors
    skipped += outcome.skipped
    facts = Facts(outcome.facts)
    findings = list(outcome.findings)

    project_ctx = ProjectContext(ctx.root, req.config, tuple(walk.files))
    for source in plan.project_sources:
        progress.stage(f"reading {source.name}")
        try:
            out = source.collect(project_ctx)
        except Exception as exc:  # noqa: BLE001 - recorded, the run goes on
            errors.append(ToolError(source.name, f"source failed: {type(exc).__name__}: {exc}",
                                    stage="source", fatal=True))
            continue
        facts.extend(out.facts)
        errors += out.errors
        skipped += out.skipped

    for check in plan.project_checks:
        progress.stage(f"checking {check.name}")
        try:
            for item in check.check(facts, ctx):
                if isinstance(item, Skipped):
                    skipped.append(item)
                elif item.rule in plan.enabled:
                    findings.append(item)
        except Exception as exc:  # noqa: BLE001 - recorded, the run goes on
            errors.append(ToolError(check.name, f"check failed: {type(exc).__name__}: {exc}",
                                    stage="check", fatal=True))

    findings, supp_errors = _apply_suppressions(findings, facts.of(FileSuppressions))
    errors += supp_errors
    findings = [_override(f, req.config) for f in findings]

    extras: dict[str, Any] = {}
    for step in req.steps:
        progress.stage(step.name)
        try:
            result = step.run(facts, findings, ctx)
        except Exception as exc:  # noqa: BLE001
            errors.append(ToolError(step.name, f"synthesis failed: {type(exc).__name__}: {exc}",
                                    stage="synthesis", fatal=True))
            continue
        extras.update(result.extras)
        skipped += result.skipped
        if result.findings is not None:
            findings = result.findings
    progress.done()
    skipped += not_covered_from_errors(errors, skipped)
    findings = [bound_finding(f) for f in findings]
    errors = [bound_error(e) for e in errors]
    skipped = [bound_skipped(s) for s in skipped]

    return AuditResult(
        root=str(req.root),
        findings=tuple(sorted(_dedupe(findings), key=Finding.sort_key)),
        rules=plan.registry,
        config=req.config,
        errors=tuple(sorted(set(errors), key=lambda e: (e.where, e.stage, e.reason))),
        skipped=tuple(sorted(set(skipped), key=lambda s: (s.path, s.reason))),
        stats=RunStats(outcome.files, outcome.bytes, round(time.perf_counter() - started, 3), workers),
        baseline=req.baseline,
        facts_summary=facts.counts(),
        extras=extras,
    )


def _process_files(state: WorkerState, files: list[SourceFile], jobs: int,
                   progress: Progress) -> tuple[ChunkOutcome, int]:
    total = ChunkOutcome()
    workers = jobs or os.cpu_count() or 1
    size = sum(f.size for f in files)
    if workers <= 1 or size < PARALLEL_MIN_BYTES or "fork" not in multiprocessing.get_all_start_methods():
        for file in files:
            process_file(state, file, total)
            progress.advance()
        return total, 1
    install_state(state)
    chunks = list(_chunks(files))
    with worker_pool(workers, process_chunk) as pool:
        for chunk, out in zip(chunks, pool.imap(chunks), strict=True):
            _merge(total, out)
            progress.advance(len(chunk))
    return total, workers


def _chunks(files: list[SourceFile]) -> Iterator[list[SourceFile]]:
    chunk: list[SourceFile] = []
    size = 0
    for f in files:
        chunk.append(f)
        size += f.size
        if size >= CHUNK_BYTES or len(chunk) >= CHUNK_FILES:
            yield chunk
            chunk, size = [], 0
    if chunk:
        yield chunk


def _merge(into: ChunkOutcome, out: ChunkOutcome) -> None:
    into.facts += out.facts
    into.findings += out.findings
    into.errors += out.errors
    into.skipped += out.skipped
    into.files += out.files
    into.bytes += out.bytes


def _apply_suppressions(findings: list[Finding],
                        suppressions: Iterable[FileSuppressions]) -> tuple[list[Finding], list[ToolError]]:
    by_path = {s.path: s for s in suppressions}
    errors = [ToolError(f"{s.path}:{line}", "suppression comment without a reason is not honoured",
                        stage="suppression")
              for s in by_path.values() for line in s.missing_reason]
    out: list[Finding] = []
    for finding in findings:
        supp = by_path.get(finding.location.path)
        loc = finding.location
        reason = next((item.reason for item in supp.items if item.covers(finding.rule, loc.start_line, loc.end_line)),
                      None) if supp is not None else None
        out.append(finding if reason is None else replace(finding, suppressed=reason))
    return out, errors


def _override(finding: Finding, config: Config) -> Finding:
    sev = config.severity_overrides.get(finding.rule)
    return replace(finding, severity=sev) if sev is not None and sev != finding.severity else finding


def _dedupe(findings: Iterable[Finding]) -> list[Finding]:
    seen: dict[tuple[str, int, int, str], Finding] = {}
    for f in findings:
        key = (f.fingerprint, f.location.start_line, f.location.start_column, f.message)
        seen.setdefault(key, f)
    return list(seen.values())


