"""Whether a change to the code index build changed any result: every Python module of the Django 5.1.4 sdist
indexed by the source tree given (``--src``, default this checkout's ``src``; pass another checkout's to take
the "before"), each index encoded with the project's msgspec encoder (``encode_index``, what the cache and the
workers store) and hashed. ``--write FILE`` keeps the per-module digests; ``--compare FILE`` lists the modules
whose encoded index differs from those and exits 1 when any does. Also prints the build's CPU time."""

from __future__ import annotations

import argparse
import hashlib
import importlib
import json
import sys
import time
from pathlib import Path

from _common import REPO, python_modules, sdist


def _digests(src: Path) -> tuple[dict[str, str], float]:
    sys.path.insert(0, str(src))
    build = importlib.import_module("redline.sources.code.build")
    cache = importlib.import_module("redline.sources.code.cache")
    modules = python_modules(sdist("Django", "5.1.4") / "django")
    start = time.process_time()
    indexes = [build.build_index(m) for m in modules]
    spent = time.process_time() - start
    return {i.path: hashlib.sha256(cache.encode_index(i)).hexdigest() for i in indexes}, spent


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--src", type=Path, default=REPO / "src", help="the source tree whose build is hashed")
    parser.add_argument("--write", type=Path, help="keep the per-module digests in this JSON file")
    parser.add_argument("--compare", type=Path, help="per-module digests (from --write) this build must match")
    args = parser.parse_args()
    digests, spent = _digests(args.src.resolve())
    total = hashlib.sha256("".join(f"{p}:{d}\n" for p, d in sorted(digests.items())).encode()).hexdigest()
    print(f"{args.src}: {len(digests)} modules, build CPU {spent:.2f} s, digest of all indexes {total[:16]}")
    if args.write:
        args.write.write_text(json.dumps(digests, indent=0, sort_keys=True))
    if args.compare:
        before = json.loads(args.compare.read_text())
        differ = sorted(p for p in before.keys() | digests.keys() if before.get(p) != digests.get(p))
        print(f"differ from {args.compare}: {len(differ)}", *differ[:20], sep="\n  ")
        sys.exit(1 if differ else 0)


if __name__ == "__main__":
    main()
