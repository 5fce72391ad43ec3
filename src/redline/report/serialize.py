"""Plain-data views of findings shared by the JSON, SARIF and HTML reporters."""

from __future__ import annotations

from collections import Counter
from typing import Any

from redline import __version__
from redline.core.groups import FindingGroup, group_findings
from redline.core.model import Finding, Location, Severity
from redline.core.result import AuditResult


def evidence_dict(f: Finding) -> dict[str, Any]:
    """Evidence as plain JSON data (typed values: numbers, booleans, arrays, objects)."""
    return f.evidence.to_json()


def location_dict(loc: Location) -> dict[str, Any]:
    return {
        "path": loc.path,
        "start_line": loc.start_line,
        "end_line": loc.end_line,
        "start_column": loc.start_column,
        "end_column": loc.end_column,
        "snippet": loc.snippet,
        "resource": loc.resource,
    }


def where(loc: Location) -> str:
    return loc.path + (f":{loc.start_line}" if loc.start_line else "") + (f" {loc.resource}" if loc.resource else "")


def item_dict(result: AuditResult, item: FindingGroup) -> dict[str, Any]:
    """One root-cause item: its lead finding, plus (when grouped) the group key and every other place."""
    out = finding_dict(result, item.lead)
    if item.lead.group:
        out["group"] = item.lead.group
        out["occurrences"] = item.count
        out["related_locations"] = [
            {
                **location_dict(f.location),
                "fingerprint": f.fingerprint,
                "severity": str(f.severity),
                "rule": f.rule,
                "message": f.message,
                "evidence": evidence_dict(f),
            }
            for f in item.related
        ]
    return out


def item_dicts(result: AuditResult) -> list[dict[str, Any]]:
    """Every finding (suppressed ones too), one item per root cause."""
    return [item_dict(result, g) for g in group_findings(result.findings)]


def finding_dict(result: AuditResult, f: Finding) -> dict[str, Any]:
    rule = result.rules.get(f.rule) if f.rule in result.rules else None
    loc = f.location
    return {
        "fingerprint": f.fingerprint,
        "rule": f.rule,
        "rule_name": rule.name if rule else "",
        "area": rule.area.value if rule else "unknown",
        "severity": str(f.severity),
        "confidence": str(f.confidence),
        "message": f.message,
        "location": location_dict(loc),
        "component": f.component,
        "evidence": evidence_dict(f),
        "tags": list(f.tags),
        "remediation": f.remediation,
        "effort": f.effort,
        "priority": {
            "user_impact": f.priority.user_impact.value,
            "exploitability": f.priority.exploitability.value,
            "cost_of_delay": f.priority.cost_of_delay.value,
            "score": f.priority.score,
            "reasons": {
                "user_impact": f.priority.user_impact.reason,
                "exploitability": f.priority.exploitability.reason,
                "cost_of_delay": f.priority.cost_of_delay.reason,
            },
        },
        "suppressed": f.suppressed,
        "new": result.is_new(f),
    }


def summary_dict(result: AuditResult) -> dict[str, Any]:
    active = result.active
    items = result.items
    gating = result.gate
    by_sev = Counter(str(g.lead.severity) for g in items)
    return {
        "findings": len(items),
        "occurrences": len(active),
        "suppressed": len(result.findings) - len(active),
        "by_severity": {str(s): by_sev.get(str(s), 0) for s in reversed(Severity)},
        "by_area": {area: dict(sorted(c.items())) for area, c in sorted(result.counts().items())},
        "gate": {
            "threshold": str(result.config.fail_on),
            "failed": result.gate_failed(),
            "gating_findings": len(gating),
            "fail_on_not_covered": result.config.fail_on_not_covered,
        },
        "files_scanned": result.stats.files_scanned,
        "bytes_scanned": result.stats.bytes_scanned,
        "tool_errors": len(result.fatal_errors),
        "not_covered": len(result.skipped),
    }


def tool_dict() -> dict[str, str]:
    return {"name": "redline", "version": __version__}
