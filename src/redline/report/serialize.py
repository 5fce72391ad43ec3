"""Plain-data views of findings shared by the JSON, SARIF and HTML reporters."""

from __future__ import annotations

from collections import Counter
from typing import Any

from redline import __version__
from redline.core.model import Finding, Severity
from redline.core.result import AuditResult


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
        "location": {
            "path": loc.path,
            "start_line": loc.start_line,
            "end_line": loc.end_line,
            "start_column": loc.start_column,
            "end_column": loc.end_column,
            "snippet": loc.snippet,
            "resource": loc.resource,
        },
        "component": f.component,
        "evidence": dict(f.evidence),
        "tags": list(f.tags),
        "remediation": f.remediation,
        "effort": f.effort,
        "priority": {
            "user_impact": f.priority.user_impact,
            "exploitability": f.priority.exploitability,
            "cost_of_delay": f.priority.cost_of_delay,
            "score": f.priority.score,
        },
        "suppressed": f.suppressed,
        "new": result.is_new(f),
    }


def summary_dict(result: AuditResult) -> dict[str, Any]:
    active = result.active
    gating = result.gating(result.config.fail_on)
    by_sev = Counter(str(f.severity) for f in active)
    return {
        "findings": len(active),
        "suppressed": len(result.findings) - len(active),
        "by_severity": {str(s): by_sev.get(str(s), 0) for s in reversed(Severity)},
        "by_area": {area: dict(sorted(c.items())) for area, c in sorted(result.counts().items())},
        "gate": {"threshold": str(result.config.fail_on), "failed": result.gate_failed(),
                 "gating_findings": len(gating), "fail_on_not_covered": result.config.fail_on_not_covered},
        "files_scanned": result.stats.files_scanned,
        "bytes_scanned": result.stats.bytes_scanned,
        "tool_errors": len(result.fatal_errors),
        "not_covered": len(result.skipped),
    }


def tool_dict() -> dict[str, str]:
    return {"name": "redline", "version": __version__}
