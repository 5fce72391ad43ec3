"""Containers benchmark: redline's Kubernetes/Dockerfile/compose sources and checks.

1. In-process phase timings on bench/corpus/containers (and, with --registry,
   the manifests and Dockerfiles that kopf, dask-kubernetes and
   apache-airflow-providers-cncf-kubernetes ship on PyPI): parse, file checks,
   project checks; findings per rule.
2. Parse time of a synthetic 20 MB manifest (CRD-like documents).
3. End-to-end wall time, same files, same run: ``redline audit --select
   KUB,DKR,CMP,RUN`` vs ``checkov -d --framework kubernetes dockerfile``
   (checkov from bench/.work/checkov-venv, which bench/iac_bench.py installs;
   skipped when absent). Median of --repeat alternating runs.

Usage: python bench/containers_bench.py [--repeat 3] [--registry] [--no-checkov]
"""

from __future__ import annotations

import argparse
import collections
import json
import shutil
import statistics
import subprocess
import sys
import tarfile
import tempfile
import time
from pathlib import Path
from typing import Any

import yaml
from _common import REPO, WORK, timed

sys.path.insert(0, str(REPO / "src"))

from redline.checks.containers import checks
from redline.checks.interface import Check, CheckContext, FileCheck, ProjectCheck
from redline.core.config import Config
from redline.core.facts import Facts
from redline.core.workspace import SourceFile, Workspace, read_file
from redline.sources.containers import file_sources, project_sources
from redline.sources.containers.kubernetes import parse_manifest
from redline.sources.interface import ProjectContext, SourceError

CORPUS = REPO / "bench" / "corpus" / "containers"
REGISTRY = (
    ("kopf", "1.45.2"),
    ("dask-kubernetes", "2026.3.0"),
    ("apache-airflow-providers-cncf-kubernetes", "10.25.0"),
)
CHECKOV = WORK / "checkov-venv" / "bin" / "checkov"
KEEP = (".yaml", ".yml", ".env", "dockerfile")


def sdist(package: str, version: str) -> Path:
    """``pip download`` one sdist into bench/.work/containers-sdists and unpack it (cached)."""
    home = WORK / "containers-sdists"
    norm = package.lower().replace("-", "_")
    target = home / f"{norm}-{version}"
    if target.is_dir():
        return target
    home.mkdir(parents=True, exist_ok=True)
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
            str(home),
        ],
        check=True,
        capture_output=True,
    )
    archive = next(
        p
        for p in home.iterdir()
        if p.name.lower().replace("-", "_").startswith(f"{norm}_{version}")
        or p.name.lower().startswith(f"{norm}-{version}")
    )
    with tarfile.open(archive) as tar:
        tar.extractall(home, filter="data")
    unpacked = next(
        p for p in home.iterdir() if p.is_dir() and p.name.lower().replace("-", "_") == target.name.replace("-", "_")
    )
    if unpacked != target:
        unpacked.rename(target)
    return target


def build(registry: bool) -> Path:
    # outside bench/.work: checkov's Kubernetes runner skips paths under hidden directories
    target = Path(tempfile.gettempdir()) / "redline-containers-bench"
    if target.exists():
        shutil.rmtree(target)
    shutil.copytree(CORPUS, target / "corpus")
    if registry:
        for name, version in REGISTRY:
            root = sdist(name, version)
            for path in root.rglob("*"):
                low = path.name.lower()
                if (
                    path.is_file()
                    and (low.endswith(KEEP) or low.startswith("dockerfile"))
                    and not any(part.startswith(".") for part in path.relative_to(root).parts[:-1])
                ):
                    dest = target / "registry" / path.relative_to(root.parent)
                    dest.parent.mkdir(parents=True, exist_ok=True)
                    shutil.copy(path, dest)
    return target


def _parse_all(root: Path) -> tuple[list[SourceFile], list[object], int]:
    """Every file through every file source, then the project sources: (files, facts, files refused)."""
    walk = Workspace(root, max_file_size=5 * 1024 * 1024).walk()
    facts: list[object] = []
    errors = 0
    for file in walk.files:
        for source in file_sources():
            if source.wants(file):
                try:
                    fact = source.parse(read_file(file))
                except SourceError:
                    errors += 1
                    continue
                if fact is not None:
                    facts.append(fact)
    for project_source in project_sources():
        facts.extend(project_source.collect(ProjectContext(root, Config(), tuple(walk.files))).facts)
    return list(walk.files), facts, errors


def _file_findings(cs: list[Check], facts: list[object], ctx: CheckContext) -> list[Any]:
    findings: list[Any] = []  # findings, skips and tool errors, as the checks yield them
    for check in cs:
        if isinstance(check, FileCheck):
            for fact in facts:
                if isinstance(fact, check.fact_types):
                    findings.extend(check.check_file(fact, ctx))
    return findings


def in_process(root: Path) -> None:
    t0 = time.perf_counter()
    files, facts, errors = _parse_all(root)
    t1 = time.perf_counter()
    cs = checks()
    ctx = CheckContext(root, Config(), frozenset(r.code for c in cs for r in c.rules))
    findings = _file_findings(cs, facts, ctx)
    t2 = time.perf_counter()
    bag = Facts(facts)
    for check in cs:
        if isinstance(check, ProjectCheck):
            findings.extend(check.check(bag, ctx))
    t3 = time.perf_counter()
    size = sum(f.size for f in files)
    print(
        f"in-process: {len(files)} files ({size / 1024:.0f} KiB), facts {Facts(facts).counts()}, "
        f"{errors} files refused (parse errors)"
    )
    print(
        f"  parse {t1 - t0:.3f} s | file checks {t2 - t1:.3f} s | project checks {t3 - t2:.3f} s | "
        f"{len(findings)} findings"
    )
    per_rule = collections.Counter(f.rule for f in findings)
    print("  " + ", ".join(f"{k} {v}" for k, v in sorted(per_rule.items())))


