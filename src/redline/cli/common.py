"""Options and steps shared by the commands that scan a tree (audit, baseline, secrets …).

The pipeline, the reporters and rich are imported when a command runs, not when the parser is built,
so ``redline --version`` and ``redline rules`` start at once.
"""

from __future__ import annotations

import argparse
import logging
import sys
from dataclasses import replace
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Any, TextIO

from redline.cli import exit_codes
from redline.cli.validate import InvalidInput, validate

if TYPE_CHECKING:
    from redline.core.config import Config, SectionSpec
    from redline.core.result import AuditResult
    from redline.pipeline.catalogue import Catalogue
    from redline.pipeline.run import AuditRequest

log = logging.getLogger("redline")


#: the output formats (``redline.core.config.FORMATS``, spelled here so that building the parser imports
#: nothing; a test keeps the two equal)
FORMATS = ("json", "sarif", "markdown", "html", "cyclonedx", "map-json", "mermaid", "dot", "threats-csv")


class UsageError(Exception):
    """Bad arguments or configuration: exit code 2 with the message."""


def add_scan_options(p: argparse.ArgumentParser, *, outputs: bool = True) -> None:
    p.add_argument("path", nargs="?", default=".", help="the tree to audit (default: .)")
    p.add_argument(
        "--config", type=Path, help="config file (default: redline.toml or [tool.redline] in pyproject.toml)"
    )
    p.add_argument(
        "--select",
        action="append",
        default=[],
        metavar="CODES",
        help="only these rules (codes, prefixes like SEC, or names; comma-separated, repeatable)",
    )
    p.add_argument("--ignore", action="append", default=[], metavar="CODES", help="skip these rules")
    p.add_argument("--exclude", action="append", default=[], metavar="GLOB", help="gitignore-style glob to skip")
    p.add_argument("--max-file-size", metavar="SIZE", help="skip (and report) larger files, e.g. 5MB")
    p.add_argument("--include-ignored", action="store_true", help="also scan files .gitignore excludes")
    p.add_argument("--jobs", type=int, help="worker processes (default 0: one per core; at most 4 per core)")
    p.add_argument("-q", "--quiet", action="store_true", help="no progress, only errors")
    p.add_argument("-v", "--verbose", action="count", default=0, help="more logging (-vv for debug)")
    if outputs:
        p.add_argument("--out", type=Path, default=Path("redline-report"), help="output directory")
        p.add_argument(
            "--format",
            action="append",
            choices=FORMATS,
            dest="formats",
            help="output format (repeatable; default from config: all)",
        )
        p.add_argument(
            "--fail-on",
            help="gate severity: info, low, medium, high, critical (default: high); add budget policies with "
            "commas: high,latency-budget,cost-budget ([policy] tolerances)",
        )
        p.add_argument("--exit-zero", action="store_true", help="exit 0 even when the gate fails")
        p.add_argument(
            "--fail-on-not-covered",
            action="store_true",
            default=None,
            help="fail the gate when an input redline reads (a lockfile, a manifest …) could not be parsed "
            "or read (config: fail_on_not_covered)",
        )
        p.add_argument("--baseline", type=Path, help="only findings absent from this baseline count toward the gate")
        p.add_argument(
            "--show-context",
            action="store_true",
            default=None,
            help="list findings in tests, docs, samples and development files, and advisories on modules the code "
            "does not import, one by one in the reports "
            '(default: one line per rule; config: [report] context = "list")',
        )


def split_codes(values: list[str]) -> tuple[str, ...]:
    return tuple(c.strip() for v in values for c in v.split(",") if c.strip())


def config_sections(catalogue: Catalogue, *, file: bool = True) -> list[SectionSpec[Any]]:
    """Every table a redline.toml may hold: the families' and the run's own (history, scoring, policy, plan).
    Every command loads the file against this one list, so a file one command accepts, all accept. Without
    a ``file``, the tables of what the run loaded are enough: each is parsed to its defaults, and the run's
    own tables are read at theirs by ``Config.settings`` (nothing imports the history store's settings)."""
    if not file:
        return catalogue.run_sections
    from redline.core.plan import PLAN_SECTION
    from redline.core.policy import POLICY_SECTION
    from redline.core.priority import SCORING_SECTION
    from redline.report.context_summary import REPORT_SECTION
    from redline.store.settings import HISTORY_SECTION

    return [*catalogue.sections, HISTORY_SECTION, SCORING_SECTION, POLICY_SECTION, PLAN_SECTION, REPORT_SECTION]


