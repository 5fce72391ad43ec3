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
_DESCRIBED = frozenset(DESCRIPTION_FIELDS)
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
    """The batch's columns: the per-span values converted as they are; the description's columns built
    from the distinct descriptions (far fewer than the rows) and spread over the rows by index (``take``)."""
    import pyarrow as pa  # noqa: PLC0415
    import pyarrow.compute as pc  # noqa: PLC0415

    own = list(zip(*rows, strict=True))
    described = own[-1]
    # every description of the batch is alive (the rows hold it), so its id() names it in this batch
    keys = list(map(id, described))
    distinct = list(dict(zip(keys, described, strict=True)).values())
    where = pc.index_in(pa.array(keys, pa.uint64()), value_set=pa.array(list(map(id, distinct)), pa.uint64()))
    arrays: dict[str, Any] = {name: values for name, values in zip(SPAN_FIELDS, own, strict=False)}
    for position, name in enumerate(DESCRIPTION_FIELDS):
        arrays[name] = [d[position] for d in distinct]
    columns = []
    for field in schema:
        values = arrays[field.name]
        if field.name not in _DESCRIBED:  # ids, times, flags: their types are fixed by the readers
            columns.append(pa.array(values, field.type))
            continue
        if field.type == pa.string():  # an attribute may be a number (``tenant.id``): the column is text
            values = [v if v is None or type(v) is str else str(v) for v in values]
        columns.append(pa.array(values, field.type).take(where))
    return pa.RecordBatch.from_arrays(columns, schema=schema)
