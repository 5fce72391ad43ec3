"""Per-file work: read once, parse with every source that wants the file, run file checks and the
per-module half of module checks.

Runs in worker processes (forked, so the checks need not be pickled) or
inline for small trees. Returns only small, picklable results.
"""

from __future__ import annotations

import gc
import traceback
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field

from redline.checks.interface import Check, CheckContext, FileCheck, ModuleCheck
from redline.core.facts import Deferred, keeps
from redline.core.model import Finding, Skipped, Stage, ToolError
from redline.core.suppress import parse_suppressions
from redline.core.workspace import FileText, SourceFile, UnreadableFile, read_file
from redline.pipeline.bounds import bound_finding
from redline.sources.interface import FileSource, NotCovered, SourceError, parse_guarded


@dataclass
class WorkerState:
    sources: tuple[FileSource, ...]
    checks: tuple[FileCheck, ...]
    ctx: CheckContext
    needs_text: bool  # some file check reads raw text
    module_checks: tuple[ModuleCheck, ...] = ()


@dataclass
class ChunkOutcome:
    facts: list[object] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)
    errors: list[ToolError] = field(default_factory=list)
    skipped: list[Skipped] = field(default_factory=list)
    files: int = 0
    bytes: int = 0
    #: each module check's partial results (by its position in ``WorkerState.module_checks``), in file order
    partials: dict[int, list[object]] = field(default_factory=dict)


_STATE: WorkerState | None = None


def install_state(state: WorkerState | None) -> None:
    """Set before forking (children inherit it), cleared after the pool is done (no run outlives it)."""
    global _STATE
    _STATE = state


