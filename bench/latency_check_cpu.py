"""CPU time of the latency check (``LatencyCheck.check``, run in the main process) on real trees (issue 8).

The check's serial time bounds how much a second worker can help, so it is measured alone: each tree is
audited twice in-process with ``--select LAT1 --jobs 1`` (the first run warms the code-index cache), and the
second run's ``time.process_time`` inside ``LatencyCheck.check`` is printed, with the part the rule of queries
in the project's own helpers takes (building ``HelperQueries``, running ``helper_hits`` over every module).
``--baseline PYTHON`` runs the same probe with another checkout's interpreter (the before of a change) in the
same minutes. Findings of both are written under ``--out`` for a byte comparison.

    python bench/latency_check_cpu.py TREE [TREE ...] [--baseline /work/main/.venv/bin/python] [--out DIR]
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
from pathlib import Path

PROBE = r"""
import json, sys, time
import redline.checks.latency.check as check
import redline.checks.latency.helper_queries as hq
spent = {"check": 0.0, "build": 0.0, "helpers": 0.0}
def timed(fn, key):
    def wrapper(*args, **kwargs):
        start = time.process_time()
        try:
            result = fn(*args, **kwargs)
            return list(result) if key in {"check", "helpers"} and result is not None else result
        finally:
            spent[key] += time.process_time() - start
    return wrapper
check.LatencyCheck.check = timed(check.LatencyCheck.check, "check")
check.HelperQueries = timed(hq.HelperQueries, "build")
check.helper_hits = timed(hq.helper_hits, "helpers")
from redline.cli.main import main
tree, out = sys.argv[1], sys.argv[2]
args = ["audit", tree, "--select", "LAT1", "--jobs", "1", "-q", "--exit-zero", "--no-record", "--format", "json"]
main([*args, "--out", out])  # warms the code-index cache
spent.update(check=0.0, build=0.0, helpers=0.0)
main([*args, "--out", out])
print(json.dumps(spent))
"""


def probe(python: str, tree: Path, out: Path) -> dict[str, float]:
    done = subprocess.run([python, "-c", PROBE, str(tree), str(out)], capture_output=True, text=True, check=True)
    return json.loads(done.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("trees", nargs="+", type=Path)
    parser.add_argument("--baseline", help="another checkout's interpreter: the before of a change")
    parser.add_argument("--out", type=Path, default=Path(tempfile.mkdtemp(prefix="latcpu-")))
    args = parser.parse_args()
    for tree in args.trees:
        runs = {"this": sys.executable, **({"baseline": args.baseline} if args.baseline else {})}
        for label, python in runs.items():
            out = args.out / tree.name / label
            spent = probe(python, tree, out)
            helpers = spent["build"] + spent["helpers"]
            print(f"{tree.name:12} {label:9} check {spent['check']:.3f}s  helper rule {helpers:.3f}s  ({out})")


if __name__ == "__main__":
    main()
