"""History store: record a run of 20,000 root-cause items and compute every derived figure (issue 14).

Goal: recording plus every derived figure (open items with ages, SLA breaches, MTTR, trend per area,
forecasts, the per-run counts) under 2 s on SQLite. The store already holds earlier runs, as in real
use: ``--history`` runs of the same size first (each moves some items: new, resolved, reopened), then
the timed run. Times are wall-clock, best and median of ``--repeat`` fresh stores.

    .venv/bin/python bench/history_bench.py [--items 20000] [--history 5] [--repeat 3] [--postgres]
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

from redline.core.model import Severity
from redline.store.engine import open_store
from redline.store.metrics import DAY
from redline.store.query import derive, list_runs
from redline.store.record import ItemRecord, RunRecord, record_run
from redline.store.settings import HistorySettings

AREAS = ("security", "performance", "resilience", "cost")
T0 = 1_760_000_000


def population(n: int, seed: int) -> list[ItemRecord]:
    rnd = random.Random(seed)
    return [
        ItemRecord(
            f"{i:032x}",
            f"R{rnd.randrange(100, 999)}",
            Severity(rnd.randrange(0, 5)),
            rnd.choice(AREAS),
            f"svc-{rnd.randrange(40)}",
            f"src/mod{i % 997}/file{i}.py",
            "message " * 8,
            rnd.randrange(1, 4),
        )
        for i in range(n * 2)
    ]


def one(spec: str, n: int, history: int) -> tuple[float, float, int]:
    settings = HistorySettings(budgets={"open_high": n})
    engine = open_store(spec)
    pool = population(n, 1)
    rnd = random.Random(2)
    for k in range(history):  # earlier runs: each takes a shifted window of the pool
        start = rnd.randrange(0, n // 10)
        record_run(engine, RunRecord("bench", T0 + k * 7 * DAY, tuple(pool[start : start + n])), settings)
    at = T0 + history * 7 * DAY
    t0 = time.perf_counter()
    record_run(engine, RunRecord("bench", at, tuple(pool[n // 20 : n // 20 + n])), settings)
    t1 = time.perf_counter()
    d = derive(engine, "bench", at, settings)
    list_runs(engine, "bench")
    t2 = time.perf_counter()
    engine.dispose()
    return t1 - t0, t2 - t1, len(d.open_items)


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--items", type=int, default=20_000)
    ap.add_argument("--history", type=int, default=5)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--postgres", action="store_true", help="also on a throwaway PostgreSQL (tests/database)")
    args = ap.parse_args()
    targets = [("sqlite", None)]
    if args.postgres:
        targets.append(("postgresql", "pg"))
    for name, _ in targets:
        totals = []
        for _ in range(args.repeat):
            with tempfile.TemporaryDirectory() as tmp:
                if name == "sqlite":
                    rec, der, n_open = one(str(Path(tmp) / "history.db"), args.items, args.history)
                else:
                    rec, der, n_open = _on_postgres(args.items, args.history)
            totals.append(rec + der)
            print(f"{name}: record {rec:.3f} s, derive {der:.3f} s, total {rec + der:.3f} s ({n_open} open items)")
        print(
            f"{name}: {args.items} items after {args.history} runs: best {min(totals):.3f} s, "
            f"median {statistics.median(totals):.3f} s (goal < 2 s)"
        )
    return 0


def _on_postgres(n: int, history: int) -> tuple[float, float, int]:
    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))
    from database.server import running_server  # noqa: PLC0415 - only with --postgres

    with running_server() as server:
        return one(server.url(), n, history)


if __name__ == "__main__":
    raise SystemExit(main())
