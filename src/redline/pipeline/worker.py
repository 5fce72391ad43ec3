"""Per-file work: read once, parse with every source that wants the file, run file checks.

Runs in worker processes (forked, so the checks need not be pickled) or
inline for small trees. Returns only small, picklable results.
"""

from __future__ import annotations

import traceback
from dataclasses import dataclass, field

from redline.checks.interface import CheckContext, FileCheck
from redline.core.facts import keeps
from redline.core.model import Finding, Skipped, ToolError
from redline.core.suppress import parse_suppressions
from redline.core.workspace import FileText, SourceFile, UnreadableFile, read_file
from redline.pipeline.bounds import bound_finding
from redline.sources.interface import FileSource, SourceError, parse_guarded


@dataclass
class WorkerState:
    sources: tuple[FileSource, ...]
    checks: tuple[FileCheck, ...]
    ctx: CheckContext
    needs_text: bool  # some file check reads raw text


@dataclass
class ChunkOutcome:
    facts: list[object] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)
    errors: list[ToolError] = field(default_factory=list)
    skipped: list[Skipped] = field(default_factory=list)
    files: int = 0
    bytes: int = 0


_STATE: WorkerState | None = None


def install_state(state: WorkerState) -> None:
    """Set before forking; children inherit it."""
    global _STATE
    _STATE = state


def process_chunk(files: list[SourceFile]) -> ChunkOutcome:
    assert _STATE is not None, "worker state not installed"
    out = ChunkOutcome()
    for file in files:
        process_file(_STATE, file, out)
    return out


def process_file(state: WorkerState, file: SourceFile, out: ChunkOutcome) -> None:
    sources = [s for s in state.sources if s.wants(file)]
    try:
        text = read_file(file)
    except UnreadableFile as exc:
        reason = str(exc)
        out.skipped.append(Skipped(file.path, reason))
        if not reason.startswith("binary"):
            out.errors.append(ToolError(file.path, reason, stage="read", fatal=True))
        return
    out.files += 1
    out.bytes += len(text.data)
    if text.decode_error:
        out.errors.append(ToolError(file.path, text.decode_error, stage="decode"))
    supp = parse_suppressions(file.path, text.text)
    if supp is not None:
        out.facts.append(supp)
    facts: list[object] = [text] if state.needs_text else []
    for source in sources:
        try:
            fact = parse_guarded(source, text)
        except SourceError as exc:
            out.errors.append(ToolError(file.path, f"{source.name}: {exc}", stage="parse"))
            continue
        except Exception as exc:  # noqa: BLE001 - a bug in one source must not stop the run
            out.errors.append(ToolError(file.path, f"source {source.name} failed: {_describe(exc)}",
                                        stage="source", fatal=True))
            continue
        if fact is not None:
            facts.append(fact)
    for fact in facts:
        if keeps(fact) and not isinstance(fact, FileText):
            out.facts.append(fact)
    for check in state.checks:
        for fact in facts:
            if not isinstance(fact, check.fact_types):
                continue
            try:
                out.findings.extend(bound_finding(f) for f in check.check_file(fact, state.ctx)
                                    if f.rule in state.ctx.enabled)
            except Exception as exc:  # noqa: BLE001 - recorded as a tool error, the run goes on
                out.errors.append(ToolError(file.path, f"check {check.name} failed: {_describe(exc)}",
                                            stage="check", fatal=True))


def _describe(exc: BaseException) -> str:
    frame = traceback.extract_tb(exc.__traceback__)[-1] if exc.__traceback__ else None
    where = f" at {frame.filename.rsplit('/', 1)[-1]}:{frame.lineno}" if frame else ""
    return f"{type(exc).__name__}: {exc}{where}"
