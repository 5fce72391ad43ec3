"""The span table: every span of every file, classified, in DuckDB (imported here, lazily, so
``redline --version`` stays instant).

Each file is read and classified on its own (in worker processes when there are several large files)
and written as an Arrow IPC file, a batch of columns at a time, that DuckDB scans: a reader never holds
a whole export, and the rows never pass through Python-to-DuckDB value conversion one by one (nor
through CSV text, as they did before)."""

from __future__ import annotations

import gc
import os
import tempfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from redline.sources.traces.batches import write_batches
from redline.sources.traces.classify import COLUMNS

if TYPE_CHECKING:
    import duckdb

    from redline.sources.traces.files import FileProblem

PARALLEL_MIN_BYTES = 32 * 1024 * 1024  # below this, forking workers costs more than it saves


@dataclass(frozen=True, eq=False)
class SpanStore:
    """The fact the performance checks read: a DuckDB connection holding table ``spans``, the files
    it came from (``file_no`` indexes ``files``) and what could not be read. DuckDB is not fork-safe: only the
    process that opened the connection reads it."""

    FORK_SAFE = False

    con: duckdb.DuckDBPyConnection
    files: tuple[str, ...]
    problems: tuple[FileProblem, ...] = field(default=())

    def query(self, sql: str, params: Sequence[Any] = ()) -> list[tuple[Any, ...]]:
        return self.con.execute(sql, list(params)).fetchall()

    @property
    def span_count(self) -> int:
        return int(self.query("SELECT count(*) FROM spans")[0][0])

    def file_of(self, file_no: int) -> str:
        return self.files[file_no] if 0 <= file_no < len(self.files) else ""


def classify_file(path: Path, file_no: int, out: Path) -> tuple[int, list[FileProblem]]:
    """Read one trace file and write its classified rows to ``out`` (Arrow IPC); (rows, problems)."""
    from redline.sources.traces.files import FileProblem, read_rows  # noqa: PLC0415 - see ingest

    problems: list[FileProblem] = []
    collecting = gc.isenabled()
    gc.disable()  # every span's objects die young and hold no cycles: the collector's passes are pure cost
    try:
        count = write_batches(read_rows(path, problems, file_no), out)
    finally:
        if collecting:
            gc.enable()
    if count == 0 and not problems:
        problems.append(FileProblem(str(path), "no spans in this file"))
    return count, problems


def ingest(paths: Iterable[Path], database: str = ":memory:", jobs: int = 0) -> SpanStore:
    """Read every trace file into a new span table (``database`` may be a file path to keep it)."""
    import duckdb  # noqa: PLC0415  (heavy: imported only when traces are read)
    import pyarrow.compute  # noqa: F401, PLC0415  (once here: the forked workers inherit it)

    # the readers (orjson, msgspec, the OTLP/Jaeger/Zipkin decoders) only when traces are read; every
    # audit imports this module for the ``SpanStore`` fact type
    from redline.sources.traces.files import FileProblem, trace_files  # noqa: PLC0415

    con = duckdb.connect(database)
    con.execute("DROP TABLE IF EXISTS spans")
    con.execute(f"CREATE TABLE spans ({', '.join(f'{n} {t}' for n, t in COLUMNS)})")
    problems: list[FileProblem] = []
    files: list[Path] = []
    for item in trace_files(paths):
        if isinstance(item, FileProblem):
            problems.append(item)
        else:
            files.append(item)
    with tempfile.TemporaryDirectory(prefix="redline-spans-") as tmp:
        outs = [Path(tmp) / f"{i}.arrow" for i in range(len(files))]
        loaded = []
        for (count, file_problems), out in zip(_classify_all(files, outs, jobs), outs, strict=True):
            problems += file_problems
            if count:
                loaded.append(out)
        _load(con, loaded)
    _dedupe(con)
    return SpanStore(con, tuple(str(f) for f in files), tuple(problems))


def _classify_all(files: list[Path], outs: list[Path], jobs: int) -> list[tuple[int, list[FileProblem]]]:
    workers = jobs or min(len(files), os.cpu_count() or 1)
    big = sum(f.stat().st_size for f in files) >= PARALLEL_MIN_BYTES
    if workers > 1 and len(files) > 1 and big:
        from concurrent.futures import ProcessPoolExecutor  # noqa: PLC0415 - only a parallel read pays for it

        with ProcessPoolExecutor(max_workers=workers) as pool:
            return list(pool.map(classify_file, files, range(len(files)), outs))
    return [classify_file(f, i, out) for i, (f, out) in enumerate(zip(files, outs, strict=True))]


def _load(con: duckdb.DuckDBPyConnection, outs: list[Path]) -> None:
    """Every file's batches in one INSERT (memory-mapped, so the concatenation copies nothing): one
    statement lets DuckDB spread the conversion over its threads."""
    import pyarrow as pa  # noqa: PLC0415  (heavy: imported only when traces are read)

    if not outs:
        return
    sources = [pa.memory_map(str(out)) for out in outs]
    try:
        con.register("classified_spans", pa.concat_tables([pa.ipc.open_file(s).read_all() for s in sources]))
        con.execute("INSERT INTO spans SELECT * FROM classified_spans")
    finally:
        con.unregister("classified_spans")
        for source in sources:
            source.close()


def _dedupe(con: duckdb.DuckDBPyConnection) -> None:
    """The same span exported twice (two files of one collector, a retried export) counts once."""
    dupes = con.execute("SELECT count(*) - count(DISTINCT (trace_id, span_id)) FROM spans").fetchone()
    if dupes and dupes[0]:
        con.execute(
            "CREATE OR REPLACE TABLE spans AS SELECT DISTINCT ON (trace_id, span_id) * FROM spans "
            "ORDER BY trace_id, span_id, file_no"
        )
