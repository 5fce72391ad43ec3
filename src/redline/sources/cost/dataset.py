"""Build the cost dataset: every export through DuckDB, every requests file streamed.

A file that cannot be read is a problem (file, reason) and is left out; the others are still read.
"""

from __future__ import annotations

import tempfile
from collections.abc import Sequence
from pathlib import Path

from redline.core.config import ConfigError
from redline.core.model import Skipped, Stage, ToolError
from redline.sources.cost import engine
from redline.sources.cost.model import CostDataset, ExportFile, RequestCount
from redline.sources.cost.requests import RequestsError, parse_spec, read_requests
from redline.sources.cost.settings import CostSettings, cost_settings
from redline.sources.interface import ProjectContext, ProjectOutput, ProjectSource
from redline.sources.traces.store import SpanStore


def load_dataset(
    exports: Sequence[Path],
    request_specs: Sequence[str],
    settings: CostSettings,
    trace_paths: Sequence[Path] = (),
    spans: SpanStore | None = None,
) -> CostDataset:
    """``spans``: the span store already read from ``trace_paths`` (the audit's), else they are read here."""
    paths, problems = engine.expand_exports(exports)
    files: list[ExportFile] = []
    with tempfile.TemporaryDirectory(prefix="redline-cost-") as tmp:
        con = engine.connect(Path(tmp))
        try:
            for index, path in enumerate(paths):
                try:
                    files.append(engine.load_file(con, index, path, settings))
                except engine.ExportError as exc:
                    problems.append((str(path), str(exc)))
            engine.derive(con, settings)
            lines = tuple(engine.cost_lines(con))
            daily = tuple(engine.daily_costs(con))
        finally:
            con.close()
    requests: list[RequestCount] = []
    sources: list[str] = []
    for spec in request_specs:
        try:
            requests += read_requests(spec)
            sources.append(str(parse_spec(spec)[1]))
        except RequestsError as exc:
            problems.append((str(parse_spec(spec)[1]), str(exc)))
    if trace_paths:
        requests += _trace_requests(trace_paths, spans, problems)
        sources += [str(p) for p in trace_paths]
    return CostDataset(settings, tuple(files), lines, daily, tuple(requests), tuple(sources), tuple(problems))


def _trace_requests(
    paths: Sequence[Path], spans: SpanStore | None, problems: list[tuple[str, str]]
) -> list[RequestCount]:
    """Server spans per service, tenant and route per day, from the span store (read here when not given)."""
    from redline.sources.traces import requests as server  # noqa: PLC0415 - DuckDB, only when asked
    from redline.sources.traces.store import ingest  # noqa: PLC0415

    store = spans if spans is not None else ingest(paths)
    try:
        problems += [(p.path, p.reason) for p in store.problems]
        problems += [
            (f, "no server spans in these traces: no request counts from them")
            for f in server.files_without_server_spans(store)
        ]
        return [RequestCount(*row) for row in server.daily_server_requests(store)]
    finally:
        if spans is None:
            store.con.close()


class CostExportSource(ProjectSource):
    """The exports (and request files) named on the command line of ``redline audit --cost``."""

    name = "cost exports"
    produces = CostDataset

    def __init__(
        self, exports: Sequence[Path], request_specs: Sequence[str] = (), trace_paths: Sequence[Path] = ()
    ) -> None:
        self.exports = tuple(exports)
        self.request_specs = tuple(request_specs)
        self.trace_paths = tuple(trace_paths)
        if self.trace_paths:  # the audit's span store (TraceSource, from ``--traces``), read once for both
            self.needs = (SpanStore,)

    def collect(self, ctx: ProjectContext) -> ProjectOutput:
        try:
            settings = cost_settings(ctx.config)
        except ConfigError as exc:
            return ProjectOutput([], [ToolError(self.name, str(exc), stage=Stage.SOURCE, fatal=True)], [])
        stores = ctx.facts.of(SpanStore) if self.trace_paths else []
        ds = load_dataset(self.exports, self.request_specs, settings, self.trace_paths, stores[0] if stores else None)
        return ProjectOutput([ds], [], [Skipped(path, reason) for path, reason in ds.problems])
