"""``redline rules``: list rules; ``redline rules explain CODE``: print one.

Both read the rule index (no check is imported); plugin rules are added when plugins are installed.
"""

from __future__ import annotations

import argparse
import sys
from typing import TYPE_CHECKING

from redline.cli import exit_codes

if TYPE_CHECKING:
    from redline.core.rules import Rule, RuleRegistry

#: the areas (``redline.core.model.Area``), spelled here so building the parser imports nothing; a test
#: keeps the two equal
AREAS = ("performance", "security", "resilience", "cost", "map")


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser("rules", help="list rules, or explain one")
    p.add_argument("--area", choices=AREAS, help="only rules of this area")
    p.add_argument("--markdown", action="store_true", help="print the full rule reference (docs/rules.md)")
    inner = p.add_subparsers(dest="action")
    explain = inner.add_parser("explain", help="print one rule's documentation")
    explain.add_argument("code", help="rule code or name, e.g. RES101 (a prefix such as RES lists its rules)")
    p.set_defaults(func=run)


def registry() -> RuleRegistry:
    """Every rule: the built-in ones from the index, plus those of installed plugins."""
    from redline.core.rules import RuleRegistry
    from redline.pipeline.catalogue import plugin_rules
    from redline.pipeline.rule_index import rule_index

    builtin = rule_index().registry
    extra = plugin_rules({r.code for r in builtin})
    return RuleRegistry([*builtin, *extra]) if extra else builtin


def run(args: argparse.Namespace) -> int:
    rules = registry()
    if args.action == "explain":
        return explain(rules, args.code)
    from redline.report.rules_doc import rules_markdown

    if args.markdown:
        sys.stdout.write(rules_markdown(rules))
        return exit_codes.OK
    _table([r for r in rules if not args.area or r.area.value == args.area])
    return exit_codes.OK


def explain(rules: RuleRegistry, wanted: str) -> int:
    """One rule's documentation; a selector that matches several rules (a prefix) lists them instead."""
    from redline.report.rules_doc import rule_markdown

    code = wanted.upper()
    matches = [code] if code in rules else sorted(rules.matching([wanted]))
    if not matches:
        sys.stderr.write(f"redline: no rule {wanted!r}; see `redline rules`\n")
        return exit_codes.TOOL_ERROR
    if len(matches) == 1:
        sys.stdout.write(rule_markdown(rules.get(matches[0])))
        return exit_codes.OK
    sys.stdout.write(f"{wanted!r} matches {len(matches)} rules; explain one of them:\n")
    _table([rules.get(c) for c in matches])
    return exit_codes.OK


def _table(rules: list[Rule]) -> None:
    width = max((len(r.name) for r in rules), default=10)
    for r in rules:
        sys.stdout.write(f"{r.code:<8} {r.name:<{width}}  {r.area.value:<11} {r.severity!s:<8} {r.summary}\n")
