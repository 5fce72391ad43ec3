"""One worker against two on the Django 5.1.4 sdist, by CPU accounting (issue 8), cold and warm cache.

Wall time cannot show parallelism on a machine whose cores other jobs keep busy, so each run records the
main process's own CPU (RUSAGE_SELF) and each worker's (the worker writes its RUSAGE_SELF when it leaves its
serve loop), and projects the wall time on two idle cores as main CPU + the busiest worker's CPU (the main
process's work is counted as serial, which is pessimistic: it decodes results while the workers parse).
``--baseline PYTHON`` alternates every run with another checkout's interpreter (the before of a change), in
the same minutes; ``--select`` passes rule codes (``WEB,LAT``: the code rules of issue 11). Medians printed.

    python bench/parallel_cpu_bench.py --rounds 3 [--baseline /work/main/.venv/bin/python] [--select WEB,LAT]
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

from _common import REPO, sdist

PROBE = r"""
import json, os, resource, sys
import redline.pipeline.pool as pool
marks = sys.argv[2]
serve = pool._serve
def _serve(conn, fn):
    try:
        serve(conn, fn)
    finally:
        u = resource.getrusage(resource.RUSAGE_SELF)
        with open(os.path.join(marks, str(os.getpid())), "w") as fh:
            fh.write(str(u.ru_utime + u.ru_stime))
pool._serve = _serve
from redline.cli.main import main
code = main(sys.argv[3:])
own = resource.getrusage(resource.RUSAGE_SELF)
workers = sorted(float(open(os.path.join(marks, f)).read()) for f in os.listdir(marks))
json.dump({"main": own.ru_utime + own.ru_stime, "workers": workers, "rc": code}, open(sys.argv[1], "w"))
"""


def _run(python: str, tree: Path, jobs: int, cache: Path, *, select: list[str], tmp: Path) -> dict[str, float]:
    marks = Path(tempfile.mkdtemp(dir=tmp))
    result, probe = tmp / "result.json", tmp / "probe.py"
    probe.write_text(PROBE)
    args = ["audit", str(tree), "--jobs", str(jobs), "-q", "--out", str(tmp / "out"), "--format", "json"]
    args += ["--no-record", "--exit-zero", *select]
    env = dict(os.environ, REDLINE_CACHE_DIR=str(cache))
    env.pop("PYTHONDONTWRITEBYTECODE", None)  # an installed redline has its .pyc files
    cmd = [python, str(probe), str(result), str(marks), *args]
    subprocess.run(cmd, env=env, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    data = json.loads(result.read_text())
    shutil.rmtree(marks)
    return {"main": data["main"], "worker": max(data["workers"], default=0.0)}


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--baseline", help="another checkout's python, run alternately (the before)")
    ap.add_argument("--select", default="", help="rule codes, e.g. WEB,LAT")
    opts = ap.parse_args()
    tree = sdist("Django", "5.1.4")
    impls = {"this": str(REPO / ".venv" / "bin" / "python")}
    if opts.baseline:
        impls = {"baseline": opts.baseline, **impls}
    select = ["--select", opts.select] if opts.select else []
    runs: dict[tuple[str, str, int], list[dict[str, float]]] = {}
    with tempfile.TemporaryDirectory() as tmp:
        for _ in range(opts.rounds):
            for cache in ("cold", "warm"):
                for impl, python in impls.items():
                    for jobs in (1, 2):
                        cache_dir = Path(tmp) / f"cache-{impl}"
                        if cache == "cold":  # empty: code index, rule index and Hyperscan database rebuilt
                            shutil.rmtree(cache_dir, ignore_errors=True)
                        run = _run(python, tree, jobs, cache_dir, select=select, tmp=Path(tmp))
                        runs.setdefault((impl, cache, jobs), []).append(run)
    print(f"Django 5.1.4, {opts.rounds} alternating rounds, medians (CPU seconds){' ' + opts.select if select else ''}")
    for impl in impls:
        for cache in ("cold", "warm"):
            one = statistics.median(r["main"] for r in runs[(impl, cache, 1)])
            main_cpu = statistics.median(r["main"] for r in runs[(impl, cache, 2)])
            worker = statistics.median(r["worker"] for r in runs[(impl, cache, 2)])
            print(
                f"  {impl:8} {cache}: -j1 {one:6.2f}  -j2 main {main_cpu:5.2f} + busiest worker {worker:5.2f}"
                f" = {main_cpu + worker:6.2f}  projected speed-up {one / (main_cpu + worker):.2f}x"
            )
    return 0


if __name__ == "__main__":
    sys.exit(main())