def load_run_config(args: argparse.Namespace, root: Path, catalogue: Catalogue) -> Config:
    from redline.core.config import ConfigError, OutputFormat, find_config, load_config, parse_size

    path = args.config or find_config(root)
    try:
        config = load_config(path, config_sections(catalogue, file=path is not None))
        overrides: dict[str, object] = {}
        if args.exclude:
            overrides["exclude"] = (*config.exclude, *args.exclude)
        if args.max_file_size:
            overrides["max_file_size"] = parse_size(args.max_file_size, "--max-file-size")
        if args.jobs is not None:
            overrides["jobs"] = args.jobs
        if getattr(args, "fail_on", None):
            overrides.update(fail_on_overrides(config, args.fail_on))
        if getattr(args, "fail_on_not_covered", None):
            overrides["fail_on_not_covered"] = True
        if getattr(args, "formats", None):
            overrides["formats"] = tuple(OutputFormat(f) for f in args.formats)
        config = config.with_overrides(**overrides)
        return show_context(config) if getattr(args, "show_context", None) else config
    except (ConfigError, ValueError) as exc:
        raise UsageError(str(exc)) from None


def show_context(config: Config) -> Config:
    """``--show-context``: the reports list findings in tests, docs and samples, and advisories on modules the
    code does not import, one by one."""
    from redline.report.context_summary import LIST, REPORT_SECTION, ReportSettings

    return config.with_settings(REPORT_SECTION, ReportSettings(context=LIST))


def fail_on_overrides(config: Config, value: str) -> dict[str, object]:
    """``--fail-on high`` or ``--fail-on high,latency-budget,cost-budget``: a severity and/or budget policies."""
    from redline.core.model import Severity
    from redline.core.policy import BUDGET_POLICIES, POLICY_SECTION

    out: dict[str, object] = {}
    parts = [p.strip() for p in value.split(",") if p.strip()]
    policies = tuple(p for p in parts if p in BUDGET_POLICIES)
    for part in (p for p in parts if p not in BUDGET_POLICIES):
        try:
            out["fail_on"] = Severity.parse(part)
        except ValueError:
            raise ValueError(
                f"--fail-on: {part!r} is neither a severity (info … critical) nor one of {', '.join(BUDGET_POLICIES)}"
            ) from None
    if policies:
        settings = replace(config.settings(POLICY_SECTION), audit_fail_on=policies)
        out["parsed_sections"] = {**config.parsed_sections, POLICY_SECTION.name: settings}
    return out


def build_request(args: argparse.Namespace, catalogue: Catalogue, **options: object) -> AuditRequest:
    root = Path(args.path)
    if not root.is_dir():
        raise UsageError(f"{root}: not a directory")
    config = load_run_config(args, root, catalogue)
    from redline.core.model import Stage, ToolError
    from redline.pipeline.run import AuditRequest
    from redline.store.baseline import read_baseline

    baseline = frozenset[str]()
    if getattr(args, "baseline", None):
        try:
            baseline = read_baseline(args.baseline)
        except ValueError as exc:
            raise UsageError(str(exc)) from None
    select, ignore = split_codes(args.select), split_codes(args.ignore)
    for code in (*select, *ignore):
        if not catalogue.known_rules.matching([code]):
            raise UsageError(f"--select/--ignore: no rule matches {code!r}")
    try:
        validate(
            config,
            lambda: [catalogue.known_rules],
            root,
            jobs_from_cli=args.jobs is not None,
            out=args.out if hasattr(args, "formats") else None,
        )
    except InvalidInput as exc:
        raise UsageError(str(exc)) from None
    return AuditRequest(
        root=root,
        config=config,
        checks=catalogue.checks,
        file_sources=catalogue.file_sources,
        project_sources=catalogue.project_sources,
        steps=catalogue.steps,
        select=select,
        ignore=ignore,
        baseline=baseline,
        options=dict(options),
        include_ignored=args.include_ignored,
        extra_errors=[ToolError("plugins", p, stage=Stage.PLUGIN, fatal=True) for p in catalogue.plugin_problems],
    )


def reports_ahead(req: AuditRequest) -> AuditRequest:
    """The request, its report writers loaded while the workers parse (``finish`` writes them after the run)."""
    from redline.report.formats import ready_reports

    return replace(req, ahead=(*req.ahead, partial(ready_reports, req.config.formats)))


