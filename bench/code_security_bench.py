"""WEB rules (entry points, injection at sinks, settings) against bandit and semgrep, side by side in one run,
over the Django 5.1.4 sdist and the web applications unpacked under bench/.work/apps/<name>/ (each a
`git archive` of a public repository; see bench/README.md for the commits). For each tree: wall time and peak
RSS of each tool (each measured by /usr/bin/time in its own process, cold redline cache), and for the flaw
classes two tools cover, what each reports (by file and line).

Peers are installed from PyPI into bench/.work/bandit-venv and bench/.work/semgrep-venv; semgrep runs offline
with the local taint rules in bench/semgrep/web-flaws.yml (no registry rules, metrics off)."""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
from collections import defaultdict
from pathlib import Path

from _common import REPO, WORK, sdist

#: flaw class -> (redline rules, bandit tests, semgrep rule ids)
CLASSES: dict[str, tuple[set[str], set[str], set[str]]] = {
    "sql injection": ({"WEB201"}, {"B608"}, {"request-to-sql"}),
    "shell injection": ({"WEB202"}, {"B602", "B604", "B605"}, {"request-to-shell"}),
    "path traversal": ({"WEB203"}, set(), {"request-to-file-path"}),
    "ssrf": ({"WEB204"}, set(), {"request-to-outbound-url"}),
    "ssti": ({"WEB205"}, set(), {"request-to-template-source"}),
    "deserialisation": ({"WEB206"}, {"B301", "B302", "B506"}, {"request-to-deserialiser"}),
    "open redirect": ({"WEB207"}, set(), {"request-to-redirect"}),
    "debug on": ({"WEB301"}, {"B201"}, set()),
    "weak password hash": ({"WEB302"}, {"B324", "B303"}, set()),
    "hard-coded key": ({"WEB307"}, {"B105", "B106"}, set()),
    "mark_safe/Markup": ({"WEB308"}, {"B308", "B703"}, set()),
    "autoescape off": ({"WEB309"}, {"B701"}, set()),
}


def _venv_tool(name: str, package: str) -> Path:
    venv = WORK / f"{name}-venv"
    if not (venv / "bin" / name).exists():
        subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
        subprocess.run([str(venv / "bin" / "pip"), "install", "-q", package], check=True)
    return venv / "bin" / name


def _measured(cmd: list[str], env: dict[str, str] | None = None) -> tuple[float, float]:
    """Wall seconds and peak RSS (MB) of one command, in its own process (GNU time)."""
    with tempfile.NamedTemporaryFile("r", suffix=".time") as out:
        subprocess.run(
            ["/usr/bin/time", "-f", "%e %M", "-o", out.name, *cmd],
            env={**os.environ, **(env or {})},
            capture_output=True,
            check=False,
        )
        seconds, kb = out.read().split()[-2:]
    return float(seconds), int(kb) / 1024


def _redline(tree: Path, tmp: Path) -> tuple[float, float, list[tuple[str, str, int]]]:
    out = tmp / "redline"
    cmd = [str(REPO / ".venv" / "bin" / "redline"), "audit", str(tree), "--select", "WEB", "--out", str(out)]
    cmd += ["--format", "json", "-q", "--exit-zero"]
    seconds, mb = _measured(cmd, {"REDLINE_CACHE_DIR": str(tmp / "cache")})
    found = json.loads((out / "findings.json").read_text())["findings"]
    return seconds, mb, [(f["rule"], f["location"]["path"], f["location"]["start_line"]) for f in found]


def _bandit(tree: Path, tmp: Path) -> tuple[float, float, list[tuple[str, str, int]]]:
    out = tmp / "bandit.json"
    seconds, mb = _measured([str(_venv_tool("bandit", "bandit")), "-r", "-q", "-f", "json", "-o", str(out), str(tree)])
    found = json.loads(out.read_text())["results"]
    return seconds, mb, [(r["test_id"], str(Path(r["filename"]).relative_to(tree)), r["line_number"]) for r in found]


def _semgrep(tree: Path, tmp: Path) -> tuple[float, float, list[tuple[str, str, int]]] | None:
    tool = WORK / "semgrep-venv" / "bin" / "semgrep"
    if not tool.exists():
        return None
    out = tmp / "semgrep.json"
    rules = REPO / "bench" / "semgrep" / "web-flaws.yml"
    cmd = [str(tool), "scan", "--config", str(rules), "--metrics=off", "--disable-version-check", "--json"]
    cmd += ["--output", str(out), "--quiet", "--jobs", "1", "--no-git-ignore", str(tree)]
    seconds, mb = _measured(cmd, {"SEMGREP_SEND_METRICS": "off", "HOME": str(tmp)})
    if not out.exists():
        return None
    found = json.loads(out.read_text())["results"]
    return (
        seconds,
        mb,
        [(r["check_id"].rsplit(".", 1)[-1], str(Path(r["path"]).relative_to(tree)), r["start"]["line"]) for r in found],
    )


def _by_class(found: list[tuple[str, str, int]], tool: int) -> dict[str, set[tuple[str, int]]]:
    classes: dict[str, set[tuple[str, int]]] = defaultdict(set)
    for rule, path, line in found:
        for name, ids in CLASSES.items():
            if rule in ids[tool]:
                classes[name].add((path, line))
    return classes


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--apps", type=Path, default=WORK / "apps")
    parser.add_argument("--skip-django", action="store_true")
    args = parser.parse_args()
    trees = [] if args.skip_django else [sdist("Django", "5.1.4")]
    trees += sorted(p for p in args.apps.iterdir() if p.is_dir()) if args.apps.is_dir() else []
    print("| tree | .py files | redline WEB s / MB | bandit -r s / MB | semgrep (local rules) s / MB |")
    print("|---|---:|---:|---:|---:|")
    overlap: list[str] = []
    for tree in trees:
        with tempfile.TemporaryDirectory() as raw:
            tmp = Path(raw)
            red = _redline(tree, tmp)
            ban = _bandit(tree, tmp)
            sem = _semgrep(tree, tmp)
        files = sum(1 for _ in tree.rglob("*.py"))
        sem_cell = f"{sem[0]:.1f} / {sem[1]:.0f}" if sem else "–"
        print(f"| {tree.name} | {files} | {red[0]:.1f} / {red[1]:.0f} | {ban[0]:.1f} / {ban[1]:.0f} | {sem_cell} |")
        by_tool = [_by_class(red[2], 0), _by_class(ban[2], 1), _by_class(sem[2], 2) if sem else {}]
        for name in CLASSES:
            counts = [len(t.get(name, ())) for t in by_tool]
            if any(counts):
                near = _near(by_tool[0].get(name, set()), by_tool[1].get(name, set()) | by_tool[2].get(name, set()))
                overlap.append(f"| {tree.name} | {name} | {counts[0]} | {counts[1]} | {counts[2]} | {near} |")
    print("\n| tree | flaw class | redline | bandit | semgrep | redline findings a peer also reports (±2 lines) |")
    print("|---|---|---:|---:|---:|---:|")
    print("\n".join(overlap))
    return 0


def _near(ours: set[tuple[str, int]], theirs: set[tuple[str, int]]) -> int:
    return sum(1 for path, line in ours if any(p == path and abs(q - line) <= 2 for p, q in theirs))


if __name__ == "__main__":
    raise SystemExit(main())
