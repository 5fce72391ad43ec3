"""Trace ingest + every measure and detector on 100k, 300k and 1M generated spans of realistic shape.

The generator writes OTLP JSON lines as the collector's file exporter does (one export request of ~500
spans per line, hex ids, int64 as strings): a web front end calling an API whose handlers query a
database (bound parameters, some with literals), read a cache, call internal services (traced, so server
spans appear in them) and, for one route, a payment vendor; one route has an N+1 loop. Times are
seconds of `redline traces DIR -q` (CLI start-up included), RSS the peak of that process.

The machine is shared, so wall time says little: each run also reports its CPU (user+sys) split into the
main process (DuckDB, loading, detectors) and its worker processes (reading and classifying files), and
projects the wall time on an idle 2-core machine conservatively: the main process's CPU counted as serial
(DuckDB's second thread is not credited), the workers' CPU spread over two cores as the files divide.
``--before SRC`` runs another source tree (``git archive main src | tar -x -C /tmp/x`` then
``--before /tmp/x/src``) in the same run, for a before/after comparison."""

from __future__ import annotations

import argparse
import json
import math
import os
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import REPO, WORK

#: runs the CLI in-process and writes its own and its children's resource usage (workers are children)
_WRAPPER = """
import json, resource, sys
from redline.cli.main import main
code = main(sys.argv[2:])
s, c = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
with open(sys.argv[1], "w") as out:
    json.dump({"code": code, "self_cpu": s.ru_utime + s.ru_stime, "workers_cpu": c.ru_utime + c.ru_stime,
               "self_rss_mb": s.ru_maxrss / 1024, "worker_rss_mb": c.ru_maxrss / 1024}, out)
"""

SIZES = (100_000, 300_000, 1_000_000)
SPANS_PER_LINE = 500
LINES_PER_FILE = 200
ROUTES = ("GET /products/{id}", "GET /cart", "POST /checkout", "GET /search", "GET /orders")


class Generator:
    def __init__(self, seed: int = 1) -> None:
        self.rng = random.Random(seed)
        self.t0 = 1_700_000_000_000_000_000  # ns

    def _id(self, n: int) -> str:
        return f"{self.rng.getrandbits(n * 4):0{n}x}"

    def trace(self, start_ns: int) -> list[tuple[str, dict[str, Any]]]:
        """(service, span) pairs of one request."""
        rng, tid = self.rng, self._id(32)
        route = rng.choice(ROUTES)
        method, path = route.split(" ")
        spans: list[tuple[str, dict[str, Any]]] = []

        def span(service: str, name: str, kind: int, parent: str, start: int, *, dur_ms: float, **attrs: Any) -> str:
            sid = self._id(16)
            end = start + int(dur_ms * 1e6)
            item = {
                "traceId": tid,
                "spanId": sid,
                "parentSpanId": parent,
                "name": name,
                "kind": kind,
                "startTimeUnixNano": str(start),
                "endTimeUnixNano": str(end),
                "attributes": [
                    {"key": k.replace("__", "."), "value": {"stringValue": str(v)}} for k, v in attrs.items()
                ],
            }
            if rng.random() < 0.01:
                item["status"] = {"code": 2}
            spans.append((service, item))
            return sid

        total = rng.lognormvariate(4.0, 0.5)
        root = span("web", route, 2, "", start_ns, dur_ms=total + 20, http__request__method=method, http__route=path)
        api = span(
            "api", route, 2, root, start_ns + 2_000_000, dur_ms=total, http__request__method=method, http__route=path
        )
        t = start_ns + 3_000_000
        for _ in range(rng.randint(1, 3)):
            d = rng.lognormvariate(0.5, 0.8)
            span("api", "GET", 3, api, t, dur_ms=d, db__system="redis", db__statement="GET session:abc")
            t += int(d * 1e6)
        loops = 12 if route == "GET /orders" else rng.randint(2, 5)
        for i in range(loops):
            d = rng.lognormvariate(0.8, 0.6)
            sql = (
                "SELECT * FROM order_lines WHERE order_id = $1"
                if route == "GET /orders"
                else f"SELECT id, name, price FROM products WHERE id = {rng.randint(1, 10_000)} AND shop = {i}"
            )
            span("api", "SELECT", 3, api, t, dur_ms=d, db__system="postgresql", db__query__text=sql)
            t += int(d * 1e6)
        for svc in ("inventory", "pricing"):
            d = rng.lognormvariate(2.5, 0.7)
            call = span(
                "api",
                "GET",
                3,
                api,
                t,
                dur_ms=d,
                http__request__method="GET",
                url__full=f"http://{svc}:8080/v1/{svc}/{rng.randint(1, 999)}",
                server__address=svc,
            )
            inner = span(
                svc,
                f"GET /v1/{svc}/{{id}}",
                2,
                call,
                t + 200_000,
                dur_ms=d * 0.9,
                http__request__method="GET",
                http__route=f"/v1/{svc}/{{id}}",
            )
            span(
                svc,
                "SELECT",
                3,
                inner,
                t + 400_000,
                dur_ms=d * 0.5,
                db__system="postgresql",
                db__query__text=f"SELECT qty FROM {svc} WHERE sku = $1",
            )
            t += int(d * 1e6)
        if route == "POST /checkout":
            span(
                "api",
                "POST",
                3,
                api,
                t,
                dur_ms=rng.lognormvariate(4.5, 0.4),
                http__request__method="POST",
                url__full="https://api.payments-vendor.example/v1/charges",
            )
        return spans