def execute(req: AuditRequest, args: argparse.Namespace) -> AuditResult:
    from redline.cli.progress import make_progress
    from redline.pipeline.run import run_audit

    return run_audit(req, make_progress(args.quiet))


def finish(result: AuditResult, args: argparse.Namespace) -> int:
    """Write the reports, print a short summary, and choose the exit code."""
    from redline.report.formats import write_reports

    try:
        written = write_reports(result, args.out, result.config.formats)
    except OSError as exc:
        log.error(
            "cannot write the reports to %s: %s; nothing was written and the previous reports there are unchanged",
            args.out,
            exc.strerror or exc,
        )
        return exit_codes.TOOL_ERROR
    if not args.quiet:
        print_summary(result, gating=len(result.gate))
        print(f"  wrote {len(written)} file(s) to {args.out.resolve()}:")
        for path in written:
            print(f"  wrote {path}")
    elif result.budget_failures:  # quiet: the failed budget policies are still said, on stderr
        for outcome in result.budget_failures:
            log.error("gate failed: %s: %s", outcome.policy, outcome.message)
    for err in result.fatal_errors:
        log.error("%s: %s", err.where, err.reason)
    return exit_code(result, exit_zero=args.exit_zero)


def exit_code(result: AuditResult, *, exit_zero: bool) -> int:
    if result.fatal_errors:
        return exit_codes.TOOL_ERROR
    if result.gate_failed() and not exit_zero:
        return exit_codes.GATE_FAILED
    return exit_codes.OK


def print_summary(result: AuditResult, *, gating: int) -> None:
    from redline.core.model import Severity, Stage

    by_sev: dict[str, int] = {}
    items = result.items  # one per root cause
    for f in (g.lead for g in items):
        by_sev[str(f.severity)] = by_sev.get(str(f.severity), 0) + 1
    counts = ", ".join(f"{by_sev[str(s)]} {s}" for s in reversed(Severity) if str(s) in by_sev) or "none"
    out = sys.stdout
    places = f", {len(result.active)} places" if len(result.active) != len(items) else ""
    out.write(
        f"redline: {len(items)} finding(s) ({counts}{places}) in {result.stats.files_scanned:,} files, "
        f"{result.stats.seconds:.2f}s\n"
    )
    for err in result.errors:  # what a source or check could not vouch for is said on the terminal too
        if not err.fatal and err.stage == Stage.NOTICE:
            out.write(f"  note: {err.reason}\n")
    suppressed = len(result.findings) - len(result.active)
    if suppressed:
        out.write(f"  {suppressed} suppressed inline\n")
    for err in result.errors:  # non-fatal problems of a whole input, e.g. no vulnerability database
        if not err.fatal and str(getattr(err.stage, "value", err.stage)) == "source":
            out.write(f"  warning: {err.where}: {err.reason}\n")
    print_context(result, out)
    print_not_covered(result, out)
    verdict = "FAILED" if result.gate_failed() else "passed"
    out.write(f"  gate {verdict} at {result.config.fail_on}: {gating} new finding(s) at or above it\n")
    if result.not_covered_gating:
        out.write(f"  gate FAILED: {len(result.not_covered_gating)} input(s) not covered (fail_on_not_covered)\n")
    for outcome in result.budget_failures:
        out.write(f"  gate FAILED: {outcome.policy}: {outcome.message}\n")


def print_context(result: AuditResult, out: TextIO) -> None:
    """How many findings are listed apart (in tests, docs, samples and development files; advisories the code
    does not reach), one line per reason and rule."""
    from redline.report.context_summary import context_lines, context_total, how_ranked, items_by_reason

    for reason, items in items_by_reason(result.items):
        lines = context_lines(items)
        out.write(f"  {context_total(lines)} of them {reason.what} ({how_ranked(reason, lines)}):\n")
        for line in lines:
            out.write(f"    {line.text()}\n")


#: not-covered entries printed in the terminal summary; the reports list every one
SUMMARY_NOT_COVERED = 10


def print_not_covered(result: AuditResult, out: TextIO) -> None:
    if not result.skipped:
        return
    state = "on" if result.config.fail_on_not_covered else "off"
    out.write(f"  {len(result.skipped)} input(s) not covered (fail_on_not_covered is {state}):\n")
    for item in result.skipped[:SUMMARY_NOT_COVERED]:
        out.write(f"    {item.path}: {item.reason}\n")
    if len(result.skipped) > SUMMARY_NOT_COVERED:
        out.write(f"    … and {len(result.skipped) - SUMMARY_NOT_COVERED} more (listed in the report)\n")
