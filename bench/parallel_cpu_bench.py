"""One worker against two on the Django 5.1.4 sdist, by CPU accounting (issue 8), cold and warm cache.

Wall time cannot show parallelism on a machine whose cores other jobs keep busy, so each run records the
main process's own CPU (RUSAGE_SELF) and each worker's (the worker writes its RUSAGE_SELF when it leaves its
serve loop), and projects the wall time on two idle cores as main CPU + the busiest worker's CPU (the main
process's work is counted as serial, which is pessimistic: it decodes results while the workers parse).
Since the secret scanner's Hyperscan compile runs in a thread of the main process while the workers parse
(cold cache), that thread's CPU is recorded apart and counted as sharing the two cores with the first
pool's workers: projected = main without the thread + max(busiest parsing worker, (parsing workers + thread)
/ 2) + the busiest worker of the second (text) pass. For a build without the thread this is the old formula.
Since the main process takes chunks itself while its forked workers are busy (one forked worker beside it on
two cores), the main thread's CPU in those chunks (pipe service excluded) is recorded apart and counted like
a worker's: projected = the rest of the main process + max(busiest forked worker, main's own chunks, (all of
the pass's chunk CPU + thread) / 2) per pass; for a build where the main process takes none, the formula above.
Since the project checks run on both processes (each takes the next check none has taken), the main thread's CPU
in its share of them is recorded apart and the check phase counts as its busiest process (the main process's
share or the forked one's).
``--baseline PYTHON`` alternates every run with another checkout's interpreter (the before of a change), in
the same minutes; the probe tells the run it is leaving soon, as the console script does (no freeing of
the facts before ``os._exit``); ``--select`` passes rule codes (``WEB,LAT``: the code rules of issue 11).
Medians printed.

    python bench/parallel_cpu_bench.py --rounds 3 [--baseline /work/main/.venv/bin/python] [--select WEB,LAT]
        [--caches warm] [--all-formats]
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
        with open(os.path.join(marks, f"{fn.__name__}-{os.getpid()}"), "w") as fh:
            fh.write(str(u.ru_utime + u.ru_stime))
pool._serve = _serve
import threading, time
import redline.pipeline.run as run
if hasattr(run, "_Preparing"):  # the late preparation thread: its own CPU, apart
    prep = run._Preparing._run
    def _run(self, *work):  # the late preparations, and (since) what the main process loads ahead
        start = time.thread_time()
        try:
            prep(self, *work)
        finally:
            open(os.path.join(marks, "thread"), "w").write(str(time.thread_time() - start))
    run._Preparing._run = _run
here = {"process_chunk_here": 0.0, "judge_text_chunk_here": 0.0}
def _timed_here(name):  # the chunks the main process takes itself: its main thread's CPU, pipe service excluded
    work = getattr(run, name)
    def timed(state, files, between):
        serviced = [0.0]
        def _between():
            start = time.thread_time()
            try:
                between()
            finally:
                serviced[0] += time.thread_time() - start
        start = time.thread_time()
        try:
            return work(state, files, _between)
        finally:
            here[name] += time.thread_time() - start - serviced[0]
    setattr(run, name, timed)
for name in list(here):
    if hasattr(run, name):
        _timed_here(name)
here["judging"] = 0.0
try:  # the project checks the main process takes itself while a forked process takes others
    import redline.pipeline.judging as judging
    take_all = judging._Shared.take_all
    def _take_all(self):
        start = time.thread_time()
        try:
            return take_all(self)
        finally:
            here["judging"] += time.thread_time() - start
    judging._Shared.take_all = _take_all
except (ImportError, AttributeError):
    pass
try:  # as the console entry point: the run's facts are left for the process's exit (os._exit) to drop
    from redline.pipeline.lifetime import leaving_soon
    leaving_soon()
except ImportError:
    pass
from redline.cli.main import main
code = main(sys.argv[3:])
own = resource.getrusage(resource.RUSAGE_SELF)
cpu = {f: float(open(os.path.join(marks, f)).read()) for f in os.listdir(marks)}
thread = cpu.pop("thread", 0.0)
parse = [v for f, v in cpu.items() if f.startswith("process_chunk-")]
judge = [v for f, v in cpu.items() if f.startswith("_take_all-")]
text = [v for f, v in cpu.items() if not f.startswith(("process_chunk-", "_take_all-"))]
out = {"main": own.ru_utime + own.ru_stime, "thread": thread, "parse": parse, "text": text, "rc": code,
       "here_parse": here["process_chunk_here"], "here_text": here["judge_text_chunk_here"],
       "judge": judge, "here_judge": here["judging"]}
json.dump(out, open(sys.argv[1], "w"))
"""