def write_corpus(target: Path, spans_wanted: int) -> int:
    target.mkdir(parents=True, exist_ok=True)
    gen, written, file_no = Generator(), 0, 0
    pending: list[tuple[str, dict[str, Any]]] = []
    out = None
    lines = 0
    start = gen.t0
    while written < spans_wanted:
        start += int(gen.rng.expovariate(200) * 1e9)  # 200 requests per second on average
        pending += gen.trace(start)
        while len(pending) >= SPANS_PER_LINE or (pending and written + len(pending) >= spans_wanted):
            batch, pending = pending[:SPANS_PER_LINE], pending[SPANS_PER_LINE:]
            if out is None or lines >= LINES_PER_FILE:
                if out:
                    out.close()
                out = (target / f"spans-{file_no:04d}.jsonl").open("w", encoding="utf-8")
                file_no, lines = file_no + 1, 0
            by_service: dict[str, list[dict[str, Any]]] = {}
            for service, span in batch:
                by_service.setdefault(service, []).append(span)
            out.write(
                json.dumps(
                    {
                        "resourceSpans": [
                            {
                                "resource": {"attributes": [{"key": "service.name", "value": {"stringValue": s}}]},
                                "scopeSpans": [{"scope": {"name": "bench"}, "spans": spans}],
                            }
                            for s, spans in by_service.items()
                        ]
                    }
                )
                + "\n"
            )
            lines += 1
            written += len(batch)
    if out:
        out.close()
    return written


def run(src: Path, corpus: Path, out: Path) -> dict[str, float]:
    """``redline traces corpus`` with the package from ``src``: wall, CPU split, peaks, projection."""
    with tempfile.NamedTemporaryFile(suffix=".json") as usage:
        env = {**os.environ, "PYTHONPATH": str(src), "PYTHONDONTWRITEBYTECODE": "1"}
        cmd = [
            sys.executable,
            "-c",
            _WRAPPER,
            usage.name,
            "traces",
            str(corpus),
            "--out",
            str(out),
            "-q",
            "--exit-zero",
        ]
        started = time.perf_counter()
        subprocess.run(cmd, env=env, check=True, capture_output=True)
        figures: dict[str, float] = json.loads(Path(usage.name).read_text())
    figures["wall"] = time.perf_counter() - started
    files = len(list(corpus.glob("*.jsonl")))
    share = math.ceil(files / 2) / files if files > 1 else 1.0  # the busier of two workers
    figures["projected"] = figures["self_cpu"] + figures["workers_cpu"] * share
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--before", type=Path, help="another source tree (its src/) to run on the same corpora")
    parser.add_argument("--sizes", type=int, nargs="*", default=list(SIZES))
    args = parser.parse_args()
    trees = ([("before", args.before)] if args.before else []) + [("after", REPO / "src")]
    rows: dict[str, list[tuple[int, float]]] = {}
    for size in args.sizes:
        corpus = WORK / f"traces-{size}"
        if not corpus.is_dir():
            write_corpus(corpus, size)
        for label, src in trees:
            out = WORK / f"traces-out-{label}-{size}"
            f = run(src, corpus, out)
            doc = json.loads((out / "traces.json").read_text())
            findings = json.loads((out / "findings.json").read_text())["findings"]
            rules = sorted({x["rule"] for x in findings})
            rows.setdefault(label, []).append((size, f["self_cpu"] + f["workers_cpu"]))
            print(
                f"{label:6s} {size:>9,} spans ({doc['spans']:,}): wall {f['wall']:6.2f} s, CPU "
                f"{f['self_cpu'] + f['workers_cpu']:6.2f} s (main {f['self_cpu']:.2f} + workers "
                f"{f['workers_cpu']:.2f}), idle 2-core projection {f['projected']:5.2f} s, peak RSS main "
                f"{f['self_rss_mb']:.0f} MB / largest worker {f['worker_rss_mb']:.0f} MB, findings {rules}",
                flush=True,
            )
    for label, points in rows.items():
        (size0, cpu0), *rest = points
        for size, cpu in rest:
            print(f"  {label}: x{size / size0:.0f} spans -> x{cpu / cpu0:.2f} CPU")


if __name__ == "__main__":
    main()