def big_manifest() -> None:
    doc = json.dumps(
        {
            "apiVersion": "apiextensions.k8s.io/v1",
            "kind": "CustomResourceDefinition",
            "metadata": {"name": "x"},
            "spec": {
                "versions": [
                    {
                        "name": "v1",
                        "schema": {
                            "openAPIV3Schema": {
                                "properties": {
                                    f"f{i}": {
                                        "type": "object",
                                        "properties": {
                                            f"s{j}": {"type": "string", "description": "y" * 40} for j in range(8)
                                        },
                                    }
                                    for i in range(20)
                                }
                            }
                        },
                    }
                ]
            },
        }
    )
    block = "\n".join(line for line in _as_block_yaml(doc))
    text = "\n---\n".join([block] * (20 * 1024 * 1024 // len(block) + 1))
    t = time.process_time()
    m = parse_manifest("big.yaml", text)
    cpu = time.process_time() - t
    print(
        f"20 MB manifest ({len(text) / 1e6:.1f} MB, {len(m.objects) if m else 0} objects): "
        f"parse {cpu:.2f} s CPU ({len(text) / 1e6 / cpu:.1f} MB/s)"
    )


#: nine levels of nine aliases (387 million strings once expanded): refused, and quickly
BILLION_LAUGHS = (
    "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: lol}\ndata:\n  a: &a ["
    + ",".join(['"lol"'] * 9)
    + "]\n"
    + "".join(f"  {c}: &{c} [{','.join([f'*{p}'] * 9)}]\n" for p, c in zip("abcdefgh", "bcdefghi", strict=True))
)


def billion_laughs() -> None:
    t = time.perf_counter()
    try:
        parse_manifest("bomb.yaml", BILLION_LAUGHS)
        outcome = "PARSED (the alias limit did not hold)"
    except SourceError as exc:
        outcome = f"refused: {exc}"
    print(f"billion laughs: {outcome} in {time.perf_counter() - t:.3f} s wall")


def _as_block_yaml(doc: str) -> list[str]:
    return yaml.safe_dump(json.loads(doc), sort_keys=False).splitlines()


def end_to_end(root: Path, repeat: int, with_checkov: bool) -> None:
    red, chk, idle = [], [], []
    note_r = note_c = ""
    with tempfile.TemporaryDirectory() as tmp:
        empty = Path(tmp) / "empty"
        empty.mkdir()
        for i in range(repeat):
            out = Path(tmp) / f"r{i}"
            idle.append(
                timed(
                    [
                        str(REPO / ".venv" / "bin" / "redline"),
                        "audit",
                        str(empty),
                        "--out",
                        str(Path(tmp) / f"e{i}"),
                        "--quiet",
                        "--exit-zero",
                        "--format",
                        "json",
                        "--select",
                        "KUB,DKR,CMP,RUN",
                    ]
                ).seconds
            )
            t = timed(
                [
                    str(REPO / ".venv" / "bin" / "redline"),
                    "audit",
                    str(root),
                    "--out",
                    str(out),
                    "--quiet",
                    "--exit-zero",
                    "--format",
                    "json",
                    "--select",
                    "KUB,DKR,CMP,RUN",
                ]
            )
            red.append(t.seconds)
            data = json.loads((out / "findings.json").read_text())
            note_r = f"{len(data['findings'])} findings, {len(data['errors'])} per-file errors"
            if with_checkov:
                c = timed(
                    [
                        str(CHECKOV),
                        "-d",
                        str(root),
                        "--framework",
                        "kubernetes",
                        "dockerfile",
                        "--quiet",
                        "--compact",
                        "-o",
                        "json",
                        "--skip-download",
                    ]
                )
                chk.append(c.seconds)
                note_c = _checkov_summary(c.stdout)
    r = statistics.median(red)
    print(f"redline audit  median {r:.2f} s  runs {[round(x, 2) for x in red]}  {note_r}")
    print(f"  of which start-up (same command on an empty directory): median {statistics.median(idle):.2f} s")
    if chk:
        c = statistics.median(chk)
        print(f"checkov        median {c:.2f} s  runs {[round(x, 2) for x in chk]}  {note_c}")
        print(f"ratio redline/checkov = {r / c:.3f}")


def _checkov_summary(stdout: str) -> str:
    start = min((i for i in (stdout.find("["), stdout.find("{")) if i >= 0), default=-1)
    try:
        data = json.loads(stdout[start:])
    except ValueError:
        return "output not parsed"
    reports = data if isinstance(data, list) else [data]
    failed = sum(r.get("summary", {}).get("failed", 0) for r in reports if isinstance(r, dict))
    passed = sum(r.get("summary", {}).get("passed", 0) for r in reports if isinstance(r, dict))
    kinds = ",".join(str(r.get("check_type")) for r in reports if isinstance(r, dict))
    return f"{failed} failed / {passed} passed checks ({kinds})"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--registry", action="store_true", help="add manifests shipped by PyPI packages")
    parser.add_argument("--no-checkov", action="store_true")
    args = parser.parse_args()
    root = build(args.registry)
    in_process(root)
    big_manifest()
    billion_laughs()
    end_to_end(root, args.repeat, CHECKOV.exists() and not args.no_checkov)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
