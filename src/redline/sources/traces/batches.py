"""Classified rows to Arrow record batches in an IPC file: the columns the span table is made of,
written a batch at a time so a worker never holds a whole file's rows (pyarrow is imported lazily)."""

from __future__ import annotations

from collections.abc import Iterable
from itertools import islice
from pathlib import Path
from typing import TYPE_CHECKING, Any

from redline.sources.traces.classify import COLUMNS, DESCRIPTION_FIELDS, SPAN_FIELDS, Row

if TYPE_CHECKING:
    import pyarrow as pa

BATCH_ROWS = 65_536
_ROW_FIELDS = (*SPAN_FIELDS, "lock_wait")
_ARROW_TYPES = {"VARCHAR": "string", "BIGINT": "int64", "BOOLEAN": "bool_", "INTEGER": "int32", "DOUBLE": "float64"}


def write_batches(rows: Iterable[Row], out: Path) -> int:
    """Write ``rows`` (``classify.classify``'s layout) to ``out`` in ``COLUMNS`` order; how many. No file
    is written when there are none."""
    import pyarrow as pa  # noqa: PLC0415

    schema = pa.schema([(name, getattr(pa, _ARROW_TYPES[kind])()) for name, kind in COLUMNS])
    it = iter(rows)
    count, writer = 0, None
    try:
        while batch := list(islice(it, BATCH_ROWS)):
            if writer is None:
                writer = pa.ipc.new_file(str(out), schema)
            writer.write_batch(_record_batch(batch, schema))
            count += len(batch)
    finally:
        if writer is not None:
            writer.close()
    return count


def _record_batch(rows: list[Row], schema: pa.Schema) -> pa.RecordBatch:
    import pyarrow as pa  # noqa: PLC0415

    own = list(zip(*rows, strict=True))
    values: dict[str, Any] = dict(zip(_ROW_FIELDS, own, strict=False))
    values.update(zip(DESCRIPTION_FIELDS, zip(*own[-1], strict=True), strict=False))
    return pa.RecordBatch.from_arrays(
        [pa.array(values[field.name], type=field.type) for field in schema], schema=schema
    )
