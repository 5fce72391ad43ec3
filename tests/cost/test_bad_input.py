"""Bad exports: each is named with its reason, listed as not covered, and the other files are still read."""

from __future__ import annotations

import gzip
from pathlib import Path

from redline.sources.cost.dataset import load_dataset
from redline.sources.cost.measures import rollup
from redline.sources.cost.settings import CostSettings

from .exports import FOCUS_COLUMNS, focus_row, write_focus


def _good(tmp_path: Path) -> Path:
    return write_focus(tmp_path / "good.csv", [focus_row(5.0, tags={"application": "a"})])


def _problems(tmp_path: Path, bad: Path) -> dict[str, str]:
    ds = load_dataset([_good(tmp_path), bad], [], CostSettings())
    assert [Path(f.path).name for f in ds.files] == ["good.csv"]  # the run went on
    assert rollup(ds.lines, lambda ln: (ln.component,)) == {("USD", "a"): 5.0}
    return {Path(p).name: reason for p, reason in ds.problems}


def test_missing_columns_are_named(tmp_path: Path) -> None:
    cols = tuple(c for c in FOCUS_COLUMNS if c not in ("ChargeCategory", "ServiceName"))
    bad = write_focus(tmp_path / "bad.csv", [focus_row(1.0)], cols)
    reason = _problems(tmp_path, bad)["bad.csv"]
    assert "ChargeCategory" in reason and "ServiceName" in reason


def test_missing_metric_column_is_named(tmp_path: Path) -> None:
    cols = tuple(c for c in FOCUS_COLUMNS if c != "EffectiveCost")
    bad = write_focus(tmp_path / "bad.csv", [focus_row(1.0)], cols)
    assert "EffectiveCost" in _problems(tmp_path, bad)["bad.csv"]


def test_not_an_export(tmp_path: Path) -> None:
    bad = tmp_path / "bad.csv"
    bad.write_text("name,value\nx,1\n", encoding="utf-8")
    assert "not a FOCUS" in _problems(tmp_path, bad)["bad.csv"]


def test_unknown_focus_version(tmp_path: Path) -> None:
    cols = ("FocusVersion", *FOCUS_COLUMNS)
    bad = write_focus(tmp_path / "bad.csv", [{**focus_row(1.0), "FocusVersion": "9.9"}], cols)
    assert "unknown FOCUS version 9.9" in _problems(tmp_path, bad)["bad.csv"]


def test_truncated_gzip(tmp_path: Path) -> None:
    whole = write_focus(tmp_path / "whole.csv", [focus_row(float(i)) for i in range(20000)])
    data = gzip.compress(whole.read_bytes())
    whole.unlink()
    bad = tmp_path / "bad.csv.gz"
    bad.write_bytes(data[: len(data) // 2])
    assert "truncated" in _problems(tmp_path, bad)["bad.csv.gz"]


def test_corrupt_parquet(tmp_path: Path) -> None:
    bad = tmp_path / "bad.parquet"
    bad.write_bytes(b"PAR1" + b"\x00" * 64)
    assert "cannot read" in _problems(tmp_path, bad)["bad.parquet"]


def test_truncated_csv_row(tmp_path: Path) -> None:
    good = write_focus(tmp_path / "cut.csv", [focus_row(1.0), focus_row(2.0)])
    text = good.read_text(encoding="utf-8")
    good.write_text(text[: len(text) - 40] + '"unterminated', encoding="utf-8")
    assert "cut.csv" in _problems(tmp_path, good)


def test_missing_file(tmp_path: Path) -> None:
    assert _problems(tmp_path, tmp_path / "absent.csv")["absent.csv"] == "no such file or directory"


def test_nulls_negative_credits_and_mixed_currencies(tmp_path: Path) -> None:
    rows = [
        focus_row(10.0, tags={"application": "a"}),
        focus_row(-3.0, tags={"application": "a"}, charge="Credit"),
        {**focus_row(0.0, tags={"application": "a"}), "EffectiveCost": "NULL", "BilledCost": "NULL"},
        {**focus_row(1.0), "Tags": "{not json"},
        focus_row(8.0, currency="EUR", tags={"application": "a"}),
        {**focus_row(4.0), "ChargePeriodStart": "not a date"},
    ]
    ds = load_dataset([write_focus(tmp_path / "f.csv", rows)], [], CostSettings())
    [info] = ds.files
    assert (info.rows, info.null_cost_rows, info.undated_rows) == (6, 1, 1)
    # per currency, never summed across; the credit nets off; bad tags make the charge unallocated
    assert rollup(ds.lines, lambda ln: (ln.component,)) == {
        ("EUR", "a"): 8.0,
        ("USD", "(unallocated)"): 1.0,
        ("USD", "a"): 7.0,
    }
