"""``redline gate [PATH]``: audit, then apply the ``[policy]`` gate policies; say which failed and why."""

from __future__ import annotations

import argparse
import time
from pathlib import Path
from typing import TYPE_CHECKING

from redline.cli import exit_codes
from redline.cli.common import UsageError, add_scan_options, build_request, execute, split_codes

if TYPE_CHECKING:
    from redline.core.policy import PolicySettings, Reference
    from redline.core.result import AuditResult
    from redline.pipeline.run import AuditRequest


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser(
        "gate", help="audit and apply the [policy] gate policies (new findings, KEV, drift, SLA, latency, cost)"
    )
    add_scan_options(p, outputs=False)
    p.add_argument("--baseline", type=Path, help="new findings are those absent from this baseline")
    p.add_argument(
        "--against",
        choices=("baseline", "main"),
        help="compare with the baseline or the last recorded run on the main branch (default: [policy] against)",
    )
    p.add_argument("--store", metavar="URL", help="history store (default: [history] store, else .redline/history.db)")
    p.add_argument("--junit", type=Path, metavar="FILE", help="also write the outcome as JUnit XML")
    p.add_argument("--traces", type=Path, nargs="+", default=[], metavar="PATH", help="trace exports (latency-budget)")
    p.add_argument(
        "--cost", action="append", default=[], type=Path, metavar="EXPORT", help="billing exports (cost-budget)"
    )
    p.add_argument(
        "--cost-requests", action="append", default=[], metavar="[SERVICE=]FILE", help="request volume for --cost"
    )
    p.set_defaults(func=run)


def _with_evidence(req: AuditRequest, args: argparse.Namespace) -> AuditRequest:
    """The run also reads the trace and billing exports the budget policies judge."""
    from dataclasses import replace

    if args.cost:
        from redline.pipeline.cost import with_cost

        req = with_cost(req, args.cost, args.cost_requests)
    if args.traces:
        from redline.pipeline.traces import with_trace_paths

        req = replace(req, config=with_trace_paths(req.config, args.traces))
    return req


def _history(
    result: AuditResult, args: argparse.Namespace, settings: PolicySettings
) -> tuple[Reference | None, list[str] | None]:
    """The main-branch reference and the SLA breach lines from the store; (None, None) without one."""
    from redline.store.engine import StoreError, open_store, store_url
    from redline.store.query import breach_lines, main_reference
    from redline.store.session import scope_of, store_spec
    from redline.store.settings import HISTORY_SECTION

    history = result.config.settings(HISTORY_SECTION)
    spec = store_spec(history, args.store)
    root = Path(result.root)
    url = store_url(spec, root)
    if url.startswith("sqlite:///") and not Path(url.removeprefix("sqlite:///")).exists():
        return None, None
    try:
        engine = open_store(spec, root)
    except StoreError as exc:
        raise UsageError(str(exc)) from None
    scope = scope_of(root, split_codes(args.select), split_codes(args.ignore))
    try:
        ref = main_reference(engine, scope, settings.main_branch) if settings.against == "main" else None
        return ref, breach_lines(engine, scope, int(time.time()), history)
    finally:
        engine.dispose()


def run(args: argparse.Namespace) -> int:
    from dataclasses import replace

    from redline.core.atomic import write_atomic
    from redline.core.policy import POLICY_SECTION, Reference, Verdict, evaluate
    from redline.core.result import GATE_EXEMPT_TAG
    from redline.pipeline.catalogue import load_catalogue
    from redline.report.junit import render_junit

    result = execute(_with_evidence(build_request(args, load_catalogue()), args), args)
    if result.fatal_errors:
        for err in result.fatal_errors:
            print(f"redline: {err.where}: {err.reason}")
        print("redline gate: not decided: the run had tool errors")
        return exit_codes.TOOL_ERROR
    settings = result.config.settings(POLICY_SECTION)
    if args.against:
        settings = replace(settings, against=args.against)
    ref, breaches = _history(result, args, settings)
    if settings.against == "baseline" and args.baseline:
        ref = Reference(f"baseline {args.baseline}", fingerprints=result.baseline)
    items = [g for g in result.items if GATE_EXEMPT_TAG not in g.lead.tags]
    outcomes = evaluate(
        items,
        settings,
        ref,
        breaches,
        latency=result.latency,
        cost_doc=result.cost.document if result.cost is not None else None,
    )
    failed = any(o.verdict is Verdict.FAIL for o in outcomes)
    print(f"redline gate: {'FAILED' if failed else 'passed'}")
    for o in outcomes:
        print(f"  {o.verdict.upper():4} {o.policy}: {o.message}")
    if args.junit:
        write_atomic(args.junit, render_junit(outcomes))
    return exit_codes.GATE_FAILED if failed else exit_codes.OK
