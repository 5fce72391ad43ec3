"""Resilience and data-path rules (RES106+, DAT) over real code, for reading: runs `redline audit --select`
on each tree given and prints every finding with the source line it points at, grouped by rule, so a
person can label each one (the labels and per-rule precision live in bench/results/resilience-precision.md).

    python bench/resilience_precision.py [--select RES1,DAT] TREE [TREE ...]
"""

from __future__ import annotations

import argparse
import json
import subprocess
import tempfile
from collections import Counter
from pathlib import Path

from _common import REPO


def findings(tree: Path, select: str) -> list[dict[str, object]]:
    with tempfile.TemporaryDirectory() as tmp:
        cmd = [str(REPO / ".venv" / "bin" / "redline"), "audit", str(tree), "--select", select]
        cmd += ["--out", tmp, "--format", "json", "-q", "--exit-zero"]
        subprocess.run(cmd, check=True)
        data = json.loads((Path(tmp) / "findings.json").read_text())
    found: list[dict[str, object]] = data["findings"]
    return found


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--select", default="RES,DAT")
    parser.add_argument("--skip", default="RES101,RES102,RES103,RES104,RES105", help="rules not printed")
    parser.add_argument("trees", nargs="+", type=Path)
    args = parser.parse_args()
    skip = set(args.skip.split(","))
    totals: Counter[str] = Counter()
    for tree in args.trees:
        for f in sorted(findings(tree, args.select), key=lambda f: (str(f["rule"]), str(f["location"]))):
            if f["rule"] in skip:
                continue
            loc = f["location"]
            assert isinstance(loc, dict)
            totals[str(f["rule"])] += 1
            print(f"{f['rule']}  {tree.name}/{loc['path']}:{loc['start_line']}  [{f['confidence']}]  {loc['snippet']}")
            print(f"        {f['message']}")
    print("\ntotals:", dict(sorted(totals.items())))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
