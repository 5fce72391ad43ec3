"""``redline capacity``: how many replicas an operation needs, from Little's Law and M/M/c (Erlang C)."""

from __future__ import annotations

import argparse
import json
import sys
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING

from redline.cli import exit_codes

if TYPE_CHECKING:
    from redline.pipeline.capacity import CapacityQuestion
from redline.cli.common import UsageError, config_sections


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser("capacity", help="replicas and tail latency from Little's Law and M/M/c queueing")
    p.add_argument("--arrival-rate", type=float, help="requests per second at peak")
    p.add_argument("--service-time-ms", type=float, help="mean time one replica spends on a request")
    p.add_argument("--traces", type=Path, nargs="+", metavar="PATH", help="measure both per operation instead")
    p.add_argument("--replicas", type=int, help="also evaluate this replica count")
    p.add_argument("--target-utilisation", type=float, default=0.7, help="utilisation ceiling (default 0.7)")
    p.add_argument("--p99-ms", type=float, help="p99 response-time target")
    p.add_argument("--config", type=Path, help="config file (with --traces)")
    p.add_argument("--format", choices=("text", "json"), default="text")
    p.add_argument("--svg", type=Path, help="write the utilisation-latency curve(s) to this SVG file")
    p.set_defaults(func=run)


def _question(args: argparse.Namespace) -> CapacityQuestion:
    from redline.pipeline.capacity import CapacityQuestion

    if not 0 < args.target_utilisation < 1:
        raise UsageError("--target-utilisation must be between 0 and 1")
    if args.replicas is not None and args.replicas < 1:
        raise UsageError("--replicas must be at least 1")
    p99 = args.p99_ms / 1000 if args.p99_ms else None
    if args.traces:
        return CapacityQuestion("", 0, 0, args.replicas, args.target_utilisation, p99)
    if not args.arrival_rate or not args.service_time_ms or args.arrival_rate <= 0 or args.service_time_ms <= 0:
        raise UsageError("give --arrival-rate and --service-time-ms (both positive), or --traces PATH")
    return CapacityQuestion(
        "given", args.arrival_rate, args.service_time_ms / 1000, args.replicas, args.target_utilisation, p99
    )


def run(args: argparse.Namespace) -> int:
    from redline.core.config import ConfigError, find_config, load_config
    from redline.pipeline.capacity import answer, questions_from_traces
    from redline.pipeline.catalogue import load_catalogue

    question = _question(args)
    if args.traces:
        try:
            config = load_config(
                args.config or find_config(Path.cwd()), config_sections(load_catalogue(with_plugins=False))
            )
        except ConfigError as exc:
            raise UsageError(str(exc)) from None
        questions = questions_from_traces(args.traces, config, question)
        if not questions:
            sys.stderr.write("redline: no server spans with a duration in the traces given\n")
            return exit_codes.TOOL_ERROR
    else:
        questions = [replace(question)]
    answers = [answer(q) for q in questions]
    if args.svg:
        args.svg.write_text("\n".join(a["curve_svg"] for a in answers), encoding="utf-8")
    if args.format == "json":
        sys.stdout.write(
            json.dumps([{k: v for k, v in a.items() if k != "curve_svg"} for a in answers], indent=2) + "\n"
        )
    else:
        for a in answers:
            _print(a)
    return exit_codes.OK


def _print(a: dict[str, object]) -> None:
    out = sys.stdout
    out.write(
        f"{a['operation']}: {a['arrival_rate']:g}/s x {a['service_time_ms']:g} ms = "
        f"{a['concurrency']:g} requests in flight on average (Little's Law)\n"
    )
    for label in ("given", "recommended"):
        m = a.get(label)
        if isinstance(m, dict):
            out.write(
                f"  {label}: {m['replicas']} replicas, utilisation {m['utilisation']:.0%}, "
                f"P(wait) {m['p_wait']:.1%}, wait mean/p95/p99 {m['mean_wait_ms']}/{m['p95_wait_ms']}/"
                f"{m['p99_wait_ms']} ms, response p95/p99 {m['p95_response_ms']}/{m['p99_response_ms']} ms\n"
            )
        elif label == "recommended":
            out.write("  recommended: no replica count meets the p99 target (the service time itself is too long)\n")
