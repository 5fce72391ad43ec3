"""A generated export of 200,000 rows as CSV.gz: streamed through DuckDB, totals equal to an independent
query. Correctness at scale only; speed and memory are measured in bench/cost_bench.py, not here."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest

from redline.sources.cost.dataset import load_dataset
from redline.sources.cost.measures import rollup
from redline.sources.cost.model import UNALLOCATED
from redline.sources.cost.settings import CostSettings

ROWS = 200_000

_GENERATE = """
COPY (SELECT
  round((hash(i) % 10000) / 1000.0 - 0.5, 6) AS BilledCost, round((hash(i) % 10000) / 1300.0 - 0.5, 6) AS EffectiveCost,
  CASE WHEN i % 97 = 0 THEN 'EUR' ELSE 'USD' END AS BillingCurrency,
  TIMESTAMP '2024-07-01' + INTERVAL 1 HOUR * ((i // 200) % 2208) AS ChargePeriodStart,
  CASE WHEN i % 500 = 0 THEN 'Credit' ELSE 'Usage' END AS ChargeCategory,
  'Amazon Elastic Compute Cloud' AS ServiceName, 'AWS' AS ProviderName, 'i-' || (i % 200) AS ResourceId,
  CASE WHEN i % 200 < 40 THEN NULL
       ELSE '{"application": "app-' || (i % 7) || '", "tenant": "t-' || (i % 3) || '"}' END AS Tags
FROM range(ROWS) t(i)) TO 'PATH' (FORMAT csv, HEADER, COMPRESSION gzip)
"""


@pytest.mark.slow
def test_large_gzip_export_totals(tmp_path: Path) -> None:
    path = tmp_path / "big.csv.gz"
    con = duckdb.connect()
    con.execute(_GENERATE.replace("ROWS", str(ROWS)).replace("PATH", str(path)))
    expected = {
        (cur, app or UNALLOCATED, month): total
        for app, cur, month, total in con.execute(f"""
        SELECT json_extract_string(Tags, '$.application'), BillingCurrency,
               strftime(CAST(ChargePeriodStart AS TIMESTAMP), '%Y-%m'), sum(EffectiveCost)
        FROM read_csv('{path}') GROUP BY ALL""").fetchall()
    }
    ds = load_dataset([path], [], CostSettings())
    assert [f.rows for f in ds.files] == [ROWS]
    got = rollup(ds.lines, lambda ln: (ln.component, ln.month))
    assert set(got) == set(expected)
    for key, value in expected.items():
        assert got[key] == pytest.approx(value, abs=1e-6), key
