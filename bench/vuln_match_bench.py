"""Vulnerability matching benchmark (issue 4).

1. Build the SQLite vulnerability database from ../shared/data (OSV PyPI+npm, KEV, EPSS, SPDX).
2. Write a requirements file pinning 2,000 PyPI packages: every package the OSV data names, each
   pinned to a version inside one of its advisories where the data lists one (so matching does real
   work), padded with popular packages that have no advisories.
3. Time, in-process: parsing that file, and matching it against the full PyPI database (the VUL check:
   lookup, OSV range evaluation, alias grouping, smallest upgrade, KEV/EPSS enrichment). Target < 1 s.
4. Time, as separate processes on the same file: ``redline sbom`` (parse + match + CycloneDX) and
   ``cyclonedx-py requirements`` (cyclonedx-bom, SBOM only, no vulnerability data), installed in
   bench/.work/cdx-venv (``python -m venv bench/.work/cdx-venv && bench/.work/cdx-venv/bin/pip install
   cyclonedx-bom``).

Run: .venv/bin/python bench/vuln_match_bench.py
"""

from __future__ import annotations

import json
import os
import sqlite3
import statistics
import subprocess
import sys
import time
import zlib
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _common import REPO, WORK, Timing
from packaging.version import InvalidVersion, Version

from redline.checks.interface import CheckContext
from redline.checks.supply_chain import matching
from redline.checks.supply_chain.vulns import VulnerableDependencyCheck
from redline.core.config import Config
from redline.core.facts import Facts
from redline.core.workspace import SourceFile, read_file
from redline.sources.advisories.database import DB_FILENAME
from redline.sources.advisories.status import AdvisoryDbStatus
from redline.sources.packages.python_requirements import RequirementsParser

SHARED = REPO.parent / "shared" / "data"
TARGET = 2000
PYPI_LIST = Path("/work/.library/env/packages/pypi.tsv")


def timed(cmd: list[str]) -> Timing:
    """Wall time and this child's own peak RSS (os.wait4, not the running maximum over all children)."""
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    assert proc.stdout is not None
    out = proc.stdout.read()
    _, status, usage = os.wait4(proc.pid, 0)
    proc.returncode = os.waitstatus_to_exitcode(status)
    return Timing(time.perf_counter() - start, usage.ru_maxrss / 1024, proc.returncode, out)


def build_db(db_dir: Path) -> Timing:
    """``redline db update`` as its own process (so this process stays small for the RSS figures)."""
    return timed(
        [
            str(REPO / ".venv" / "bin" / "redline"),
            "db",
            "update",
            "--db-dir",
            str(db_dir),
            "--mirror",
            str(SHARED),
            "--ecosystem",
            "PyPI",
            "--ecosystem",
            "npm",
            "-q",
        ]
    )


def _pep440(text: str) -> bool:
    try:
        Version(text)
    except InvalidVersion:
        return False
    return True


