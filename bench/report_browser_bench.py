"""report.html with 20,000 findings, opened in headless Chromium (issue 14: "opens in the browser in < 2 s").

Builds an audit result of N findings (real rule codes, two-thirds of them in root-cause groups of three
places, snippets, remediations, reasons, four components, half of them in a baseline), renders report.html,
then opens it in Debian's Chromium ``--repeat`` times and reads two figures:

- in-page: ``data-rendered`` on <html>, set by the page's script when the first page of the findings table
  is drawn = milliseconds from navigation start (HTML parse, the embedded JSON parsed, filtered, sorted,
  50 rows drawn);
- wall: the chromium process (start, load, script, DOM dump, exit) minus the same for a blank page, i.e.
  what the report adds to opening any page.

For a comparison, ``REDLINE_SRC=DIR`` renders with another checkout's ``src`` (e.g. ``git archive main src``
unpacked: the page before this one drew every row at load); its page has no ``data-rendered`` mark, so
only the wall figure is compared.

Usage: python bench/report_browser_bench.py [--findings 20000] [--repeat 5]
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from _common import REPO

sys.path.insert(0, os.environ.get("REDLINE_SRC") or str(REPO / "src"))

from redline.checks.builtin import builtin_checks
from redline.core.config import Config, OutputFormat
from redline.core.model import Factor, Finding, Location, PriorityFactors, Severity
from redline.core.result import AuditResult
from redline.core.rules import RuleRegistry
from redline.report.html import HtmlReporter

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")


def synthetic(n: int, grouped: bool) -> AuditResult:
    registry = RuleRegistry(rule for check in builtin_checks() for rule in check.rules)
    codes = sorted(r.code for r in registry)
    findings = []
    for i in range(n):
        code = codes[i % len(codes)]
        group = f"cause:{i // 3}" if grouped else ""
        findings.append(
            Finding(
                code,
                f"{registry.get(code).summary} (case {i}: orders.checkout → payments.charge, tenant {i % 97})",
                tuple(Severity)[i % 5],
                Location(
                    f"services/svc{i % 40}/app/module_{i % 500}.py",
                    1 + i % 900,
                    1 + i % 900,
                    snippet=f"response = client.post(url_{i}, json=payload)  # call {i}",
                ),
                component=("api", "worker", "orders", "payments")[i % 4],
                priority=PriorityFactors(
                    Factor(1 + i % 5, "in the handler of POST /checkout on api, exposed: published port"),
                    Factor(1 + (i // 5) % 5, "EPSS percentile 0.42"),
                    Factor(1 + (i // 25) % 5, "severity high, open 12 days (SLA 30 days)"),
                ),
                identity=f"f{i}",
                remediation="Pass an explicit timeout, retry idempotent calls with jittered backoff, and put a "
                "circuit breaker in front of the dependency so a slow peer cannot hold every worker.",
                group=group,
            )
        )
    return AuditResult(
        root="/srv/bench",
        findings=tuple(sorted(findings, key=Finding.sort_key)),
        rules=registry,
        config=Config(formats=(OutputFormat.HTML,)),
        baseline=frozenset(f.fingerprint for f in findings[: n // 2]),
    )


def open_page(url: str, profile: Path, mode: str) -> float:
    """Wall seconds of one chromium run: load the page, then dump its DOM or paint a 1366x768 screenshot."""
    assert CHROMIUM is not None
    action = ["--dump-dom"] if mode == "dump-dom" else ["--window-size=1366,768", f"--screenshot={profile}.png"]
    started = time.perf_counter()
    subprocess.run(
        [
            CHROMIUM,
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--no-first-run",
            "--disable-sync",
            "--disable-background-networking",
            "--disable-component-update",
            f"--user-data-dir={profile}",
            *action,
            url,
        ],
        capture_output=True,
        text=True,
        check=True,
        timeout=120,
    )
    return time.perf_counter() - started


def rendered_ms(url: str, profile: Path) -> float:
    """The page's own figure: ``data-rendered`` (ms from navigation start to the first table page drawn)."""
    assert CHROMIUM is not None
    proc = subprocess.run(
        [
            CHROMIUM,
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--no-first-run",
            "--disable-sync",
            f"--user-data-dir={profile}",
            "--dump-dom",
            url,
        ],
        capture_output=True,
        text=True,
        check=True,
        timeout=120,
    )
    return float(proc.stdout.split('data-rendered="', 1)[1].split('"', 1)[0])


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--findings", type=int, default=20_000)
    ap.add_argument("--repeat", type=int, default=5)
    ap.add_argument("--grouped", action="store_true", help="findings in root-cause groups of three (fewer rows)")
    ap.add_argument("--mode", choices=("dump-dom", "screenshot"), default="screenshot")
    args = ap.parse_args()
    result = synthetic(args.findings, args.grouped)
    started = time.perf_counter()
    html = HtmlReporter().render(result)
    render_s = time.perf_counter() - started
    with tempfile.TemporaryDirectory() as tmp:
        report, blank = Path(tmp) / "report.html", Path(tmp) / "blank.html"
        report.write_bytes(html)
        blank.write_text("<!doctype html><title>blank</title><p>blank</p>")
        in_page, walls, blanks = [], [], []
        marked = b"dataset.rendered" in html
        for k in range(args.repeat):
            if marked:
                in_page.append(rendered_ms(report.as_uri(), Path(tmp) / f"r{k}") / 1000)
            walls.append(open_page(report.as_uri(), Path(tmp) / f"p{k}", args.mode))
            blanks.append(open_page(blank.as_uri(), Path(tmp) / f"b{k}", args.mode))
    items = len(result.items)
    print(
        f"{args.findings:,} findings ({items:,} root-cause items), report.html {len(html) / 1e6:.1f} MB, "
        f"rendered in {render_s:.2f} s"
    )
    if in_page:
        print(
            f"in-page, navigation start to table drawn: median {statistics.median(in_page):.2f} s, "
            f"best {min(in_page):.2f} s, worst {max(in_page):.2f} s"
        )
    extra = [w - b for w, b in zip(walls, blanks, strict=True)]
    print(
        f"chromium wall ({args.mode}): report {statistics.median(walls):.2f} s, "
        f"blank page {statistics.median(blanks):.2f} s, "
        f"difference median {statistics.median(extra):.2f} s (worst {max(extra):.2f} s)"
    )


if __name__ == "__main__":
    main()
