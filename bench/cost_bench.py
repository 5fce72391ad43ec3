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
    python bench/cost_bench.py --formats csv,plain,parquet --before /work/main/src   # before/after, 3 formats
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import time
from pathlib import Path

import duckdb

from redline.sources.cost.dataset import load_dataset
from redline.sources.cost.measures import component_costs, rollup, tenant_costs
from redline.sources.cost.settings import CostSettings

sys.path.insert(0, str(Path(__file__).resolve().parent))
from thread_cpu import ThreadCpu  # the bench folder is not a package

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
    path = WORK / f"focus_{rows}.{ {'parquet': 'parquet', 'csv': 'csv.gz', 'plain': 'csv'}[fmt] }"
    if path.exists():
        return path
    tmp = path.with_name(path.name + ".tmp")
    options = {
        "parquet": "FORMAT parquet, COMPRESSION zstd",
        "csv": "FORMAT csv, HEADER, COMPRESSION gzip",
        "plain": "FORMAT csv, HEADER",
    }[fmt]
    con = duckdb.connect()
    con.execute("SET preserve_insertion_order = false")
    con.execute(_GENERATE.format(rows=rows, resources=max(100, rows // ROWS_PER_RESOURCE), path=tmp, options=options))
    tmp.rename(path)
    return path


def measure(path: Path) -> dict[str, object]:
    """What ``redline cost`` does before printing: read once, then totals per component, tenant and month.
    CPU is this process's and its children's (user + system); the per-thread samples give the split over
    threads and the projected wall time on an idle machine (``thread_cpu.py``)."""
    import redline  # noqa: PLC0415 - which source tree is measured (``--before`` runs another one)

    started = time.perf_counter()
    with ThreadCpu() as cpu:
        ds = load_dataset([path], [], CostSettings())
        loaded = time.perf_counter() - started
        per_component = component_costs(ds)
        per_tenant = tenant_costs(ds)
        per_month = rollup(ds.lines, lambda ln: (ln.month,))
    total = time.perf_counter() - started
    me, kids = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return {
        "code": str(Path(redline.__file__).parents[1]),
        "rows": sum(f.rows for f in ds.files),
        "seconds": round(total, 2),
        "read_seconds": round(loaded, 2),
        "user": round(me.ru_utime + kids.ru_utime, 2),
        "sys": round(me.ru_stime + kids.ru_stime, 2),
        **cpu.summary(),
        "lines": len(ds.lines),
        "components": len(per_component),
        "tenants": len(per_tenant),
        "months": len(per_month),
        "total_cost": round(sum(line.cost for line in ds.lines), 2),
        "problems": list(ds.problems),
        "peak_rss_mb": round(max(me.ru_maxrss, kids.ru_maxrss) / 1024),
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


def _run_child(path: Path, code: Path | None = None) -> dict[str, object]:
    """``measure`` in a fresh process (its peak RSS is its own); ``code``: another checkout's ``src``."""
    env = dict(os.environ)
    if code is not None:
        env["PYTHONPATH"] = os.pathsep.join(p for p in (str(code), env.get("PYTHONPATH", "")) if p)
    out = subprocess.run(
        [sys.executable, __file__, "--measure", str(path)], capture_output=True, text=True, check=True, env=env
    )
    result: dict[str, object] = json.loads(out.stdout)
    result["file_mb"] = round(path.stat().st_size / 1e6)
    return result


FORMATS = {"parquet": "Parquet (zstd)", "csv": "CSV.gz", "plain": "CSV"}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rows", type=int, action="append", help="sizes to measure (default: 1M, 3M, 10M)")
    parser.add_argument("--csv", action="store_true", help="also measure the smallest size as CSV.gz")
    parser.add_argument(
        "--formats", help="comma-separated formats, each at every size: parquet, csv (gzip), plain (CSV)"
    )
    parser.add_argument("--before", type=Path, help="also measure another checkout's src (e.g. /work/main/src)")
    parser.add_argument("--floor", action="store_true", help="also time one raw DuckDB query per file")
    parser.add_argument("--measure", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--floor-of", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.measure:
        print(json.dumps(measure(args.measure)))
        return 0
    if args.floor_of:
        print(json.dumps(floor(args.floor_of)))
        return 0
    sizes = tuple(args.rows or SIZES)
    if args.formats:
        jobs = [(n, fmt) for n in sizes for fmt in args.formats.split(",")]
    else:
        jobs = [(n, "parquet") for n in sizes] + ([(min(sizes), "csv")] if args.csv or not args.rows else [])
    codes: list[Path | None] = [args.before, None] if args.before else [None]
    print(
        "| rows | format | file MB | code | CPU user + sys | busiest threads (CPU s) | projected idle wall (floor) | "
        "wall here | peak RSS MB | cost lines | one raw DuckDB query | goal (projected) |"
    )
    print("|---:|---|---:|---|---:|---|---:|---:|---:|---:|---:|---|")
    for rows, fmt in jobs:
        t = time.perf_counter()
        path = generate(rows, fmt)
        gen = time.perf_counter() - t
        for code in codes:
            print(_row(rows, fmt, path, code, with_floor=args.floor, gen=gen), flush=True)
    return 0


def _row(rows: int, fmt: str, path: Path, code: Path | None, *, with_floor: bool, gen: float) -> str:
    r = _run_child(path, code)
    raw = "–"
    if with_floor:
        raw = subprocess.run(
            [sys.executable, __file__, "--floor-of", str(path)], capture_output=True, text=True, check=True
        ).stdout.strip()
        raw = f"{raw} s"
    projected = float(str(r["projected_idle_wall"]))
    goal = "met" if projected < 20 and int(str(r["peak_rss_mb"])) < 1024 else "NOT met"
    threads = ", ".join(str(c) for c in r["busiest_threads"])  # type: ignore[attr-defined]
    return (
        f"| {rows:,} | {FORMATS[fmt]} | {r['file_mb']} | {'before' if code else 'this tree'} | "
        f"{r['user']} + {r['sys']} s | {threads} | {projected} s ({r['idle_wall_floor']} s) | {r['seconds']} s | "
        f"{r['peak_rss_mb']} | "
        f"{r['lines']:,} | {raw} | {goal if rows == 10_000_000 else '–'} |  "
        f"(total {r['total_cost']}, problems {len(r['problems'])}, {r['code']}, generated in {gen:.1f} s)"  # type: ignore[arg-type]
    )


if __name__ == "__main__":
    raise SystemExit(main())
