"""AWS CUR 2.0 (Parquet written by pyarrow), Azure cost export CSV, FOCUS as Parquet and gzip, folders."""

from __future__ import annotations

import csv
import gzip
import shutil
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from redline.sources.cost.dataset import load_dataset
from redline.sources.cost.measures import rollup
from redline.sources.cost.settings import CostSettings

from .exports import focus_row, write_focus


def _cur_table() -> pa.Table:
    from datetime import datetime

    return pa.table(
        {
            "line_item_usage_start_date": pa.array(
                [datetime(2024, 9, 1), datetime(2024, 9, 2), datetime(2024, 9, 3), datetime(2024, 9, 4)],
                pa.timestamp("us"),
            ),
            "line_item_unblended_cost": [10.0, 4.0, 2.5, -1.0],
            "line_item_currency_code": ["USD"] * 4,
            "line_item_line_item_type": ["Usage", "SavingsPlanCoveredUsage", "Usage", "Credit"],
            "line_item_product_code": ["AmazonEC2", "AmazonEC2", "AmazonS3", "AmazonEC2"],
            "line_item_resource_id": ["i-web", "i-web", "bucket-logs", None],
            "line_item_line_item_description": ["on demand", "SP covered", "storage", "credit"],
            "line_item_usage_type": ["BoxUsage:m5.large", "BoxUsage:m5.large", "TimedStorage-ByteHrs", ""],
            "line_item_usage_amount": [24.0, 24.0, 100.0, 0.0],
            "savings_plan_savings_plan_effective_cost": [None, 2.0, None, None],
            "reservation_effective_cost": [None, None, None, None],
            "pricing_public_on_demand_cost": [10.0, 4.0, 2.5, 0.0],
            "resource_tags": pa.array(
                [[("user_application", "web")], [("user_application", "web")], [], []],
                pa.map_(pa.string(), pa.string()),
            ),
        }
    )


def test_cur2_parquet_maps_onto_focus(tmp_path: Path) -> None:
    path = tmp_path / "cur.parquet"
    pq.write_table(_cur_table(), path)
    ds = load_dataset([path], [], CostSettings(service_tags=("user_application", "application")))
    assert [(f.dialect, f.rows) for f in ds.files] == [("AWS CUR 2.0", 4)]
    # EffectiveCost: the savings-plan line costs its effective 2.0, not its unblended 4.0
    assert rollup(ds.lines, lambda ln: (ln.component,)) == {("USD", "(unallocated)"): 1.5, ("USD", "web"): 12.0}
    billed = load_dataset([path], [], CostSettings(metric="BilledCost", service_tags=("user_application",)))
    assert rollup(billed.lines, lambda ln: (ln.service_name,)) == {("USD", "AmazonEC2"): 13.0, ("USD", "AmazonS3"): 2.5}
    pricing = {ln.pricing for ln in ds.lines if ln.resource_id == "i-web"}
    assert pricing == {"on-demand", "committed"}


AZURE_HEADER = [
    "Date",
    "BillingCurrency",
    "CostInBillingCurrency",
    "MeterCategory",
    "MeterSubCategory",
    "MeterName",
    "ChargeType",
    "PricingModel",
    "ResourceId",
    "ResourceLocation",
    "Quantity",
    "UnitOfMeasure",
    "PayGPrice",
    "Tags",
]


def test_azure_cost_export_csv(tmp_path: Path) -> None:
    path = tmp_path / "azure.csv"
    with path.open("w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(AZURE_HEADER)
        w.writerow(
            [
                "09/01/2024",
                "EUR",
                "12.5",
                "Virtual Machines",
                "Dv3",
                "D2 v3",
                "Usage",
                "OnDemand",
                "/subscriptions/1/vm/web-1",
                "westeurope",
                "24",
                "1 Hour",
                "0.6",
                '"application": "web"',
            ]
        )
        w.writerow(
            [
                "09/02/2024",
                "EUR",
                "-2",
                "Virtual Machines",
                "Dv3",
                "D2 v3",
                "Refund",
                "OnDemand",
                "/subscriptions/1/vm/web-1",
                "westeurope",
                "0",
                "1 Hour",
                "0",
                '{"application": "web"}',
            ]
        )
        w.writerow(
            [
                "09/02/2024",
                "EUR",
                "3",
                "Storage",
                "Premium SSD",
                "P10 Disks",
                "Usage",
                "OnDemand",
                "/subscriptions/1/disk/d1",
                "westeurope",
                "1",
                "1/Month",
                "3",
                "",
            ]
        )
    ds = load_dataset([path], [], CostSettings())
    assert [(f.dialect, f.rows, f.undated_rows) for f in ds.files] == [("Azure cost export", 3, 0)]
    assert rollup(ds.lines, lambda ln: (ln.component, ln.month)) == {
        ("EUR", "(unallocated)", "2024-09"): 3.0,
        ("EUR", "web", "2024-09"): 10.5,
    }
    assert rollup(ds.lines, lambda ln: (ln.charge_category,)) == {("EUR", "Credit"): -2.0, ("EUR", "Usage"): 15.5}
    assert {ln.provider for ln in ds.lines} == {"Microsoft"}


def test_focus_parquet_gzip_and_folders_agree(tmp_path: Path) -> None:
    rows = [focus_row(5.0, resource="i-a", tags={"application": "a"}), focus_row(7.0, resource="i-b")]
    plain = write_focus(tmp_path / "plain.csv", rows)
    folder = tmp_path / "monthly"
    folder.mkdir()
    with plain.open("rb") as src, gzip.open(folder / "2024-09.csv.gz", "wb") as dst:
        shutil.copyfileobj(src, dst)
    table = pa.Table.from_pylist([{k: (None if v == "NULL" else str(v)) for k, v in r.items()} for r in rows])
    pq.write_table(table, folder / "2024-09.parquet")
    expected = {("USD", "(unallocated)"): 7.0, ("USD", "a"): 5.0}
    for source in (plain, folder / "2024-09.csv.gz", folder / "2024-09.parquet"):
        ds = load_dataset([source], [], CostSettings())
        assert rollup(ds.lines, lambda ln: (ln.component,)) == expected, source
    both = load_dataset([folder], [], CostSettings())
    assert len(both.files) == 2
    assert rollup(both.lines, lambda ln: (ln.component,)) == {k: v * 2 for k, v in expected.items()}


@pytest.mark.parametrize("version", ["1.0", "1.1", "1.2"])
def test_known_focus_versions(tmp_path: Path, version: str) -> None:
    cols = ("FocusVersion", *tuple(focus_row(1.0)))
    path = write_focus(tmp_path / "f.csv", [{**focus_row(1.0), "FocusVersion": version}], cols)
    ds = load_dataset([path], [], CostSettings())
    assert [f.version for f in ds.files] == [version]
