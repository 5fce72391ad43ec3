"""Shared benchmark helpers: fetch a real code base from the registry, read its Python modules, time a
command with its peak RSS."""

from __future__ import annotations

import ast
import importlib
import resource
import subprocess
import sys
import tarfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

WORK = Path(__file__).resolve().parent / ".work"
REPO = Path(__file__).resolve().parents[1]


def sdist(package: str, version: str) -> Path:
    """Download and unpack ``package==version`` from PyPI (sdist) into bench/.work; cached."""
    WORK.mkdir(parents=True, exist_ok=True)
    target = WORK / f"{package}-{version}"
    unpacked = [p for p in WORK.iterdir() if p.is_dir() and p.name.lower() == target.name.lower()]
    if unpacked:  # ``django`` and ``Django`` name one sdist: one tree, whoever unpacked it
        return unpacked[0]
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "download",
            "-q",
            "--no-binary",
            ":all:",
            "--no-deps",
            f"{package}=={version}",
            "-d",
            str(WORK),
        ],
        check=True,
    )
    archive = next(
        p
        for p in WORK.iterdir()
        if p.name.lower().startswith(f"{package.lower()}-{version}") and p.name.endswith((".tar.gz", ".zip"))
    )
    with tarfile.open(archive) as tar:
        tar.extractall(WORK, filter="data")
    unpacked = next(p for p in WORK.iterdir() if p.is_dir() and p.name.lower() == f"{package.lower()}-{version}")
    if unpacked != target:
        unpacked.rename(target)
    return target


def python_modules(root: Path) -> list[Any]:
    """Every ``*.py`` under ``root`` that parses, as ``PythonModule`` (path relative to ``root``), in path
    order. ``redline.sources.python`` is imported here, late: from the source tree the caller put first on
    ``sys.path`` (a bench may measure another checkout's)."""
    python = importlib.import_module("redline.sources.python")
    found = []
    for path in sorted(root.rglob("*.py")):
        text = path.read_text(encoding="utf-8", errors="replace")
        try:
            tree = ast.parse(text)
        except SyntaxError:
            continue
        rel = path.relative_to(root).as_posix()
        found.append(python.PythonModule(rel, tree, tuple(text.splitlines()), python.collect_imports(tree)))
    return found


@dataclass
class Timing:
    seconds: float
    peak_rss_mb: float
    returncode: int
    stdout: str


def timed(cmd: list[str], cwd: Path | None = None) -> Timing:
    """Run a command; wall time and the peak RSS of the largest child (ru_maxrss of RUSAGE_CHILDREN)."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    start = time.perf_counter()
    proc = subprocess.run(cmd, cwd=cwd, capture_output=True, text=True, check=False)
    seconds = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    # ru_maxrss of children is a running maximum: run the heavier command last or in its own process
    return Timing(seconds, max(after, before) / 1024, proc.returncode, proc.stdout + proc.stderr)
