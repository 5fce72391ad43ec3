"""What taint across functions costs the code index: the Django 5.1.4 sdist's modules indexed with and without
the per-parameter flows (issue 11), alternating rounds in one process so machine load hits both alike; and
how much of the summary machinery engages (summarised parameters, resolved tainted call sites) on each tree
given on the command line. The index cache is not used: every round builds every module."""

from __future__ import annotations

import argparse
import contextlib
import statistics
import sys
import time
from collections import Counter
from pathlib import Path
from unittest import mock

from _common import REPO, python_modules, sdist

sys.path.insert(0, str(REPO / "src"))

from redline.checks.code.across import Summaries
from redline.sources.code import build
from redline.sources.code.model import CodeIndex
from redline.sources.python import PythonModule


def _round(modules: list[PythonModule], *, params: bool) -> tuple[float, list[CodeIndex]]:
    with contextlib.ExitStack() as stack:
        if not params:  # the index as it was before: no argument names gathered, no parameter flow
            stack.enter_context(mock.patch.object(build, "param_flows", lambda *_: []))
            stack.enter_context(mock.patch.object(build, "_arguments", lambda _: []))
        start = time.process_time()
        indexes = [build.build_index(m) for m in modules]
        return time.process_time() - start, indexes


def _engagement(name: str, indexes: list[CodeIndex]) -> None:
    summaries = Summaries.of(indexes)
    rules = Counter(s.hit.rule.code for summary in summaries.by_function.values() for v in summary.values() for s in v)
    tainted = [(i, c) for i in indexes for c in i.calls if c.tainted]
    resolved = sum(1 for i, c in tainted if summaries.callees.resolve(i, c) is not None)
    print(
        f"{name}: summarised parameter->sink pairs {dict(rules)}; tainted call sites {len(tainted)}, "
        f"resolved to a project function {resolved}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("trees", nargs="*", type=Path, help="Python trees to report summary engagement on")
    args = parser.parse_args()
    modules = python_modules(sdist("Django", "5.1.4") / "django")
    times: dict[bool, list[float]] = {False: [], True: []}
    indexes: list[CodeIndex] = []
    for _ in range(args.rounds):
        for params in (False, True):
            spent, built = _round(modules, params=params)
            times[params].append(spent)
            indexes = built if params else indexes
    without, with_params = statistics.median(times[False]), statistics.median(times[True])
    print(
        f"Django 5.1.4, {len(modules)} modules, CPU seconds (median of {args.rounds}): "
        f"without parameter flows {without:.2f}, with {with_params:.2f} ({with_params / without - 1:+.0%})"
    )
    _engagement("Django 5.1.4", indexes)
    for tree in args.trees:
        _engagement(tree.name, [build.build_index(m) for m in python_modules(tree)])


if __name__ == "__main__":
    main()
