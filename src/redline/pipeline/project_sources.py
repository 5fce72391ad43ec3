"""The project sources of a run, each once, in the plan's order (derived facts after what they derive from).

A source that derives nothing from the file facts (``needs`` empty: the lockfiles no parser reads, the licences
declared, CODEOWNERS, the end-of-life data, a database's catalogue) reads only the walk's paths and the disk, so
with a worker pool it is read while the workers parse (``EarlySources``, in the main process's preparation thread):
on the warm Django audit those were 0.05 s that both processes otherwise waited through after the file phase. It is
handed no facts in either mode, so what it reads cannot depend on when it ran."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, replace

from redline.core.facts import Facts
from redline.core.model import Skipped, Stage, ToolError
from redline.pipeline.plan import RunPlan
from redline.sources.interface import ProjectContext, ProjectOutput, ProjectSource


@dataclass
class Noted:
    """What the run could not do or cover, gathered along the way."""

    errors: list[ToolError]
    skipped: list[Skipped]


def _reads_no_facts(source: ProjectSource) -> bool:
    return not source.needs


def _handed(source: ProjectSource, ctx: ProjectContext) -> ProjectContext:
    """The context a source is handed: without the facts when it derives nothing from them (in either mode)."""
    return replace(ctx, facts=Facts()) if _reads_no_facts(source) else ctx


@dataclass
class EarlySources:
    """The plan's sources that read no facts, collected ahead (``collect``) by whoever has time: their outputs,
    by position in the plan, for ``collect_project_facts`` to take instead of reading them again."""

    plan: RunPlan
    ctx: ProjectContext
    outputs: dict[int, ProjectOutput | ToolError] = field(default_factory=dict)

    def collect(self) -> None:
        for position, source in enumerate(self.plan.project_sources):
            if _reads_no_facts(source):
                self.outputs[position] = _collected(source, _handed(source, self.ctx))


def collect_project_facts(
    plan: RunPlan,
    ctx: ProjectContext,
    noted: Noted,
    *,
    early: EarlySources | None = None,
    stage: Callable[[str], None] = lambda _name: None,
) -> None:
    """Each project source once, in the plan's order, its facts added to ``ctx.facts``; what was collected ahead
    is taken as it was. ``stage`` is told each source read now (the progress line)."""
    ahead = early.outputs if early is not None else {}
    for position, source in enumerate(plan.project_sources):
        out = ahead.get(position)
        if out is None:
            stage(f"reading {source.name}")
            out = _collected(source, _handed(source, ctx))
        if isinstance(out, ToolError):
            noted.errors.append(out)
            continue
        ctx.facts.extend(out.facts)
        noted.errors.extend(out.errors)
        noted.skipped.extend(out.skipped)


def _collected(source: ProjectSource, ctx: ProjectContext) -> ProjectOutput | ToolError:
    """The source's output, or the error it failed with (recorded; the run goes on)."""
    try:
        return source.collect(ctx)
    except Exception as exc:  # noqa: BLE001 - recorded, the run goes on
        return ToolError(source.name, f"source failed: {type(exc).__name__}: {exc}", stage=Stage.SOURCE, fatal=True)
