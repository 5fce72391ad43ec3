"""Whole-audit precision, re-runnable (bench/results/precision-audit.md, issue 9).

Extracts the systems of precision-audit.md at their commits from the search tool's bare mirrors
(/work/.mirror/<owner>+<name>/repo, `git archive`), runs `redline audit` on each with the vulnerability
database built from ../shared/data by scripts/example_db.py, derives the report items the way the
document counts them (one item per rule and `Finding.group`, a `cause:` group one item across rules),
takes the same sample (all items up to 30, else 30 at the stride i*n//30 through findings.json's order)
and compares it with the stored verdicts (bench/results/precision-audit-verdicts.json). Sampled items
with no stored verdict are listed "to read": open them at the cited line, then add a verdict.

    python bench/precision_audit.py run          # extract, build the db, audit (slow: ~10 audits)
    python bench/precision_audit.py score        # items, sample, verdicts, figures (from the last run)
    python bench/precision_audit.py score --all  # judge every item, not only the sample

Nothing fetched is built, run or committed: trees and outputs live under bench/.work/precision-audit/.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from collections import defaultdict
from collections.abc import Iterable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
WORK = ROOT / "bench" / ".work" / "precision-audit"
MIRRORS = Path(os.environ.get("REDLINE_MIRRORS", "/work/.mirror"))
SHARED_DATA = ROOT.parent / "shared" / "data"
VERDICTS = ROOT / "bench" / "results" / "precision-audit-verdicts.json"
SAMPLE = 30

#: (short name, mirror folder, commit); the first eight are precision-audit.md's, the last two the
#: read-back of bench/README.md ("Read-back on two systems the tests never saw").
SYSTEMS: list[tuple[str, str, str]] = [
    ("example-voting-app", "dockersamples+example-voting-app", "63e9150ca17af4ed05880d4245e486481f73fcb4"),
    ("microservices-demo", "GoogleCloudPlatform+microservices-demo", "34ffea9175946982c3088ed84994fe6019ad6e92"),
    ("opentelemetry-demo", "open-telemetry+opentelemetry-demo", "054282e318317f2be09f67dd9b0d7d1278566cfa"),
    ("saleor", "saleor+saleor", "723cd4eba87dfc72822ade45dc08a3caa548428d"),
    ("AzureTRE", "microsoft+AzureTRE", "3b773995fb730b54b09028e3a5b6cc4a9b78bae1"),
    ("kuma", "mdn+kuma", "ae0860087cfb7ce19c9296f5dfbae10260dca759"),
    ("full-stack-fastapi-template", "fastapi+full-stack-fastapi-template", "68adb40d37425f6f8668ec7e5a054500d045e43e"),
    ("dvpwa", "anxolerd+dvpwa", "a1d8f89fac2e57093189853c6527c2b01fc1d9c1"),
    ("umami", "umami-software+umami", "c0ea3aefbee7a3429ee2f824b06dc4a9dbe0b7e1"),
    ("memos", "usememos+memos", "76a762924306e782871204f131f4033be5e8e41a"),
]


# --------------------------------------------------------------------------- run


def _git_dir(mirror: str) -> Path:
    base = MIRRORS / mirror
    return base / "repo" if (base / "repo").is_dir() else base


def extract(name: str, mirror: str, commit: str) -> Path:
    """The tree at ``commit``, blob by blob (``git cat-file --batch``): a snapshot lacks its largest files,
    which `git archive` would stop at; those are left out (the audit reads no image or archive anyway)."""
    tree = WORK / "trees" / name
    stamp = WORK / "trees" / f"{name}.commit"  # beside the tree, so the audit never reads it
    if stamp.is_file() and stamp.read_text().strip() == commit:
        return tree
    subprocess.run(["rm", "-rf", str(tree)], check=True)
    tree.mkdir(parents=True)
    git = ["git", "--git-dir", str(_git_dir(mirror))]
    listing = subprocess.run([*git, "ls-tree", "-r", "-z", commit], check=True, capture_output=True).stdout
    blobs: list[tuple[str, str, str]] = []
    for entry in listing.split(b"\0"):
        if not entry:
            continue
        meta, raw_path = entry.split(b"\t", 1)
        mode, kind, sha = meta.decode().split()
        if kind == "blob":
            blobs.append((mode, sha, raw_path.decode("utf-8", "surrogateescape")))
    missing = 0
    with subprocess.Popen([*git, "cat-file", "--batch"], stdin=subprocess.PIPE, stdout=subprocess.PIPE) as cat:
        assert cat.stdin is not None and cat.stdout is not None
        for mode, sha, path in blobs:
            cat.stdin.write(sha.encode() + b"\n")
            cat.stdin.flush()
            header = cat.stdout.readline().split()
            if len(header) < 3 or header[1] == b"missing":
                missing += 1
                continue
            data = cat.stdout.read(int(header[2]))
            cat.stdout.read(1)
            target = tree / path
            target.parent.mkdir(parents=True, exist_ok=True)
            if mode == "120000":
                continue  # symlinks are not followed into or out of the tree
            target.write_bytes(data)
        cat.stdin.close()
    if missing:
        print(f"  {name}: {missing} blob(s) absent from the snapshot (large files), left out", file=sys.stderr)
    stamp.write_text(commit + "\n")
    return tree


def build_db() -> Path:
    db = WORK / "db"
    subprocess.run([sys.executable, str(ROOT / "scripts" / "example_db.py"), str(SHARED_DATA), str(db)], check=True)
    return db


def audit(name: str, tree: Path, db: Path) -> float:
    out = WORK / "out" / name
    subprocess.run(["rm", "-rf", str(out)], check=True)
    out.mkdir(parents=True)
    env = dict(os.environ, REDLINE_CACHE_DIR=str(WORK / "cache"))
    redline = Path(sys.executable).with_name("redline")
    cmd = [
        str(redline),
        "audit",
        str(tree),
        "--db-dir",
        str(db),
        "--format",
        "json",
        "--format",
        "markdown",
        "--jobs",
        "1",
        "--no-record",
        "--exit-zero",
        "--out",
        str(out),
        "-q",
    ]
    start = time.monotonic()
    done = subprocess.run(cmd, env=env, check=False, capture_output=True, text=True)
    took = time.monotonic() - start
    (out / "stderr.txt").write_text(done.stderr)
    if done.returncode != 0:
        print(f"  {name}: redline exited {done.returncode} (see {out / 'stderr.txt'})", file=sys.stderr)
    return took


def run(names: Iterable[str]) -> None:
    wanted = set(names)
    subprocess.run(["rm", "-rf", str(WORK / "cache")], check=True)  # a fresh index cache, as the document says
    db = build_db()
    for name, mirror, commit in SYSTEMS:
        if wanted and name not in wanted:
            continue
        tree = extract(name, mirror, commit)
        took = audit(name, tree, db)
        print(f"{name}: audited in {took:.0f} s", flush=True)


# --------------------------------------------------------------------------- score

#: the tags of the reports' apart section (``core.context.APART_TAGS``): tests, docs and samples; advisories on
#: modules the code does not import
CONTEXT_TAGS = ("context:sample", "context:unreached")


def items(name: str) -> list[dict[str, Any]]:
    """The report items of one audit: findings.json's root-cause items (one per rule and ``Finding.group``, a
    ``cause:`` group one item across rules), suppressed ones left out, in the file's order."""
    doc = json.loads((WORK / "out" / name / "findings.json").read_text())
    return [f for f in doc["findings"] if not f.get("suppressed")]


