"""``redline cost EXPORT...``: cost per component, tenant, feature and request, and the cost findings."""

from __future__ import annotations

import argparse
import re
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from redline.cli.common import FORMATS, UsageError, config_sections, exit_code, split_codes

if TYPE_CHECKING:
    from redline.pipeline.cost import CostRequest, CostRun

#: ``redline.pipeline.cost.METRICS``, spelled here so that building the parser imports nothing
METRICS = ("EffectiveCost", "BilledCost", "ListCost")

_PERIOD = re.compile(r"^\d{4}-(0[1-9]|1[0-2])$")
TOP_ROWS = 15


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser("cost", help="cost per component, tenant, feature and request from billing exports")
    p.add_argument(
        "exports",
        nargs="+",
        type=Path,
        metavar="EXPORT",
        help="FOCUS 1.0-1.2, AWS CUR 2.0 or Azure cost export: .csv, .csv.gz, .parquet, or a folder",
    )
    p.add_argument(
        "--requests",
        action="append",
        default=[],
        metavar="[SERVICE=]FILE",
        help="request volume: requests CSV, Prometheus query result JSON, access log or JSON lines "
        "(repeatable; SERVICE= names the service of a log)",
    )
    p.add_argument(
        "--traces",
        action="append",
        default=[],
        type=Path,
        metavar="PATH",
        help="request volume from traces: server spans per service, tenant and route per day "
        "(OTLP/Jaeger/Zipkin JSON files or folders; repeatable)",
    )
    p.add_argument("--baseline-period", metavar="YYYY-MM", help="evaluate 'cost per request down 20 %%' against it")
    p.add_argument("--metric", choices=METRICS, help="cost column (default: [cost] metric or EffectiveCost)")
    p.add_argument("--out", type=Path, default=Path("redline-report"), help="output directory")
    p.add_argument(
        "--format",
        action="append",
        choices=FORMATS,
        dest="formats",
        help="findings output format besides cost.json (repeatable; default: json)",
    )
    p.add_argument("--config", type=Path, help="config file (default: redline.toml in the current directory)")
    p.add_argument("--select", action="append", default=[], metavar="CODES", help="only these rules")
    p.add_argument("--ignore", action="append", default=[], metavar="CODES", help="skip these rules")
    p.add_argument("--fail-on", help="gate severity (default: high)")
    p.add_argument("--exit-zero", action="store_true", help="exit 0 even when the gate fails")
    p.add_argument("-q", "--quiet", action="store_true", help="no tables, only errors")
    p.add_argument("-v", "--verbose", action="count", default=0, help="more logging")
    p.set_defaults(func=run)


def build_cost_request(args: argparse.Namespace) -> CostRequest:
    from redline.core.config import ConfigError, OutputFormat, find_config, load_config
    from redline.core.model import Severity
    from redline.pipeline.catalogue import load_catalogue
    from redline.pipeline.cost import CostRequest, cost_settings

    if args.baseline_period and not _PERIOD.match(args.baseline_period):
        raise UsageError(f"--baseline-period {args.baseline_period!r}: expected YYYY-MM")
    catalogue = load_catalogue()
    try:
        config = load_config(args.config or find_config(Path.cwd()), config_sections(catalogue))
        if args.fail_on:
            config = config.with_overrides(fail_on=Severity.parse(args.fail_on))
        config = config.with_overrides(formats=tuple(OutputFormat(f) for f in args.formats or ("json",)))
        settings = cost_settings(config)
    except (ConfigError, ValueError) as exc:
        raise UsageError(str(exc)) from None
    if args.metric:
        from dataclasses import replace

        settings = replace(settings, metric=args.metric)
    return CostRequest(
        tuple(args.exports),
        config,
        settings,
        tuple(args.requests),
        args.baseline_period or "",
        split_codes(args.select),
        split_codes(args.ignore),
        tuple(args.traces),
    )


def run(args: argparse.Namespace) -> int:
    from redline.core.atomic import write_atomic
    from redline.pipeline.cost import cost_document, run_cost
    from redline.report.cost_json import render_cost_json
    from redline.report.formats import write_reports

    cost_run = run_cost(build_cost_request(args))
    result = cost_run.result
    written = write_reports(result, args.out, result.config.formats)
    cost_path = args.out / "cost.json"
    write_atomic(cost_path, render_cost_json(cost_document(cost_run.dataset, cost_run.criteria)))
    if not args.quiet:
        print_tables(cost_run)
        for path in (cost_path, *written):
            print(f"  wrote {path}")
    return exit_code(result, exit_zero=args.exit_zero)


def _table(title: str, rows: Sequence[Sequence[str]]) -> None:
    out = sys.stdout
    out.write(f"\n{title}\n")
    if not rows:
        out.write("  (none)\n")
        return
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    for row in rows[: TOP_ROWS + 1]:
        out.write(
            "  " + "  ".join(c.rjust(w) if i else c.ljust(w) for i, (c, w) in enumerate(zip(row, widths, strict=True)))
        )
        out.write("\n")
    if len(rows) > TOP_ROWS + 1:
        out.write(f"  … {len(rows) - TOP_ROWS - 1} more in cost.json\n")


def print_tables(run: CostRun) -> None:
    from redline.pipeline.cost import component_costs, rollup

    ds = run.dataset
    for f in ds.files:
        sys.stdout.write(f"read {f.path}: {f.dialect} {f.version}, {f.rows:,} rows\n")
    for path, reason in ds.problems:
        sys.stdout.write(f"not covered: {path}: {reason}\n")
    for name, key in (("provider", lambda ln: (ln.provider,)), ("month", lambda ln: (ln.month,))):
        totals = rollup(ds.lines, key)
        _table(
            f"{ds.settings.metric} by {name}",
            [("currency", name, "amount")]
            + [(k[0], k[1], f"{v:,.2f}") for k, v in sorted(totals.items(), key=lambda kv: -kv[1])],
        )
    comps = sorted(component_costs(ds), key=lambda c: -c.total)
    _table(
        "by component (with shared cost)",
        [("currency", "month", "component", "direct", "shared", "total")]
        + [
            (c.currency, c.month, c.component, f"{c.direct:,.2f}", f"{c.shared:,.2f}", f"{c.total:,.2f}") for c in comps
        ],
    )
    for c in run.criteria:
        sys.stdout.write(
            f"\ncost per request vs {c.baseline_month or 'baseline'} {c.currency}: {c.status} — {c.reason}\n"
        )
    sys.stdout.write(f"\n{len(run.result.active)} finding(s)\n")
    for finding in run.result.active:
        sys.stdout.write(f"  {finding.rule} {finding.severity}: {finding.message}\n")
