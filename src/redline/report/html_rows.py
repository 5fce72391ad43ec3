"""The findings table of ``report.html`` as compact rows: one per root-cause item, ranked by priority.

Only what the page shows travels (no evidence blobs, at most ``PLACES`` other places per item), and the
long texts many items share (remediations, factor reasons) once each in a string table the rows index,
so a report of 20,000 findings stays small and the page parses it in a fraction of a second. Samples
(tests, docs, fixtures) are left to their own section.
"""

from __future__ import annotations

from typing import Any

from redline.core.context import is_in_context
from redline.core.groups import FindingGroup, group_findings
from redline.core.model import Finding
from redline.core.priority import SCORING_SECTION, rank
from redline.core.result import AuditResult
from redline.report.serialize import where

#: other places listed per item (the count says how many there are in all)
PLACES = 20


def _place(f: Finding, lead: Finding) -> str:
    extra = f" ({f.rule}: {f.message})" if f.rule != lead.rule else ""
    return where(f.location) + extra


class Strings:
    """A string table: each distinct text once, rows hold its index."""

    def __init__(self) -> None:
        self.index: dict[str, int] = {}

    def __call__(self, text: str) -> int:
        return self.index.setdefault(text, len(self.index))

    def table(self) -> list[str]:
        return list(self.index)


def item_row(result: AuditResult, g: FindingGroup, first: bool, s: Strings) -> dict[str, Any]:
    f = g.lead
    rule = result.rules.get(f.rule) if f.rule in result.rules else None
    p = f.priority
    return {
        "sev": str(f.severity),
        "rule": f.rule,
        "name": rule.name if rule else "",
        "area": rule.area.value if rule else "unknown",
        "comp": f.component,
        "where": where(f.location),
        "msg": f.message,
        "snip": f.location.snippet,
        "score": p.score,
        "factors": [p.user_impact.value, p.exploitability.value, p.cost_of_delay.value],
        "why": [s(p.user_impact.reason), s(p.exploitability.reason), s(p.cost_of_delay.reason)],
        "fix": s(f.remediation),
        "new": result.is_new(f) if result.baseline else None,  # new/existing needs a baseline
        "supp": f.suppressed,
        "n": g.count,
        "more": [_place(m, f) for m in g.related[:PLACES]],
        "first": first,
    }


def item_rows(result: AuditResult) -> dict[str, Any]:
    """Every item (suppressed ones too, hidden by default), outside samples, in rank order (``core.priority``),
    with the string table: ``{"rows": [...], "strings": [...]}``."""
    suppressed = group_findings(f for f in result.findings if f.suppressed is not None)
    groups = [g for g in (*result.items, *suppressed) if not is_in_context(g.lead)]
    s = Strings()
    ranked = rank(groups, result.config.settings(SCORING_SECTION))
    rows = [item_row(result, r.group, r.first_among_equals, s) for r in ranked]
    return {"rows": rows, "strings": s.table()}
