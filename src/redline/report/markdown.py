"""``summary.md``: counts by area and severity and the top findings, fit for a PR comment.

Counts and the top list are root-cause items (one per rule and group, with how many places);
tool errors and not-covered inputs each have a section with counts and reasons, and findings in
tests, docs and samples (``context:sample``) and advisories the code does not reach (``context:unreached``)
sections of their own at the end — never silent,
never among the top findings: one line per rule by default (``report.context_summary``), each item with
``--show-context``.
"""

from __future__ import annotations

from collections import Counter

from redline.core.context import is_in_context
from redline.core.groups import FindingGroup
from redline.core.model import Severity, Stage
from redline.core.result import AuditResult
from redline.report.context_summary import context_headline, context_lines, context_listed, items_by_reason
from redline.report.interface import Reporter
from redline.report.plan_md import plan_summary
from redline.report.sections import cost_tables, database_tables
from redline.report.serialize import where

TOP = 15
LISTED = 50


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ").replace("`", "'")


def _topology(result: AuditResult) -> list[str]:
    placements = result.topology.as_dict()["placements"] if result.topology is not None else []
    if not placements:
        return []
    out = [
        "",
        "### Region topology",
        "",
        "| provider | account | region | zone | source | resources |",
        "|---|---|---|---|---|---:|",
    ]
    out += [
        f"| {p['provider']} | {p['account'] or '-'} | {p['region']} | {p['zone'] or '-'} | {p['source']} | "
        f"{p['resources']} |"
        for p in placements
    ]
    return out


def _evidence_tables(result: AuditResult) -> list[str]:
    """What the PostgreSQL snapshot and the billing exports showed, beside the findings."""
    out: list[str] = []
    for table in (*database_tables(result), *cost_tables(result)):
        out += [
            "",
            f"### {_cell(table.title)}",
            "",
            "| " + " | ".join(table.columns) + " |",
            "|" + "|".join("---:" if i in table.numeric else "---" for i in range(len(table.columns))) + "|",
        ]
        out += ["| " + " | ".join(_cell(c) for c in row) + " |" for row in table.rows] or ["| (none) |"]
    return out


def _where(item: FindingGroup) -> str:
    text = f"`{_cell(where(item.lead.location))}`"
    return text + (f" (+{item.count - 1} more)" if item.count > 1 else "")


def _notices(result: AuditResult) -> list[str]:
    """Above everything: what the run could not vouch for (no or partial advisory database …)."""
    return [
        f"> **{_cell(e.where)}**: {_cell(e.reason)}" for e in result.errors if not e.fatal and e.stage == Stage.NOTICE
    ]


def _counts(result: AuditResult) -> list[str]:
    sev_order = list(reversed(Severity))
    counts = result.counts()
    lines = ["", "| area | " + " | ".join(str(s) for s in sev_order) + " |", "|---|" + "---:|" * len(sev_order)]
    for area in sorted(counts):
        c = counts[area]
        lines.append(f"| {area} | " + " | ".join(str(c.get(str(s), 0)) for s in sev_order) + " |")
    if not counts:
        lines.append("| (none) |" + " 0 |" * len(sev_order))
    return lines


def _rules(item: FindingGroup) -> str:
    """The lead's rule, then any other rule of a ``cause:`` item (DKR101, CMP103: one image running as root)."""
    return ", ".join(dict.fromkeys(f.rule for f in item.members))


def _table(title: str, items: list[FindingGroup]) -> list[str]:
    if not items:
        return []
    lines = ["", title, "", "| severity | rule | where | message |", "|---|---|---|---|"]
    lines += [f"| {g.lead.severity} | {_rules(g)} | {_where(g)} | {_cell(g.lead.message)} |" for g in items]
    return lines


def _errors(result: AuditResult) -> list[str]:
    if not result.errors:
        return []
    fatal = len(result.fatal_errors)
    lines = [
        "",
        f"### Tool errors and notices ({len(result.errors)}: {fatal} error(s), {len(result.errors) - fatal} notice(s))",
        "",
    ]
    lines += [
        f"- {'**error**' if e.fatal else 'notice'} `{_cell(e.where)}` ({e.stage}): {_cell(e.reason)}"
        for e in result.errors[:LISTED]
    ]
    if len(result.errors) > LISTED:
        lines.append(f"- … and {len(result.errors) - LISTED} more (see findings.json)")
    return lines


def _not_covered(result: AuditResult) -> list[str]:
    if not result.skipped:
        return []
    reasons = Counter(s.reason for s in result.skipped)
    lines = ["", f"### Not covered ({len(result.skipped)} input(s))", "", "| inputs | reason |", "|---:|---|"]
    lines += [f"| {n} | {_cell(reason)} |" for reason, n in sorted(reasons.items(), key=lambda kv: (-kv[1], kv[0]))]
    lines += ["", "<details><summary>every input not covered</summary>", ""]
    lines += [f"- `{_cell(s.path)}`: {_cell(s.reason)}" for s in result.skipped[:LISTED]]
    if len(result.skipped) > LISTED:
        lines.append(f"- … and {len(result.skipped) - LISTED} more (see findings.json)")
    return [*lines, "", "</details>"]


class MarkdownReporter(Reporter):
    filename = "summary.md"

    def render(self, result: AuditResult) -> bytes:
        items = result.items
        gating = result.gate
        lines = ["## redline audit", "", *_notices(result)]
        if lines[-1] != "":
            lines.append("")
        verdict = "failed" if result.gate_failed() else "passed"
        places = f" ({len(result.active)} places)" if len(result.active) != len(items) else ""
        lines.append(
            f"Gate **{verdict}** at `{result.config.fail_on}`: {len(gating)} new finding(s) at or above it. "
            f"{len(items)} finding(s){places} in {result.stats.files_scanned:,} files."
            + (
                f" **{len(result.skipped)} input(s) not covered** (listed below; `fail_on_not_covered = "
                f"{str(result.config.fail_on_not_covered).lower()}`)."
                if result.skipped
                else ""
            )
        )
        lines += _counts(result)
        ranked = sorted(items, key=lambda g: (-g.lead.severity, -g.lead.priority.score, g.lead.sort_key()))
        real = [g for g in ranked if not is_in_context(g.lead)]
        lines += _table(f"### Top {min(TOP, len(real))} findings", real[:TOP])
        lines += plan_summary(result)
        lines += _topology(result)
        lines += _evidence_tables(result)
        lines += _errors(result)
        lines += _not_covered(result)
        lines += _context_section(result, ranked)  # it takes the items listed apart
        return ("\n".join(lines) + "\n").encode()


def _context_section(result: AuditResult, ranked: list[FindingGroup]) -> list[str]:
    """Findings listed apart (tests, docs, samples and development files; advisories the code does not reach):
    a section per reason, one line per rule unless asked to list them."""
    lines: list[str] = []
    for reason, items in items_by_reason(ranked):
        title = f"### {reason.title} ({len(items)}): not among the top findings"
        if context_listed(result):
            lines += _table(title, items[:LISTED])
            continue
        rules = context_lines(items)
        lines += [
            "",
            title,
            "",
            context_headline(rules),
            "",
            "| rule | findings | places | where |",
            "|---|---:|---:|---|",
        ]
        lines += [f"| {c.rule} | {c.items} | {c.places} | {c.where(folder=lambda d: f'`{_cell(d)}`')} |" for c in rules]
    return lines
