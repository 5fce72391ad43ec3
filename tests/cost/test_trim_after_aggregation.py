"""Text cells are trimmed after the per-day aggregation, not per row: the real FOCUS sample with every text
cell padded (and empty cells written as blanks) gives exactly the lines and days of the sample itself,
as CSV.gz and as Parquet."""

from __future__ import annotations

import csv
import dataclasses
import gzip
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from redline.sources.cost.dataset import load_dataset
from redline.sources.cost.model import CostDataset
from redline.sources.cost.settings import CostSettings

SAMPLE = Path(__file__).resolve().parents[2] / ".." / "shared" / "data" / "cost" / "focus-1.0" / "focus_sample.csv"
PADDED = (
    "BillingCurrency",
    "ChargeCategory",
    "ChargeDescription",
    "PricingCategory",
    "ProviderName",
    "ResourceId",
    "ResourceName",
    "ResourceType",
    "ServiceCategory",
    "ServiceName",
    "Tags",
)
SETTINGS = CostSettings(tenant_tags=("tenant", "business_unit"))

pytestmark = pytest.mark.skipif(not SAMPLE.is_file(), reason="../shared/data is not beside the checkout")


def _padded_rows() -> tuple[list[str], list[dict[str, str]]]:
    with SAMPLE.open(newline="", encoding="utf-8") as fh:
        reader = csv.DictReader(fh)
        rows = list(reader)
        names = list(reader.fieldnames or [])
    for row in rows:
        for col in PADDED:
            value = row[col]
            row[col] = "   " if value == "" else value if value == "NULL" else f"  {value} "
    return names, rows


def _snapshot(ds: CostDataset) -> tuple[list[tuple[object, ...]], list[tuple[object, ...]]]:
    def rounded(item: object) -> tuple[object, ...]:
        return tuple(round(v, 6) if isinstance(v, float) else v for v in dataclasses.astuple(item))  # type: ignore[call-overload]

    return [rounded(ln) for ln in ds.lines], [rounded(d) for d in ds.daily]


def test_padded_cells_give_the_sample_totals(tmp_path: Path) -> None:
    names, rows = _padded_rows()
    gz = tmp_path / "padded.csv.gz"
    with gzip.open(gz, "wt", newline="", encoding="utf-8") as out:
        writer = csv.DictWriter(out, names, quoting=csv.QUOTE_ALL)
        writer.writeheader()
        writer.writerows(rows)
    parquet = tmp_path / "padded.parquet"
    table = {c: [None if r[c] == "NULL" else r[c] for r in rows] for c in names}
    pq.write_table(pa.table({c: pa.array(v, pa.string()) for c, v in table.items()}), parquet)

    expected = load_dataset([SAMPLE], [], SETTINGS)
    lines, daily = _snapshot(expected)
    assert len(lines) > 20 and any(ln.tenant for ln in expected.lines)  # the comparison has something to compare
    for path in (gz, parquet):
        ds = load_dataset([path], [], SETTINGS)
        assert not ds.problems
        assert [f.rows for f in ds.files] == [f.rows for f in expected.files]
        assert _snapshot(ds) == (lines, daily), path.name
