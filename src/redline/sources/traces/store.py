"""The span table: every span of every file, classified, in DuckDB (imported here, lazily, so
``redline --version`` stays instant). Rows go in by batches, so a reader never holds a whole export."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from redline.sources.traces.classify import COLUMNS, Row, classify
from redline.sources.traces.files import FileProblem, read_spans, trace_files

if TYPE_CHECKING:
    import duckdb

BATCH = 50_000


@dataclass(frozen=True, eq=False)
class SpanStore:
    """The fact the performance checks read: a DuckDB connection holding table ``spans``, the files
    it came from (``file_no`` indexes ``files``) and what could not be read."""

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


def ingest(paths: Iterable[Path], database: str = ":memory:") -> SpanStore:
    """Read every trace file into a new span table (``database`` may be a file path to keep it)."""
    import duckdb  # noqa: PLC0415  (heavy: imported only when traces are read)

    con = duckdb.connect(database)
    con.execute("DROP TABLE IF EXISTS spans")
    con.execute(f"CREATE TABLE spans ({', '.join(f'{n} {t}' for n, t in COLUMNS)})")
    problems: list[FileProblem] = []
    files: list[str] = []
    batch: list[Row] = []
    for item in trace_files(paths):
        if isinstance(item, FileProblem):
            problems.append(item)
            continue
        files.append(str(item))
        before = len(problems)
        count = 0
        for span in read_spans(item, problems):
            batch.append(classify(span, len(files) - 1))
            count += 1
            if len(batch) >= BATCH:
                _insert(con, batch)
                batch.clear()
        if count == 0 and len(problems) == before:
            problems.append(FileProblem(str(item), "no spans in this file"))
    _insert(con, batch)
    _dedupe(con)
    return SpanStore(con, tuple(files), tuple(problems))


def _insert(con: duckdb.DuckDBPyConnection, rows: list[Row]) -> None:
    """Column-wise: one ``unnest`` per column is far faster than ``executemany``."""
    if not rows:
        return
    columns = [list(c) for c in zip(*rows, strict=True)]
    select = ", ".join(f"unnest(${i + 1}::{t}[])" for i, (_, t) in enumerate(COLUMNS))
    con.execute(f"INSERT INTO spans SELECT {select}", columns)


def _dedupe(con: duckdb.DuckDBPyConnection) -> None:
    """The same span exported twice (two files of one collector, a retried export) counts once."""
    dupes = con.execute("SELECT count(*) - count(DISTINCT (trace_id, span_id)) FROM spans").fetchone()
    if dupes and dupes[0]:
        con.execute("CREATE OR REPLACE TABLE spans AS SELECT DISTINCT ON (trace_id, span_id) * FROM spans "
                    "ORDER BY trace_id, span_id, file_no")