@contextmanager
def parsing() -> Iterator[None]:
    """No cyclic garbage collection while files are parsed: a syntax tree is thousands of small objects
    without reference cycles (reference counting frees it), and the facts kept from each file pile up, so
    every collection walked all of them again — on a warm Django audit 2.0 s of a 5.4 s run. What survives
    the parse is moved out of the collector's sight (frozen) before it runs again; otherwise its first
    collection would walk every object allocated meanwhile (``facts_frozen`` unfreezes at the end)."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        gc.freeze()
        if was_enabled:
            gc.enable()


@contextmanager
def facts_frozen() -> Iterator[None]:
    """The file facts (millions of small objects on a large tree) live until the run ends: keep them out of
    the collector while project sources, checks and synthesis run. Otherwise every full collection walks
    them all again — on the Django sdist that was 0.9 s of a 1.0 s entry-point extraction."""
    gc.freeze()
    try:
        yield
    finally:
        gc.unfreeze()


#: one file's work in a chunk: ``process_file`` (the first pass) or ``judge_text`` (the second)
FileStep = Callable[[WorkerState, SourceFile, ChunkOutcome], None]


def _over_chunk(
    step: FileStep, state: WorkerState, files: list[SourceFile], between: Callable[[], None] = lambda: None
) -> ChunkOutcome:
    """``step`` over each file of a chunk, ``between`` after each (the main process: a worker done meanwhile
    gets its next chunk)."""
    out = ChunkOutcome()
    for file in files:
        step(state, file, out)
        between()
    return out


def process_chunk(files: list[SourceFile]) -> ChunkOutcome:
    assert _STATE is not None, "worker state not installed"
    with parsing():
        return _over_chunk(process_file, _STATE, files)


def process_chunk_here(state: WorkerState, files: list[SourceFile], between: Callable[[], None]) -> ChunkOutcome:
    """A chunk the main process takes itself while its workers are busy (``ForkPool.imap``'s ``local``):
    its facts stay where the project checks read them, never encoded, sent and decoded. ``between`` runs
    after each file (a worker done meanwhile gets its next chunk); the caller holds ``parsing()``."""
    return _over_chunk(process_file, state, files, between)


def judge_text_chunk_here(state: WorkerState, files: list[SourceFile], between: Callable[[], None]) -> ChunkOutcome:
    """The second pass over a chunk the main process takes itself (see ``process_chunk_here``)."""
    return _over_chunk(judge_text, state, files, between)


def judge_text_chunk(files: list[SourceFile]) -> ChunkOutcome:
    """The second pass (see ``judge_text``) over a chunk."""
    assert _STATE is not None, "worker state not installed"
    return _over_chunk(judge_text, _STATE, files)


def judge_text(state: WorkerState, file: SourceFile, out: ChunkOutcome) -> None:
    """The file checks whose preparation ran while the first pass parsed (``Check.prepare_later``), over
    the file's text read again. A file that cannot be read is reported as the first pass did (the run
    keeps one of each report)."""
    try:
        text = read_file(file)
    except UnreadableFile as exc:
        _unreadable(file, exc, out)
        return
    _judge(state, [text], file.path, out)


def _unreadable(file: SourceFile, exc: UnreadableFile, out: ChunkOutcome) -> None:
    reason = str(exc)
    out.skipped.append(Skipped(file.path, reason))
    if not reason.startswith("binary"):
        out.errors.append(ToolError(file.path, reason, stage=Stage.READ, fatal=True))


def process_file(state: WorkerState, file: SourceFile, out: ChunkOutcome) -> None:
    sources = [s for s in state.sources if s.wants(file)]
    try:
        text = read_file(file)
    except UnreadableFile as exc:
        _unreadable(file, exc, out)
        return
    out.files += 1
    out.bytes += len(text.data)
    if text.decode_error:
        out.errors.append(ToolError(file.path, text.decode_error, stage=Stage.DECODE))
    supp = parse_suppressions(file.path, text.text)
    if supp is not None:
        out.facts.append(supp)
    facts: list[object] = [text] if state.needs_text else []
    facts += _parse(sources, text, out)
    for fact in facts:
        if keeps(fact) and not isinstance(fact, FileText):
            out.facts.append(fact)
    _judge(state, _opened(state, facts), file.path, out)


def _parse(sources: list[FileSource], text: FileText, out: ChunkOutcome) -> list[object]:
    """The facts every wanting source makes of the file; a source that fails is a tool error."""
    facts: list[object] = []
    path = text.file.path
    for source in sources:
        try:
            fact = parse_guarded(source, text)
        except NotCovered as exc:
            out.skipped.append(Skipped(path, f"{source.name}: {exc}"))
            continue
        except SourceError as exc:
            out.errors.append(ToolError(path, f"{source.name}: {exc}", stage=Stage.PARSE))
            continue
        except Exception as exc:  # noqa: BLE001 - a bug in one source must not stop the run
            out.errors.append(
                ToolError(path, f"source {source.name} failed: {_describe(exc)}", stage=Stage.SOURCE, fatal=True)
            )
            continue
        if fact is not None:
            facts.append(fact)
    return facts


def _opened(state: WorkerState, facts: list[object]) -> list[object]:
    """The facts the checks judge: a deferred one (sent on undecoded) decoded when a file check takes its kind or
    a module check reads the module, left out otherwise — and left out when it cannot be decoded: it is sent on
    all the same, and the main process, decoding it again, lists the file as not covered and says why."""
    if not any(isinstance(fact, Deferred) for fact in facts):
        return facts
    opened: list[object] = []
    for fact in facts:
        if not isinstance(fact, Deferred):
            opened.append(fact)
        elif _read(state, fact):
            with suppress(ValueError):
                opened.append(fact.decoded())
    return opened


def _read(state: WorkerState, deferred: Deferred) -> bool:
    kind = deferred.STANDS_FOR
    return any(issubclass(kind, check.fact_types) for check in state.checks) or any(
        issubclass(kind, check.fact_types) and check.reads(deferred) for check in state.module_checks
    )


def _judge(state: WorkerState, facts: list[object], path: str, out: ChunkOutcome) -> None:
    """Every file check, and the per-module half of every module check, over the facts of its types; a check
    that fails on one fact is a tool error for this file (its other facts are still judged)."""
    ctx = state.ctx
    for check in state.checks:
        for fact in _of_types(facts, check.fact_types):
            with _failure_noted(check, path, out):
                out.findings.extend(bound_finding(f) for f in check.check_file(fact, ctx) if f.rule in ctx.enabled)
    for position, module_check in enumerate(state.module_checks):
        for fact in _of_types(facts, module_check.fact_types):
            with _failure_noted(module_check, path, out):
                if partials := list(module_check.check_module(fact, ctx)):
                    out.partials.setdefault(position, []).extend(partials)


def _of_types(facts: list[object], types: tuple[type, ...]) -> Iterator[object]:
    return (fact for fact in facts if isinstance(fact, types))


@contextmanager
def _failure_noted(check: Check, path: str, out: ChunkOutcome) -> Iterator[None]:
    """A check failing inside is recorded as a tool error of ``path``; the run goes on."""
    try:
        yield
    except Exception as exc:  # noqa: BLE001 - recorded as a tool error, the run goes on
        out.errors.append(
            ToolError(path, f"check {check.name} failed: {_describe(exc)}", stage=Stage.CHECK, fatal=True)
        )


def _describe(exc: BaseException) -> str:
    frame = traceback.extract_tb(exc.__traceback__)[-1] if exc.__traceback__ else None
    where = f" at {frame.filename.rsplit('/', 1)[-1]}:{frame.lineno}" if frame else ""
    return f"{type(exc).__name__}: {exc}{where}"
