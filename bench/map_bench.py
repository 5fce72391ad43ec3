"""System map benchmark: a synthetic compose project of N services (each with an address variable naming
the next one) through the whole pipeline, then the HTML layout of the map.

Measures, in one process: the audit with the map step (every check), the map step's share, and the
report.html map section (layout + SVG + click data). The issue's bound: 2,000 components lay out in
under 5 s.

Usage: python bench/map_bench.py [--services 2000] [--repeat 3] [--code]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

from _common import REPO

sys.path.insert(0, str(REPO / "src"))

from redline.checks.builtin import builtin_checks
from redline.core.config import Config
from redline.core.facts import Facts
from redline.core.workspace import FileText, SourceFile, Workspace
from redline.pipeline.run import AuditRequest, run_audit
from redline.report.html import HtmlReporter
from redline.report.map_html import layout, render_svg
from redline.sources.builtin import builtin_file_sources, builtin_project_sources
from redline.sources.code.build import build_index
from redline.sources.containers.compose import ComposeSource
from redline.sources.interface import ProjectContext
from redline.sources.python import parse_module
from redline.synthesis.builtin import builtin_steps
from redline.synthesis.map.step import build_map


def write_project(root: Path, n: int, code: bool = False) -> None:
    """``code``: each service is built from its own folder whose Python module calls Redis, PostgreSQL and
    Stripe (the map's code join: one build-context lookup and three client calls per module)."""
    lines = ["services:"]
    for i in range(n):
        lines += [
            f"  svc{i}:",
            f"    build: ./svc{i}" if code else "    image: example/app:1",
            "    environment:",
            f"      NEXT_ADDR: svc{(i + 1) % n}:8080",
            f"      DATABASE_URL: postgres://u@db{i % 10}:5432/x",
        ]
        if code:
            (root / f"svc{i}").mkdir()
            (root / f"svc{i}" / "app.py").write_text(
                "import psycopg\nimport redis\nimport stripe\n\n"
                f"cache = redis.Redis(host='cache{i % 10}')\nconn = psycopg.connect('')\n"
                "stripe.Charge.create(amount=1)\n"
            )
    if code:
        lines += [line for k in range(10) for line in (f"  cache{k}:", "    image: redis:7")]
    (root / "docker-compose.yml").write_text("\n".join(lines) + "\n")


def code_facts(root: Path) -> list[object]:
    """The code index of every module (built here, as the code-index source does on a cache miss)."""
    out: list[object] = []
    for path in sorted(root.glob("svc*/app.py")):
        data = path.read_bytes()
        rel = path.relative_to(root).as_posix()
        text = FileText(SourceFile(rel, str(path), "python", len(data)), data, data.decode())
        out.append(build_index(parse_module(text)))
    return out


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--services", type=int, default=2000)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--code", action="store_true", help="services built here, with Python client calls")
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        write_project(root, args.services, args.code)
        audit, step, html, draw = [], [], [], []
        for _ in range(args.repeat):
            started = time.perf_counter()
            result = run_audit(
                AuditRequest(
                    root=root,
                    config=Config(jobs=1),
                    checks=builtin_checks(),
                    file_sources=builtin_file_sources(),
                    project_sources=builtin_project_sources(),
                    steps=builtin_steps(),
                )
            )
            audit.append(time.perf_counter() - started)
            files = tuple(Workspace(root, max_file_size=64 << 20).walk().files)
            out = ComposeSource().collect(ProjectContext(root, Config(), files))
            assert out.facts
            facts = [*out.facts, *(code_facts(root) if args.code else ())]
            started = time.perf_counter()
            build_map(Facts(facts), list(result.findings))
            step.append(time.perf_counter() - started)
            assert result.system_map is not None
            started = time.perf_counter()
            layout(result.system_map)
            render_svg(result.system_map)
            draw.append(time.perf_counter() - started)
            started = time.perf_counter()
            HtmlReporter().render(result)
            html.append(time.perf_counter() - started)
        m = result.system_map
        print(
            f"{args.services} services -> {len(m.components)} components, {len(m.flows)} flows, {len(m.probes)} probes"
        )
        for name, values in (
            ("audit (whole pipeline)", audit),
            ("map step alone", step),
            ("layout + SVG", draw),
            ("report.html render", html),
        ):
            print(
                f"  {name:24} median {statistics.median(values):.2f} s  (runs: {', '.join(f'{v:.2f}' for v in values)})"
            )


if __name__ == "__main__":
    main()
