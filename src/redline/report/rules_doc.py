"""The rule reference (``docs/rules.md`` and ``redline rules explain``), from the registry."""

from __future__ import annotations

from itertools import groupby

from redline.core.rules import Rule, RuleRegistry


def rule_markdown(rule: Rule, level: int = 2) -> str:
    head = "#" * level
    tags = f"  \nTags: {', '.join(rule.tags)}" if rule.tags else ""
    body = rule.doc.markdown().replace("### ", "#" * (level + 1) + " ")
    off = (
        (
            f"  \nOff by default: enable it by its code (`--select {rule.code}`, or `select` in the config); "
            "a prefix such as `--select "
            f"{rule.prefix}` does not."
        )
        if rule.opt_in
        else ""
    )
    return (
        f"{head} {rule.code} {rule.name}\n\n{rule.summary}.  \n"
        f"Area: {rule.area.value} · default severity: {rule.severity}{tags}{off}\n\n{body}\n"
    )


def rules_markdown(registry: RuleRegistry) -> str:
    out = [
        "# redline rules",
        "",
        "Generated from the rule registry by `make docs` (`redline rules --markdown`); do not edit by hand.",
        "",
    ]
    out += ["| code | name | area | severity | summary |", "|---|---|---|---|---|"]
    out += [
        f"| [{r.code}](#{r.code.lower()}-{r.name}) | {r.name} | {r.area.value} | {r.severity} | {r.summary}"
        f"{' (off by default)' if r.opt_in else ''} |"
        for r in registry
    ]
    out.append("")
    for area, rules in groupby(sorted(registry, key=lambda r: (r.area.value, r.code)), key=lambda r: r.area.value):
        out += [f"## Area: {area}", ""]
        out += [rule_markdown(r, level=3) for r in rules]
    return "\n".join(out)
