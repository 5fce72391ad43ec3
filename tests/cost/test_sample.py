"""The real FOCUS 1.0 sample: totals per provider, service and tag against figures computed here with csv."""

from __future__ import annotations

import csv
import json
from collections import defaultdict
from pathlib import Path

import pytest

from redline.sources.cost.dataset import load_dataset
from redline.sources.cost.measures import rollup
from redline.sources.cost.model import UNALLOCATED, CostDataset
from redline.sources.cost.settings import CostSettings

SAMPLE = Path(__file__).resolve().parents[2] / ".." / "shared" / "data" / "cost" / "focus-1.0" / "focus_sample.csv"

pytestmark = pytest.mark.skipif(not SAMPLE.is_file(), reason="../shared/data is not beside the checkout")


def _expected(column: str, key: str) -> dict[tuple[str, str], float]:
    out: dict[tuple[str, str], float] = defaultdict(float)
    with SAMPLE.open(newline="", encoding="utf-8") as fh:
        for row in csv.DictReader(fh):
            value = row[column]
            if value in ("", "NULL"):
                continue
            if key == "application":
                tags = json.loads(row["Tags"]) if row["Tags"] not in ("", "NULL") else {}
                name = tags.get("application") or UNALLOCATED
            else:
                name = row[key]
            out[(row["BillingCurrency"], name)] += float(value)
    return dict(out)


def _close(actual: dict[tuple[str, ...], float], expected: dict[tuple[str, str], float]) -> None:
    assert set(actual) == set(expected)
    for key, value in expected.items():
        assert actual[key] == pytest.approx(value, abs=1e-9), key


@pytest.fixture(scope="module", params=["BilledCost", "EffectiveCost", "ListCost"])
def sample(request: pytest.FixtureRequest) -> tuple[str, CostDataset]:
    settings = CostSettings(metric=request.param, service_tags=("application",))
    return request.param, load_dataset([SAMPLE], [], settings)


def test_every_row_is_read(sample: tuple[str, CostDataset]) -> None:
    _, ds = sample
    assert [(f.dialect, f.rows, f.undated_rows) for f in ds.files] == [("FOCUS", 1000, 0)]
    assert sum(ln.rows for ln in ds.lines) == 1000
    assert ds.problems == ()


def test_totals_per_provider(sample: tuple[str, CostDataset]) -> None:
    metric, ds = sample
    _close(rollup(ds.lines, lambda ln: (ln.provider,)), _expected(metric, "ProviderName"))


def test_totals_per_service(sample: tuple[str, CostDataset]) -> None:
    metric, ds = sample
    _close(rollup(ds.lines, lambda ln: (ln.service_name,)), _expected(metric, "ServiceName"))


def test_totals_per_application_tag(sample: tuple[str, CostDataset]) -> None:
    metric, ds = sample
    _close(rollup(ds.lines, lambda ln: (ln.component,)), _expected(metric, "application"))


def test_credits_stay_negative() -> None:
    ds = load_dataset([SAMPLE], [], CostSettings(metric="BilledCost"))
    credits = rollup(ds.lines, lambda ln: (ln.charge_category,))
    assert credits[("USD", "Credit")] < 0
