"""Cost: aggregate a generated FOCUS export per component, tenant and month.

Goal (issue 17): 10 million rows in under 20 s and under 1 GB peak RSS on the 2-core machine.
The generator writes an export shaped like ``../shared/data/cost/focus-1.0/focus_sample.csv`` (the same
44 columns, JSON ``Tags`` with ``application``/``environment``/``business_unit`` and a tenant on some,
25 % of resources untagged, AWS/Microsoft/Oracle/Google, three months, hourly charges of one resource
per 2,000 rows: 5,000 resources at 10M rows)
into ``bench/.work/cost/`` with DuckDB, so generating is fast and never holds rows in Python.
Each measurement runs in a fresh process (``--measure FILE``) so its peak RSS is its own.

    python bench/cost_bench.py                  # 1M, 3M and 10M rows, Parquet; 1M as CSV.gz too
    python bench/cost_bench.py --rows 1000000   # one size
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import time
from pathlib import Path

import duckdb

from redline.sources.cost.dataset import load_dataset
from redline.sources.cost.measures import component_costs, rollup, tenant_costs
from redline.sources.cost.settings import CostSettings

HERE = Path(__file__).resolve().parent
WORK = HERE / ".work" / "cost"
SIZES = (1_000_000, 3_000_000, 10_000_000)
#: one resource per 2,000 rows: each is billed hourly for about 83 days, as in a real export
ROWS_PER_RESOURCE = 2_000

_GENERATE = """
COPY (
WITH g AS (SELECT i, i % {resources} AS r, (i // {resources}) % (92 * 24) AS hr, hash(i) AS h
           FROM range({rows}) t(i))
SELECT
  CASE WHEN r % 7 = 0 THEN 'us-west-2a' ELSE NULL END AS AvailabilityZone,
  round((h % 100000) / 20000.0 + (r % 13), 8) AS BilledCost,
  '1234567890123' AS BillingAccountId, 'SunBird' AS BillingAccountName,
  CASE WHEN r % 50 = 0 THEN 'EUR' ELSE 'USD' END AS BillingCurrency,
  (TIMESTAMP '2024-07-01' + INTERVAL 1 MONTH * (1 + hr // (31 * 24))) AS BillingPeriodEnd,
  (TIMESTAMP '2024-07-01' + INTERVAL 1 MONTH * (hr // (31 * 24))) AS BillingPeriodStart,
  CASE WHEN h % 1000 = 0 THEN 'Credit' ELSE 'Usage' END AS ChargeCategory, NULL AS ChargeClass,
  ['$0.0464 per On Demand Linux m5.large Instance Hour', '$0.10 per GB-month of General Purpose SSD (gp2)',
   '$0.01 per GB - regional data transfer - in/out/between EC2 AZs', '$0.09 per GB - data transfer out',
   '$0.0225 per Application LoadBalancer-hour (or partial hour)', '$0.50 per GB - data ingested',
   '$0.005 per Idle public IPv4 address per hour', 'Requests-Tier1'][1 + r % 8] AS ChargeDescription,
  'Usage-Based' AS ChargeFrequency,
  (TIMESTAMP '2024-07-01' + INTERVAL 1 HOUR * hr + INTERVAL 1 HOUR) AS ChargePeriodEnd,
  (TIMESTAMP '2024-07-01' + INTERVAL 1 HOUR * hr) AS ChargePeriodStart,
  NULL AS CommitmentDiscountCategory,
  CASE WHEN r % 5 = 0 THEN 'ri-' || (r % 40) END AS CommitmentDiscountId, NULL AS CommitmentDiscountName,
  CASE WHEN r % 5 = 0 THEN 'Used' END AS CommitmentDiscountStatus, NULL AS CommitmentDiscountType,
  (h % 1000) / 100.0 AS ConsumedQuantity, 'Hrs' AS ConsumedUnit, 0.0 AS ContractedCost,
  0.0 AS ContractedUnitPrice,
  round((h % 100000) / 25000.0 + (r % 13), 8) AS EffectiveCost, 'Amazon Web Services, Inc.' AS InvoiceIssuerName,
  round((h % 100000) / 18000.0 + (r % 13), 8) AS ListCost, '0.0464' AS ListUnitPrice,
  CASE WHEN r % 5 = 0 THEN 'Committed' ELSE 'Standard' END AS PricingCategory,
  (h % 1000) / 100.0 AS PricingQuantity, 'Hrs' AS PricingUnit,
  ['AWS', 'AWS', 'AWS', 'AWS', 'AWS', 'AWS', 'AWS', 'Microsoft', 'Oracle', 'Google Cloud'][1 + r % 10]
    AS ProviderName,
  'Amazon Web Services, Inc.' AS PublisherName, 'us-west-2' AS RegionId, 'US West (Oregon)' AS RegionName,
  'arn:aws:ec2:us-west-2:123456789012:' || ['instance/i-', 'volume/vol-', 'natgateway/nat-',
   'loadbalancer/app/lb-', 'log-group:/aws/app/', 'eipalloc-', 'queue/q-', 'bucket/b-'][1 + r % 8]
   || lpad(CAST(r AS VARCHAR), 8, '0') AS ResourceId,
  NULL AS ResourceName, ['instance', 'volume', NULL, NULL, NULL, NULL, NULL, 'bucket'][1 + r % 8] AS ResourceType,
  ['Compute', 'Storage', 'Networking', 'Networking', 'Management and Governance', 'Networking', 'Integration',
   'Storage'][1 + r % 8] AS ServiceCategory,
  i AS Id,
  ['Amazon Elastic Compute Cloud', 'Amazon Elastic Compute Cloud', 'Amazon Virtual Private Cloud',
   'Elastic Load Balancing', 'AmazonCloudWatch', 'Amazon Virtual Private Cloud', 'Amazon Simple Queue Service',
   'Amazon Simple Storage Service'][1 + r % 8] AS ServiceName,
  'SKU' || (r % 300) AS SkuId, 'SKU' || (r % 300) || '.P' AS SkuPriceId,
  CAST(100000 + r % 40 AS VARCHAR) AS SubAccountId, 'Account ' || (r % 40) AS SubAccountName,
  CASE WHEN r % 4 = 0 THEN NULL ELSE
    '{{"application": "app-' || (r % 200) || '", "environment": "' || ['prod', 'dev', 'staging'][1 + r % 3]
    || '", "business_unit": "bu-' || (r % 9) || '"'
    || CASE WHEN r % 3 = 0 THEN ', "tenant": "tenant-' || (r % 50) || '"' ELSE '' END || '}}' END AS Tags
FROM g
) TO '{path}' ({options})
"""


def generate(rows: int, fmt: str) -> Path:
    WORK.mkdir(parents=True, exist_ok=True)
    path = WORK / f"focus_{rows}.{'parquet' if fmt == 'parquet' else 'csv.gz'}"
    if path.exists():
        return path
    tmp = path.with_name(path.name + ".tmp")
    options = "FORMAT parquet, COMPRESSION zstd" if fmt == "parquet" else "FORMAT csv, HEADER, COMPRESSION gzip"
    con = duckdb.connect()
    con.execute("SET preserve_insertion_order = false")
    con.execute(_GENERATE.format(rows=rows, resources=max(100, rows // ROWS_PER_RESOURCE), path=tmp, options=options))
    tmp.rename(path)
    return path


def measure(path: Path) -> dict[str, object]:
    """What ``redline cost`` does before printing: read once, then totals per component, tenant and month."""
    started = time.perf_counter()
    ds = load_dataset([path], [], CostSettings())
    loaded = time.perf_counter() - started
    per_component = component_costs(ds)
    per_tenant = tenant_costs(ds)
    per_month = rollup(ds.lines, lambda ln: (ln.month,))
    total = time.perf_counter() - started
    return {
        "rows": sum(f.rows for f in ds.files),
        "seconds": round(total, 2),
        "read_seconds": round(loaded, 2),
        "lines": len(ds.lines),
        "components": len(per_component),
        "tenants": len(per_tenant),
        "months": len(per_month),
        "problems": list(ds.problems),
        "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024),
    }


def floor(path: Path) -> float:
    """The same totals as one hand-written DuckDB query (no dialect mapping, no kinds, no per-day stage):
    the least any tool built on DuckDB could spend here."""
    con = duckdb.connect()
    scan = f"read_parquet('{path}')" if path.suffix == ".parquet" else f"read_csv('{path}', nullstr = ['NULL', ''])"
    started = time.perf_counter()
    con.execute(f"""SELECT json_extract_string(Tags, '$.application'), json_extract_string(Tags, '$.tenant'),
                           strftime(CAST(ChargePeriodStart AS TIMESTAMP), '%Y-%m'), BillingCurrency,
                           sum(EffectiveCost) FROM {scan} GROUP BY ALL""").fetchall()
    return round(time.perf_counter() - started, 2)


def _run_child(path: Path) -> dict[str, object]:
    out = subprocess.run([sys.executable, __file__, "--measure", str(path)], capture_output=True, text=True, check=True)
    result: dict[str, object] = json.loads(out.stdout)  # peak RSS is the child's own (RUSAGE_SELF)
    result["file_mb"] = round(path.stat().st_size / 1e6)
    return result


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rows", type=int, action="append", help="sizes to measure (default: 1M, 3M, 10M)")
    parser.add_argument("--csv", action="store_true", help="also measure the smallest size as CSV.gz")
    parser.add_argument("--measure", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--floor", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.measure:
        print(json.dumps(measure(args.measure)))
        return 0
    if args.floor:
        print(json.dumps(floor(args.floor)))
        return 0
    sizes = tuple(args.rows or SIZES)
    jobs = [(n, "parquet") for n in sizes] + ([(min(sizes), "csv")] if args.csv or not args.rows else [])
    print("| rows | format | file MB | seconds (read) | peak RSS MB | cost lines | one raw DuckDB query | goal |")
    print("|---:|---|---:|---:|---:|---:|---:|---|")
    for rows, fmt in jobs:
        t = time.perf_counter()
        path = generate(rows, fmt)
        gen = time.perf_counter() - t
        r = _run_child(path)
        raw = subprocess.run(
            [sys.executable, __file__, "--floor", str(path)], capture_output=True, text=True, check=True
        ).stdout.strip()
        goal = "met" if float(str(r["seconds"])) < 20 and int(str(r["peak_rss_mb"])) < 1024 else "NOT met"
        print(
            f"| {rows:,} | {fmt} | {r['file_mb']} | {r['seconds']} ({r['read_seconds']}) | {r['peak_rss_mb']} | "
            f"{r['lines']:,} | {raw} s | {goal if rows == 10_000_000 else '–'} |  (generated in {gen:.1f} s)",
            flush=True,
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