def _run(python: str, tree: Path, jobs: int, cache: Path, *, select: list[str], tmp: Path) -> dict[str, float]:
    marks = Path(tempfile.mkdtemp(dir=tmp))
    result, probe = tmp / "result.json", tmp / "probe.py"
    probe.write_text(PROBE)
    args = ["audit", str(tree), "--jobs", str(jobs), "-q", "--out", str(tmp / "out"), "--no-record", "--exit-zero"]
    args += select
    env = dict(os.environ, REDLINE_CACHE_DIR=str(cache))
    env.pop("PYTHONDONTWRITEBYTECODE", None)  # an installed redline has its .pyc files
    cmd = [python, str(probe), str(result), str(marks), *args]
    subprocess.run(cmd, env=env, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    data = json.loads(result.read_text())
    shutil.rmtree(marks)
    here_parse, here_text = data["here_parse"], data["here_text"]
    here_judge, judge = data.get("here_judge", 0.0), data.get("judge", [])
    serial = data["main"] - data["thread"] - here_parse - here_text - here_judge
    pool = max(max(data["parse"], default=0.0), here_parse, (sum(data["parse"]) + here_parse + data["thread"]) / 2)
    second = max(max(data["text"], default=0.0), here_text, (sum(data["text"]) + here_text) / 2)
    return {
        "main": data["main"],
        "thread": data["thread"],
        "here": here_parse + here_text,
        "worker": max(data["parse"], default=0.0),
        "text": second,
        "all": data["main"] + sum(data["parse"]) + sum(data["text"]),
        "judging": max(max(judge, default=0.0), here_judge),
        "projected": serial + pool + second + max(max(judge, default=0.0), here_judge),
    }


def _extra_args(opts: argparse.Namespace) -> list[str]:
    """The rule codes asked for, and only the JSON output unless every output is."""
    return (["--select", opts.select] if opts.select else []) + ([] if opts.all_formats else ["--format", "json"])


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--baseline", help="another checkout's python, run alternately (the before)")
    ap.add_argument("--select", default="", help="rule codes, e.g. WEB,LAT")
    ap.add_argument("--caches", default="cold,warm", help="cache states to run: cold, warm or both")
    ap.add_argument("--all-formats", action="store_true", help="write every output, as foundation_bench does")
    opts = ap.parse_args()
    tree = sdist("Django", "5.1.4")
    impls = {"this": str(REPO / ".venv" / "bin" / "python")}
    if opts.baseline:
        impls = {"baseline": opts.baseline, **impls}
    select = _extra_args(opts)
    states = [state for state in ("cold", "warm") if state in opts.caches.split(",")]
    runs: dict[tuple[str, str, int], list[dict[str, float]]] = {}
    with tempfile.TemporaryDirectory() as tmp:
        if "cold" not in states:  # every measured run finds the cache its first (uncounted) run filled
            for impl, python in impls.items():
                _run(python, tree, 2, Path(tmp) / f"cache-{impl}", select=select, tmp=Path(tmp))
        for _ in range(opts.rounds):
            for cache in states:
                for impl, python in impls.items():
                    for jobs in (1, 2):
                        cache_dir = Path(tmp) / f"cache-{impl}"
                        if cache == "cold":  # empty: code index, rule index and Hyperscan database rebuilt
                            shutil.rmtree(cache_dir, ignore_errors=True)
                        run = _run(python, tree, jobs, cache_dir, select=select, tmp=Path(tmp))
                        runs.setdefault((impl, cache, jobs), []).append(run)
    codes = f" {opts.select}" if opts.select else ""
    outputs = "" if opts.all_formats else ", JSON only"
    print(f"Django 5.1.4, {opts.rounds} alternating rounds, medians (CPU seconds){codes}{outputs}")
    for impl in impls:
        for cache in states:
            ones = [r["main"] for r in runs[(impl, cache, 1)]]
            twos = runs[(impl, cache, 2)]

            def med(key: str, twos: list[dict[str, float]] = twos) -> float:
                return statistics.median(r[key] for r in twos)

            one = statistics.median(ones)
            per_run = ", ".join(f"{a / b['projected']:.2f}" for a, b in zip(ones, twos, strict=True))
            print(
                f"  {impl:8} {cache}: -j1 {one:6.2f}  -j2 main {med('main'):5.2f} (compile thread {med('thread'):4.2f},"
                f" own chunks {med('here'):4.2f})"
                f" busiest parsing worker {med('worker'):5.2f} busiest text worker {med('text'):4.2f}"
                f" checks (busiest process) {med('judging'):4.2f}"
                f" all CPU {med('all'):6.2f}  projected {med('projected'):6.2f}"
                f"  speed-up {one / med('projected'):.2f}x (per run {per_run})"
            )
    return 0


if __name__ == "__main__":
    sys.exit(main())
