"""``make fuzz``: mutate real samples of every format for a long time, keep what fails.

Round-robin over every target, a fresh seed per run (or ``--seed``). Each failing input is written to
``tests/fuzz/corpus/<target>/`` (the tests replay it) and each distinct failure is printed once. The
counts of inputs tried and failures per target are added to ``--stats`` (JSON, cumulative across runs).
Memory is bounded with RLIMIT_AS so a runaway parse is a MemoryError (a failure), not a dead machine.
"""

from __future__ import annotations

import argparse
import json
import random
import resource
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from fuzz.check import corpus_dir, record, run_one
from fuzz.mutate import mutate
from fuzz.targets import Target, all_targets

MEMORY_LIMIT = 3 * 1024**3
REPLAY_LIMIT = 120.0


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__)
    p.add_argument("--seconds", type=float, default=600.0, help="total time budget")
    p.add_argument("--seed", type=int, default=None)
    p.add_argument("--only", default="", help="only targets whose name contains this")
    p.add_argument("--stats", type=Path, default=Path("bench/.work/fuzz-stats.json"))
    p.add_argument("--batch", type=int, default=20, help="inputs per target per turn")
    args = p.parse_args(argv)
    resource.setrlimit(resource.RLIMIT_AS, (MEMORY_LIMIT, MEMORY_LIMIT))
    seed = args.seed if args.seed is not None else random.SystemRandom().randrange(2**32)
    rnd = random.Random(seed)
    targets = [t for t in all_targets() if args.only in t.name]
    stats = _load(args.stats)
    seen: set[tuple[str, str]] = set()
    deadline = time.monotonic() + args.seconds
    print(f"fuzz: seed {seed}, {len(targets)} targets, {args.seconds:.0f}s", flush=True)
    replay_corpus(targets)
    while time.monotonic() < deadline:
        for target in targets:
            entry = stats.setdefault(target.name, {"inputs": 0, "failures": 0, "seconds": 0.0})
            started = time.monotonic()
            for _ in range(args.batch):
                data, how = mutate(rnd.choice(target.seeds), rnd)
                problem = run_one(target, data)
                entry["inputs"] += 1
                if problem is None:
                    continue
                entry["failures"] += 1
                signature = problem.split(" at ", 1)[-1] if " at " in problem else problem[:80]
                if (target.name, signature) not in seen:
                    seen.add((target.name, signature))
                    path = record(target, data)
                    print(f"FAIL {target.name} [{'+'.join(how)}] {problem} -> {path}", flush=True)
            entry["seconds"] = round(entry["seconds"] + time.monotonic() - started, 1)
            if time.monotonic() >= deadline:
                break
        _save(args.stats, stats)
    _save(args.stats, stats)
    total = sum(int(e["inputs"]) for e in stats.values())
    print(f"fuzz: done; {total:,} inputs in total across runs, {len(seen)} distinct failures this run", flush=True)
    return 1 if seen else 0


def replay_corpus(targets: list[Target]) -> None:
    """Every recorded input, the large ones the tests leave out included, with a generous limit."""
    for target in targets:
        folder = corpus_dir(target)
        for path in sorted(folder.iterdir()) if folder.is_dir() else ():
            problem = run_one(target, path.read_bytes(), limit=REPLAY_LIMIT)
            print(f"corpus {target.name} {path.name}: {problem or 'ok'}", flush=True)


def _load(path: Path) -> dict[str, dict[str, float]]:
    try:
        data = json.loads(path.read_text())
        return data if isinstance(data, dict) else {}
    except (OSError, ValueError):
        return {}


def _save(path: Path, stats: dict[str, dict[str, float]]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps(stats, indent=1, sort_keys=True))
    tmp.replace(path)


if __name__ == "__main__":
    sys.exit(main())
