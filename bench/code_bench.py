"""Every code rule (WEB1xx-3xx over the code index and entry points, LAT1xx tail-latency amplifiers) against
bandit on the Django 5.1.4 sdist: a cold run (empty index cache), a warm run (every module's index from the
cache), and `bandit -r`, in one run, each in its own process. Peer: bandit in bench/.work/bandit-venv."""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
from collections import Counter
from pathlib import Path

from _common import REPO, WORK, sdist, timed


def _bandit() -> Path:
    venv = WORK / "bandit-venv"
    if not (venv / "bin" / "bandit").exists():
        subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
        subprocess.run([str(venv / "bin" / "pip"), "install", "-q", "bandit"], check=True)
    return venv / "bin" / "bandit"


def main() -> int:
    tree = sdist("Django", "5.1.4")
    redline = REPO / ".venv" / "bin" / "redline"
    with tempfile.TemporaryDirectory() as tmp:
        env_cache = f"REDLINE_CACHE_DIR={tmp}/cache"
        cmd = [
            "env",
            env_cache,
            str(redline),
            "audit",
            str(tree),
            "--select",
            "WEB,LAT",
            "--out",
            f"{tmp}/out",
            "--format",
            "json",
            "-q",
            "--exit-zero",
        ]
        cold = timed(cmd)
        warm = timed(cmd)
        bandit = timed([str(_bandit()), "-r", "-q", "-f", "json", "-o", f"{tmp}/bandit.json", str(tree)])
        rules = Counter(f["rule"] for f in json.loads(Path(f"{tmp}/out/findings.json").read_text())["findings"])
    files = sum(1 for _ in tree.rglob("*.py"))
    print(f"Django 5.1.4 sdist ({files} .py files); findings {dict(sorted(rules.items()))}")
    runs = (("redline WEB+LAT, cold cache", cold), ("redline WEB+LAT, warm cache", warm), ("bandit -r", bandit))
    for name, t in runs:
        print(f"  {name:26} {t.seconds:7.2f} s  peak RSS {t.peak_rss_mb:6.0f} MB  rc={t.returncode}")
    print(f"  ratio cold/bandit {cold.seconds / bandit.seconds:.2f}, warm/bandit {warm.seconds / bandit.seconds:.2f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
