"""``redline audit`` with traces: ``[traces] paths`` (or ``--traces``) read into the span store fact."""

from __future__ import annotations

from redline.core.model import Skipped
from redline.sources.interface import ProjectContext, ProjectOutput, ProjectSource, empty_output
from redline.sources.traces.settings import TRACES_SECTION
from redline.sources.traces.store import SpanStore, ingest


class TraceSource(ProjectSource):
    name = "traces"
    produces = SpanStore

    def collect(self, ctx: ProjectContext) -> ProjectOutput:
        paths = ctx.config.settings(TRACES_SECTION).paths
        if not paths:
            return empty_output()
        store = ingest([ctx.root / p for p in paths])
        return ProjectOutput([store], [], [Skipped(p.path, p.reason) for p in store.problems])