def pins(db_dir: Path) -> list[tuple[str, str]]:
    conn = sqlite3.connect(db_dir / DB_FILENAME)
    chosen: dict[str, str] = {}
    names = [n for (n,) in conn.execute("SELECT DISTINCT name FROM affected WHERE ecosystem = 'PyPI' ORDER BY name")]
    for name in names:
        (entry,) = conn.execute(
            "SELECT entry FROM affected WHERE ecosystem = 'PyPI' AND name = ? ORDER BY rowid LIMIT 1", (name,)
        ).fetchone()
        doc = json.loads(zlib.decompress(entry))
        valid = [v for v in doc["v"] if _pep440(v)]
        chosen[name] = valid[len(valid) // 2] if valid else "0.0.1"
    conn.close()
    padding = []
    if PYPI_LIST.is_file():
        with PYPI_LIST.open(encoding="utf-8", errors="replace") as lines:  # 75 MB: stream it
            next(lines, None)
            for line in lines:
                name = line.split("\t", 1)[0].strip().lower()
                if name and name.replace("-", "").replace("_", "").replace(".", "").isalnum() and name not in chosen:
                    padding.append(name)
                if len(chosen) + len(padding) >= TARGET:
                    break
    i = 0
    while len(chosen) + len(padding) < TARGET:
        padding.append(f"bench-filler-{i}")
        i += 1
    out = sorted(chosen.items())[:TARGET] + [(n, "1.0.0") for n in padding[: TARGET - len(chosen)]]
    return out


def main() -> None:
    WORK.mkdir(parents=True, exist_ok=True)
    db_dir = WORK / "vulndb"
    build = build_db(db_dir)
    req = WORK / "bench-requirements.txt"
    pinned = pins(db_dir)
    req.write_text("".join(f"{n}=={v}\n" for n, v in pinned), encoding="utf-8")

    start = time.perf_counter()
    manifest = RequirementsParser().parse(
        read_file(SourceFile(req.name, str(req), "package-manifest", req.stat().st_size))
    )
    parse_s = time.perf_counter() - start

    check = VulnerableDependencyCheck()
    status = AdvisoryDbStatus(str(db_dir / DB_FILENAME))
    ctx = CheckContext(WORK, Config(), frozenset({"VUL101", "VUL102", "VUL103"}))
    runs = []
    findings = []
    for _ in range(5):
        matching._key.cache_clear()  # every run cold: no version parsed before
        matching._prepared.cache_clear()
        start = time.perf_counter()
        findings = list(check.check(Facts([manifest, status]), ctx))
        runs.append(time.perf_counter() - start)

    env = {**os.environ, "REDLINE_DB_DIR": str(db_dir)}
    os.environ.update(env)
    sbom_dir = WORK / "sbom2000"
    sbom_dir.mkdir(exist_ok=True)
    (sbom_dir / "requirements.txt").write_text(req.read_text(encoding="utf-8"), encoding="utf-8")
    redline = timed(
        [
            str(REPO / ".venv" / "bin" / "redline"),
            "sbom",
            str(sbom_dir),
            "--out",
            str(WORK / "bench.cdx.json"),
            "-q",
            "--select",
            "VUL",
        ]
    )
    cdx_bin = WORK / "cdx-venv" / "bin" / "cyclonedx-py"
    cdx = timed([str(cdx_bin), "requirements", str(req), "-o", str(WORK / "cdx-py.json")]) if cdx_bin.exists() else None

    packages = {p.key for p in manifest.packages}
    vulnerable = {dict(f.evidence)["package"] for f in findings}
    print(f"packages in SBOM:            {len(manifest.packages):,} ({len(packages):,} distinct)")
    print(
        f"redline db update (process): {build.seconds:.2f} s, peak RSS {build.peak_rss_mb:.0f} MB, "
        f"rc {build.returncode}, {(db_dir / DB_FILENAME).stat().st_size / 1e6:.1f} MB database"
    )
    print(f"parse requirements file:     {parse_s * 1000:.0f} ms")
    print(f"match (VUL check), 5 runs:   median {statistics.median(runs):.3f} s, max {max(runs):.3f} s")
    print(f"  vulnerable packages:       {len(vulnerable):,}; findings (alias groups): {len(findings):,}")
    bom = json.loads((WORK / "bench.cdx.json").read_text()) if (WORK / "bench.cdx.json").exists() else {}
    print(
        f"redline sbom (process):      {redline.seconds:.2f} s, peak RSS {redline.peak_rss_mb:.0f} MB, "
        f"rc {redline.returncode}, {len(bom.get('components', []))} components, "
        f"{len(bom.get('vulnerabilities', []))} vulnerabilities"
    )
    if cdx is not None:
        doc = json.loads((WORK / "cdx-py.json").read_text()) if (WORK / "cdx-py.json").exists() else {}
        print(
            f"cyclonedx-py requirements:   {cdx.seconds:.2f} s, peak RSS {cdx.peak_rss_mb:.0f} MB, "
            f"rc {cdx.returncode}, {len(doc.get('components', []))} components (no vulnerability data)"
        )
    else:
        print("cyclonedx-py requirements:   not installed (see the module docstring)")


if __name__ == "__main__":
    main()
