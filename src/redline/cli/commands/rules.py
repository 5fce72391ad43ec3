"""``redline rules``: list rules; ``redline rules explain CODE``: print one."""

from __future__ import annotations

import argparse
import sys

from redline.cli import exit_codes
from redline.cli.catalogue import load_catalogue
from redline.core.model import Area
from redline.report.rules_doc import rule_markdown, rules_markdown


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser("rules", help="list rules, or explain one")
    p.add_argument("--area", choices=[a.value for a in Area], help="only rules of this area")
    p.add_argument("--markdown", action="store_true", help="print the full rule reference (docs/rules.md)")
    inner = p.add_subparsers(dest="action")
    explain = inner.add_parser("explain", help="print one rule's documentation")
    explain.add_argument("code", help="rule code or name, e.g. RES101")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    registry = load_catalogue().registry
    if args.action == "explain":
        try:
            code = args.code.upper() if args.code.upper() in registry else registry.matching([args.code]).pop()
            rule = registry.get(code)
        except KeyError:
            sys.stderr.write(f"redline: no rule {args.code!r}; see `redline rules`\n")
            return exit_codes.TOOL_ERROR
        sys.stdout.write(rule_markdown(rule))
        return exit_codes.OK
    if args.markdown:
        sys.stdout.write(rules_markdown(registry))
        return exit_codes.OK
    rules = [r for r in registry if not args.area or r.area.value == args.area]
    width = max((len(r.name) for r in rules), default=10)
    for r in rules:
        sys.stdout.write(f"{r.code:<8} {r.name:<{width}}  {r.area.value:<11} {r.severity!s:<8} {r.summary}\n")
    return exit_codes.OK
