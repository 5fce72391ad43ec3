"""The findings table of ``report.html`` as compact rows: one per root-cause item, ranked by priority.

Only what the page shows travels (no evidence blobs, at most ``PLACES`` other places per item), so a
report of 20,000 findings stays a few megabytes and the page parses it in a fraction of a second.
Samples (tests, docs, fixtures) are left to their own section.
"""

from __future__ import annotations

from typing import Any

from redline.core.groups import FindingGroup, group_findings
from redline.core.model import Finding
from redline.core.priority import SCORING_SECTION
from redline.core.result import AuditResult
from redline.report.serialize import SAMPLE_TAG, where

#: other places listed per item (the count says how many there are in all)
PLACES = 20


def _place(f: Finding, lead: Finding) -> str:
    extra = f" ({f.rule}: {f.message})" if f.rule != lead.rule else ""
    return where(f.location) + extra


def item_row(result: AuditResult, g: FindingGroup, first: bool) -> dict[str, Any]:
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
        "why": [p.user_impact.reason, p.exploitability.reason, p.cost_of_delay.reason],
        "fix": f.remediation,
        "new": result.is_new(f),
        "supp": f.suppressed,
        "n": g.count,
        "more": [_place(m, f) for m in g.related[:PLACES]],
        "first": first,
    }


def item_rows(result: AuditResult) -> list[dict[str, Any]]:
    """Every item (suppressed ones too, hidden by default), outside samples, highest priority first."""
    settings = result.config.settings(SCORING_SECTION)
    groups = [g for g in group_findings(result.findings) if SAMPLE_TAG not in g.lead.tags]
    rows = [(g, settings.is_first(g.lead)) for g in groups]
    rows.sort(key=lambda r: (-r[0].lead.priority.score, not r[1], -int(r[0].lead.severity), r[0].lead.sort_key()))
    return [item_row(result, g, first) for g, first in rows]
