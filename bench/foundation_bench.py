"""Foundation benchmark: walk and read a large real tree, then a full `redline audit` on it.

Target (issue 2): walking and reading ~7,000 files in under 2 s on this 2-core machine.
Run: .venv/bin/python bench/foundation_bench.py
"""

from __future__ import annotations

import contextlib
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _common import REPO, sdist, timed

from redline.core.config import DEFAULT_MAX_FILE_SIZE
from redline.core.workspace import UnreadableFile, Workspace, read_file


def walk_and_read(root: Path) -> tuple[int, int, float, float]:
    start = time.perf_counter()
    walk = Workspace(root, max_file_size=DEFAULT_MAX_FILE_SIZE).walk()
    walked = time.perf_counter() - start
    size = 0
    for f in walk.files:
        with contextlib.suppress(UnreadableFile):
            size += len(read_file(f).data)
    return len(walk.files), size, walked, time.perf_counter() - start


def main() -> None:
    root = sdist("django", "5.1.4")
    redline = str(REPO / ".venv" / "bin" / "redline")
    print(f"tree: {root.name}")
    for attempt in range(3):
        files, size, walked, total = walk_and_read(root)
        print(f"walk+read #{attempt + 1}: {files:,} files, {size / 1e6:.1f} MB, walk {walked:.2f}s, "
              f"walk+read {total:.2f}s, {files / total:,.0f} files/s")
    with tempfile.TemporaryDirectory() as out:
        for label, extra in (("audit (all checks)", []), ("audit --jobs 1", ["--jobs", "1"])):
            t = timed([redline, "audit", str(root), "--out", out, "--exit-zero", "--quiet", *extra])
            print(f"{label}: {t.seconds:.2f}s wall, peak RSS {t.peak_rss_mb:.0f} MB, exit {t.returncode}")


if __name__ == "__main__":
    main()