def places(item: dict[str, Any]) -> list[tuple[str, str, int, str]]:
    """(rule, path, line, resource) of the lead and of every other place of the item."""
    loc = item["location"]
    out = [(item["rule"], loc["path"], loc["start_line"], loc["resource"])]
    out += [(r["rule"], r["path"], r["start_line"], r["resource"]) for r in item.get("related_locations", [])]
    return out


def context_tag(item: dict[str, Any]) -> str:
    """The apart section's tag the item carries, or ""."""
    return next((tag for tag in CONTEXT_TAGS if tag in item["tags"]), "")


def in_context(item: dict[str, Any]) -> bool:
    return bool(context_tag(item))


def stride_sample(seq: list[dict[str, Any]], n: int = SAMPLE) -> list[dict[str, Any]]:
    """All items up to ``n``, else ``n`` at the stride i*len//n (precision-audit.md's sample)."""
    return list(seq) if len(seq) <= n else [seq[i * len(seq) // n] for i in range(n)]


def load_verdicts() -> dict[tuple[str, str, str, int, str], dict[str, Any]]:
    rows = json.loads(VERDICTS.read_text())["verdicts"] if VERDICTS.is_file() else []
    return {(v["system"], v["rule"], v["path"], v["line"], v["resource"]): v for v in rows}


def verdict_of(
    system: str, item: dict[str, Any], verdicts: dict[tuple[str, str, str, int, str], dict[str, Any]]
) -> dict[str, Any] | None:
    """The stored verdict of the item: its lead's place first, else any other of its places (an item led by
    another of its places since it was read keeps its verdict)."""
    for rule, path, line, resource in places(item):
        found = verdicts.get((system, rule, path, line, resource))
        if found:
            return found
    return None


def where(item: dict[str, Any]) -> str:
    loc = item["location"]
    text = str(loc["path"]) + (f":{loc['start_line']}" if loc["start_line"] else "")
    text += f" `{loc['resource']}`" if loc["resource"] else ""
    extra = item.get("occurrences", 1) - 1
    return text + (f" (+{extra})" if extra > 0 else "") + (" [context]" if in_context(item) else "")


def context_lines(all_items: list[dict[str, Any]]) -> list[str]:
    """The context section as the default reports show it: one line per reason and rule
    (``report/context_summary``)."""
    return sorted({f"{context_tag(i)} {i['rule']}" for i in all_items if in_context(i)})


def _tally(rows: list[tuple[dict[str, Any], dict[str, Any] | None]]) -> dict[str, int]:
    out = {"read": 0, "A": 0, "W": 0, "N": 0, "to read": 0}
    for _, v in rows:
        if v is None:
            out["to read"] += 1
        else:
            out["read"] += 1
            out[v["verdict"]] += 1
    return out


def score(names: Iterable[str], *, every: bool, markdown: bool) -> int:
    wanted = set(names)
    verdicts = load_verdicts()
    totals: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    unread: list[str] = []
    table: list[str] = []
    noisy: dict[str, list[str]] = defaultdict(list)
    print("| system | items (context) | context lines | read | whole A / W / N | main list A / read | to read |")
    print("|---|---|---:|---:|---|---|---:|")
    for name, _, _ in SYSTEMS:
        if (wanted and name not in wanted) or not (WORK / "out" / name / "findings.json").is_file():
            continue
        all_items = items(name)
        chosen = all_items if every else stride_sample(all_items)
        rows = [(i, verdict_of(name, i, verdicts)) for i in chosen]
        whole = _tally(rows)
        main = _tally([(i, v) for i, v in rows if not in_context(i)])
        lines = context_lines(chosen)  # the sampled context items, one line per rule as the reports show them
        n_ctx = sum(in_context(i) for i in all_items)
        print(
            f"| {name} | {len(all_items)} ({n_ctx}) | {len(lines)} | {whole['read']} | "
            f"{whole['A']} / {whole['W']} / {whole['N']} | {main['A']} / {main['read']} | {whole['to read']} |"
        )
        for key, n in (("items", len(all_items)), ("context", n_ctx), ("lines", len(lines))):
            totals["all"][key] += n
        for key in ("read", "A", "W", "N", "to read"):
            totals["whole"][key] += whole[key]
            totals["main"][key] += main[key]
        for k, (item, v) in enumerate(rows, start=1):
            if v is not None and v["verdict"] != "A" and not in_context(item):
                noisy[item["rule"]].append(f"{v['verdict']} {name} {where(item)}: {v['why']}")
            if v is None:
                unread.append(f"{name}\t{item['rule']} {item['severity']}\t{where(item)}\t{item['message'][:140]}")
            elif markdown:
                table.append(
                    f"| {name} | {k} | {item['rule']} {item['severity']} | {where(item)} | {v['verdict']} | "
                    f"{v['why']} |"
                )
    _figures(totals)
    _noise(noisy)
    if table:
        print("\n| system | # | rule | where (+ other places of the item) | verdict | why |")
        print("|---|---:|---|---|---|---|")
        print("\n".join(table))
    if unread:
        print(f"\nto read ({len(unread)}): open each at its cited line, then add a verdict to {VERDICTS.name}")
        print("\n".join(unread))
    return 0


def _noise(noisy: dict[str, list[str]]) -> None:
    """The main list's items read as noise (N) or wrong (W), by rule, most first."""
    if not noisy:
        return
    print(f"\nmain list, not actionable ({sum(map(len, noisy.values()))}), by rule:")
    for rule, rows in sorted(noisy.items(), key=lambda kv: (-len(kv[1]), kv[0])):
        print(f"  {rule} ({len(rows)})")
        for row in rows:
            print(f"    {row}")


def _pct(a: int, b: int) -> str:
    return f"{a}/{b} ({100 * a / b:.0f} %)" if b else "-"


def _figures(totals: dict[str, dict[str, int]]) -> None:
    whole, main, counts = totals["whole"], totals["main"], totals["all"]
    print(f"\nitems {counts['items']} ({counts['context']} in the context section, {counts['lines']} context lines)")
    print(
        f"whole audit, context items counted as noise: A {_pct(whole['A'], whole['read'])}, "
        f"W {_pct(whole['W'], whole['read'])}, to read {whole['to read']}"
    )
    print(f"main list (context section left out): A {_pct(main['A'], main['read'])}, W {_pct(main['W'], main['read'])}")
    # as the default reports show it: the main list, then one line per rule of the context section, each line
    # counted as one more noise item (the reader still reads it)
    shown = main["read"] + counts["lines"]
    print(
        f"as shown by default (main list + one line per context rule, each counted as noise): "
        f"A {_pct(main['A'], shown)}"
    )


# --------------------------------------------------------------------------- main


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    sub = parser.add_subparsers(dest="command", required=True)
    p_run = sub.add_parser("run", help="extract the trees, build the database, audit each system")
    p_run.add_argument("systems", nargs="*", help="only these systems (default: all)")
    p_score = sub.add_parser("score", help="derive items, sample them, compare with the stored verdicts")
    p_score.add_argument("systems", nargs="*", help="only these systems (default: all)")
    p_score.add_argument("--all", action="store_true", help="every item, not only the stride sample")
    p_score.add_argument("--markdown", action="store_true", help="print the sampled items as a markdown table")
    args = parser.parse_args(argv)
    if args.command == "run":
        run(args.systems)
        return 0
    return score(args.systems, every=args.all, markdown=args.markdown)


if __name__ == "__main__":
    raise SystemExit(main())
