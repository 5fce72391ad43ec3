"""``redline traces PATH…``: measure every operation in trace exports and find the tail amplifiers.

Thin: parse arguments, load the configuration, call ``pipeline.traces``, print, write files."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from redline.pipeline.traces import TracesRun

from redline.cli import exit_codes
from redline.cli.common import UsageError, config_sections, exit_code


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser("traces", help="measure trace exports (OTLP JSON, Jaeger, Zipkin) and find tail amplifiers")
    p.add_argument("paths", nargs="+", type=Path, metavar="PATH", help="trace files or directories (gzip allowed)")
    p.add_argument("--out", type=Path, default=Path("redline-report"), help="output directory")
    p.add_argument("--config", type=Path, help="config file (default: redline.toml in the current directory)")
    p.add_argument("--db", type=Path, help="keep the span table in this DuckDB file for later queries")
    p.add_argument("--exit-zero", action="store_true", help="exit 0 even when the gate fails")
    p.add_argument("-q", "--quiet", action="store_true", help="print nothing but errors")
    p.add_argument("-v", "--verbose", action="count", default=0, help="more logging")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from redline.core.atomic import write_atomic
    from redline.core.config import ConfigError, find_config, load_config
    from redline.pipeline.catalogue import load_catalogue
    from redline.pipeline.traces import run_traces, traces_document
    from redline.report.json_report import JsonReporter

    try:
        config = load_config(
            args.config or find_config(Path.cwd()), config_sections(load_catalogue(with_plugins=False))
        )
    except ConfigError as exc:
        raise UsageError(str(exc)) from None
    outcome = run_traces(args.paths, config, str(args.db) if args.db else ":memory:")
    args.out.mkdir(parents=True, exist_ok=True)
    write_atomic(
        args.out / "traces.json", (json.dumps(traces_document(outcome), indent=2, ensure_ascii=False) + "\n").encode()
    )
    write_atomic(args.out / "findings.json", JsonReporter().render(outcome.result))
    for err in outcome.result.errors:
        sys.stderr.write(f"redline: {err.where}: {err.reason}\n")
    for item in outcome.result.skipped:
        sys.stderr.write(f"redline: not covered: {item.path}: {item.reason}\n")
    if not args.quiet:
        _print(outcome)
        print(f"  wrote {args.out / 'traces.json'}\n  wrote {args.out / 'findings.json'}")
    if not outcome.span_count:
        return exit_codes.TOOL_ERROR  # nothing could be read: say so by the exit code too
    return exit_code(outcome.result, exit_zero=args.exit_zero)


def _print(outcome: TracesRun) -> None:
    from rich.console import Console
    from rich.table import Table

    console = Console(file=sys.stdout, width=160)
    table = Table(
        title=f"{outcome.span_count:,} spans in {outcome.trace_count:,} traces from {len(outcome.files)} file(s)"
    )
    for column in (
        "service",
        "kind",
        "operation",
        "count",
        "QPS mean",
        "QPS max",
        "burst",
        "errors",
        "p50 ms",
        "p95 ms",
        "p99 ms",
        "self p95 ms",
    ):
        table.add_column(column, justify="left" if column in ("service", "kind", "operation") else "right")
    for m in outcome.measures:
        if m.kind in ("server", "consumer") or len(outcome.measures) <= 40:
            table.add_row(
                m.service,
                m.kind,
                m.operation[:60],
                f"{m.count:,}",
                f"{m.mean_qps:.2f}",
                str(m.max_qps),
                f"{m.burst_ratio:.1f}",
                f"{m.error_rate:.1%}",
                f"{m.p50_ms:g}",
                f"{m.p95_ms:g}",
                f"{m.p99_ms:g}",
                f"{m.self_p95_ms:g}",
            )
    console.print(table)
    for f in outcome.result.findings:
        traces = ", ".join(f.evidence.strings("trace_ids"))
        console.print(f"{f.rule} {f.severity}: {f.message}", markup=False, highlight=False)
        console.print(f"    traces: {traces}", highlight=False)
