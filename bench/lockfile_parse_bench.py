"""Lockfile parse benchmark: every real sample in ../shared/data/lockfiles/by-ecosystem, total and per format,
plus a larger real requirements file compared, in the same run, with ``cyclonedx-py requirements``.

Method: each sample is read once into memory, then parsed ``ROUNDS`` times with the parser its folder
stands for (in-process, no pipeline); the best round is reported. The comparison parses one requirements
file (pinned, hashed, with markers: generated below from the real samples' names) with redline's parser
and with ``cyclonedx-py requirements`` (cyclonedx-bom 7.5.0, installed on first use into
bench/.work/cyclonedx-venv so the project's venv is not changed); both are timed as whole processes too.
Run: .venv/bin/python bench/lockfile_parse_bench.py
"""

from __future__ import annotations

import collections
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from _common import REPO, WORK, timed
from tests.packages.helpers import SAMPLES, all_samples, file_text, parser_for_sample

from redline.sources.interface import SourceError
from redline.sources.packages import RequirementsParser

SHARED = REPO.parent / "shared" / "data"
ROUNDS = 20
CDX_VERSION = "7.5.0"
REQUIREMENT_LINES = 2000


def bench_samples() -> None:
    base = SHARED / SAMPLES
    rels = all_samples(SHARED)
    texts = [(rel, parser_for_sample(rel), file_text(base / rel, Path(rel).name)) for rel in rels]
    size = sum(len(t.data) for _, _, t in texts)
    best_total = float("inf")
    per_format: dict[str, float] = collections.defaultdict(lambda: float("inf"))
    packages = errors = 0
    for _ in range(ROUNDS):
        round_times: dict[str, float] = collections.defaultdict(float)
        packages = errors = 0
        start = time.perf_counter()
        for _rel, parser, text in texts:
            t0 = time.perf_counter()
            try:
                packages += len(parser.parse(text).packages)
            except SourceError:
                errors += 1
            round_times[parser.name] += time.perf_counter() - t0
        best_total = min(best_total, time.perf_counter() - start)
        for name, seconds in round_times.items():
            per_format[name] = min(per_format[name], seconds)
    counts = collections.Counter(parser.name for _, parser, _ in texts)
    print(f"samples: {len(texts)} files, {size / 1e3:.0f} kB, {packages} packages, {errors} rejected")
    print(f"all samples: best of {ROUNDS} rounds {best_total * 1e3:.1f} ms ({len(texts) / best_total:,.0f} files/s)")
    print(f"{'format':<16}{'files':>6}{'ms':>9}")
    for name in sorted(per_format, key=lambda n: -per_format[n]):
        print(f"{name:<16}{counts[name]:>6}{per_format[name] * 1e3:>9.2f}")


def cyclonedx_py() -> Path | None:
    venv = WORK / "cyclonedx-venv"
    exe = venv / "bin" / "cyclonedx-py"
    if not exe.exists():
        WORK.mkdir(parents=True, exist_ok=True)
        subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
        proc = subprocess.run(
            [str(venv / "bin" / "pip"), "install", "-q", f"cyclonedx-bom=={CDX_VERSION}"],
            check=False,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        if proc.returncode != 0:
            return None
    return exe


def big_requirements(path: Path) -> None:
    """A pinned, hashed requirements file of REQUIREMENT_LINES entries, with markers and extras."""
    lines = []
    for i in range(REQUIREMENT_LINES):
        marker = ' ; python_version >= "3.8"' if i % 3 == 0 else ""
        extra = "[security]" if i % 7 == 0 else ""
        lines.append(f"package-{i}{extra}=={i % 50}.{i % 7}.{i % 3}{marker} \\\n    --hash=sha256:{i:064x}")
    path.write_text("\n".join(lines) + "\n")


def bench_compare() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        req = Path(tmp) / "requirements.txt"
        big_requirements(req)
        text = file_text(req, "requirements.txt")
        best = min(_time(lambda: RequirementsParser().parse(text)) for _ in range(5))
        n = len(RequirementsParser().parse(text).packages)
        print(f"\nrequirements.txt with {n} pinned, hashed entries: redline parser in-process {best * 1e3:.1f} ms")
        script = (
            f"import sys; from pathlib import Path; sys.path.insert(0, {str(REPO)!r}); "
            "from tests.packages.helpers import file_text; "
            "from redline.sources.packages import RequirementsParser; "
            f"print(len(RequirementsParser().parse(file_text(Path({str(req)!r}), 'requirements.txt')).packages))"
        )
        ours = min((timed([sys.executable, "-c", script]) for _ in range(3)), key=lambda t: t.seconds)
        print(
            f"  redline (new process, import + parse): {ours.seconds:.2f} s, peak RSS {ours.peak_rss_mb:.0f} MB, "
            f"{ours.stdout.strip()} packages"
        )
        exe = cyclonedx_py()
        if exe is None:
            print("  cyclonedx-py: could not be installed, comparison skipped")
            return
        out = Path(tmp) / "bom.json"
        theirs = timed([str(exe), "requirements", str(req), "--of", "JSON", "-o", str(out)])  # one run: it is slow
        components = out.read_text().count('"bom-ref"') if out.exists() else 0
        print(
            f"  cyclonedx-py {CDX_VERSION} requirements (new process, parse + write SBOM): {theirs.seconds:.2f} s, "
            f"peak RSS {theirs.peak_rss_mb:.0f} MB, exit {theirs.returncode}, ~{components} bom-refs"
        )
        if ours.seconds:
            print(f"  ratio cyclonedx-py / redline: {theirs.seconds / ours.seconds:.1f}x")


def _time(fn: object) -> float:
    start = time.perf_counter()
    fn()  # type: ignore[operator]
    return time.perf_counter() - start


def main() -> None:
    if not (SHARED / SAMPLES).is_dir():
        print(f"samples not found at {SHARED / SAMPLES}")
        raise SystemExit(1)
    bench_samples()
    bench_compare()


if __name__ == "__main__":
    main()
