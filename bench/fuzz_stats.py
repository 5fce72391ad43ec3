"""Print the fuzzing totals (from ``make fuzz`` stats files) as the Markdown table in bench/README.md."""

from __future__ import annotations

import json
import sys
from pathlib import Path


def main(paths: list[str]) -> int:
    totals: dict[str, dict[str, float]] = {}
    for path in paths or ["bench/.work/fuzz-stats.json"]:
        for name, entry in json.loads(Path(path).read_text()).items():
            into = totals.setdefault(name, {"inputs": 0, "failures": 0, "seconds": 0.0})
            for key in into:
                into[key] += entry.get(key, 0)
    print("| target | inputs | seconds | failing inputs |")
    print("|---|---:|---:|---:|")
    for name, e in sorted(totals.items()):
        print(f"| `{name}` | {int(e['inputs']):,} | {e['seconds']:,.0f} | {int(e['failures']):,} |")
    inputs = sum(int(e["inputs"]) for e in totals.values())
    seconds = sum(e["seconds"] for e in totals.values())
    failures = sum(int(e["failures"]) for e in totals.values())
    print(f"| **all {len(totals)}** | **{inputs:,}** | **{seconds:,.0f}** | **{failures:,}** |")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
