"""``findings.sarif``: SARIF 2.1.0 as GitHub code scanning accepts it."""

from __future__ import annotations

import json
from typing import Any

from redline import __version__
from redline.core.context import is_in_context
from redline.core.groups import FindingGroup, group_findings
from redline.core.model import Area, Location, Severity
from redline.core.result import AuditResult
from redline.core.rules import Rule
from redline.report.context_summary import context_lines, context_listed
from redline.report.interface import Reporter
from redline.report.jsontext import indented
from redline.report.serialize import where

SARIF_SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
SRCROOT = "SRCROOT"

_LEVEL = {
    Severity.CRITICAL: "error",
    Severity.HIGH: "error",
    Severity.MEDIUM: "warning",
    Severity.LOW: "note",
    Severity.INFO: "note",
}
# GitHub maps security-severity > 9 critical, 7-8.9 high, 4-6.9 medium, else low
_SECURITY_SEVERITY = {
    Severity.CRITICAL: "9.5",
    Severity.HIGH: "8.0",
    Severity.MEDIUM: "5.5",
    Severity.LOW: "3.0",
    Severity.INFO: "1.0",
}


def _rule_descriptor(rule: Rule, documented: bool) -> dict[str, Any]:
    """A rule as SARIF describes it. Only a rule with results carries its documentation (``fullDescription``,
    ``help``): code scanning shows help on an alert, and a rule without results has none in this run. Every
    rule that ran is still listed, with its summary, level and link, so the run says what it checked."""
    props: dict[str, Any] = {"tags": [rule.area.value, *rule.tags], "precision": "high"}
    if rule.area is Area.SECURITY:
        props["security-severity"] = _SECURITY_SEVERITY[rule.severity]
    descriptor: dict[str, Any] = {
        "id": rule.code,
        "name": rule.name,
        "shortDescription": {"text": rule.summary},
    }
    if documented:
        descriptor["fullDescription"] = {"text": rule.doc.what_it_does}
        descriptor["help"] = {
            "text": f"{rule.doc.why_bad}\n\nUse instead:\n{rule.doc.use_instead}",
            "markdown": rule.doc.markdown(),
        }
    descriptor.update(
        {
            "helpUri": f"https://redline.dev/rules/{rule.code}",
            "defaultConfiguration": {"level": _LEVEL[rule.severity]},
            "properties": props,
        }
    )
    return descriptor


def _physical(loc: Location) -> dict[str, Any]:
    physical: dict[str, Any] = {"artifactLocation": {"uri": loc.path, "uriBaseId": SRCROOT}}
    if loc.start_line > 0:
        region: dict[str, Any] = {"startLine": loc.start_line, "endLine": max(loc.end_line, loc.start_line)}
        if loc.start_column > 0:
            region["startColumn"] = loc.start_column
        if loc.end_column > 0 and (loc.end_line > loc.start_line or loc.end_column > loc.start_column):
            region["endColumn"] = loc.end_column
        if loc.snippet:
            region["snippet"] = {"text": loc.snippet}
        physical["region"] = region
    return physical


def _related(item: FindingGroup) -> list[dict[str, Any]]:
    """The root cause's other places (SARIF relatedLocations), each saying where and how severe."""
    out = []
    for n, f in enumerate(item.related, start=1):
        related: dict[str, Any] = {
            "id": n,
            "physicalLocation": _physical(f.location),
            "message": {"text": f"also here ({f.severity}, {f.rule}): {where(f.location)}"},
        }
        if f.location.resource:
            related["logicalLocations"] = [{"fullyQualifiedName": f.location.resource, "kind": "resource"}]
        out.append(related)
    return out


def _result(item: FindingGroup, index: dict[str, int], result: AuditResult) -> dict[str, Any]:
    f = item.lead
    loc = f.location
    message = f.message if not item.related else f"{f.message} ({item.count} places)"
    out: dict[str, Any] = {
        "ruleId": f.rule,
        "level": _LEVEL[f.severity],
        "message": {"text": message},
        "locations": [{"physicalLocation": _physical(loc)}],
        "partialFingerprints": {"redline/v1": f.fingerprint},
        "baselineState": "new" if result.is_new(f) else "unchanged",
        "properties": {"severity": str(f.severity), "confidence": str(f.confidence), "tags": list(f.tags)},
    }
    if f.rule in index:
        out["ruleIndex"] = index[f.rule]
    if f.rule in result.rules and result.rules.get(f.rule).area is Area.SECURITY:
        out["properties"]["security-severity"] = _SECURITY_SEVERITY[f.severity]
    if loc.resource:
        out["locations"][0]["logicalLocations"] = [{"fullyQualifiedName": loc.resource, "kind": "resource"}]
    if item.related:
        out["relatedLocations"] = _related(item)
        out["properties"]["group"] = f.group
        out["properties"]["occurrences"] = item.count
    if f.suppressed is not None:
        out["suppressions"] = [{"kind": "inSource", "justification": f.suppressed}]
    return out


def sarif_document(result: AuditResult) -> dict[str, Any]:
    reported = {f.rule for f in result.findings}
    used = sorted(reported | {r.code for r in result.rules})
    rules = [result.rules.get(code) for code in used if code in result.rules]
    index = {rule.code: i for i, rule in enumerate(rules)}
    items = group_findings(result.findings)
    # findings listed apart (tests, docs and samples; advisories the code does not reach): one note per reason and
    # rule unless --show-context (report.context_summary)
    listed = context_listed(result)
    shown = [item for item in items if listed or not is_in_context(item.lead)]
    notifications = [
        {
            "level": "error" if e.fatal else "warning",
            "message": {"text": f"{e.where}: {e.reason}"},
            "descriptor": {"id": e.stage},
        }
        for e in result.errors
    ] + [
        {
            "level": "warning",
            "message": {"text": f"not covered: {s.path}: {s.reason}"},
            "descriptor": {"id": "not-covered"},
        }
        for s in result.skipped
    ]
    notifications += [
        {
            "level": "note",
            "message": {"text": f"not listed ({line.reason.short}; --show-context lists them): {line.text()}"},
            "descriptor": {"id": "context-section"},
        }
        for line in ([] if listed else context_lines([item for item in items if item.lead.suppressed is None]))
    ]
    return {
        "$schema": SARIF_SCHEMA,
        "version": "2.1.0",
        "runs": [
            {
                "tool": {
                    "driver": {
                        "name": "redline",
                        "version": __version__,
                        "informationUri": "https://redline.dev",
                        "rules": [_rule_descriptor(r, r.code in reported) for r in rules],
                    }
                },
                "originalUriBaseIds": {SRCROOT: {"description": {"text": "The root of the audited tree"}}},
                "invocations": [
                    {
                        "executionSuccessful": not result.fatal_errors,
                        "toolExecutionNotifications": notifications,
                    }
                ],
                "results": [_result(item, index, result) for item in shown],
                "columnKind": "unicodeCodePoints",
            }
        ],
    }


class SarifReporter(Reporter):
    filename = "findings.sarif"

    def render(self, result: AuditResult) -> bytes:
        return (_dumps(sarif_document(result)) + "\n").encode()


#: stands in for the rule list while the rest of the document is indented (json escapes the NULs, so no
#: scanned text can spell it)
_RULES_MARK = "\0redline-rules\0"


def _dumps(doc: dict[str, Any]) -> str:
    """The document indented, except the driver's rules: one line each, through the C encoder (indenting
    every rule of a run through the pure-Python encoder was most of the report's cost)."""
    driver = doc["runs"][0]["tool"]["driver"]
    rules = driver["rules"]
    driver["rules"] = _RULES_MARK
    try:
        text = indented(doc)
    finally:
        driver["rules"] = rules
    pad = " " * 12  # runs[0].tool.driver.rules[i] sits six levels deep
    lines = ",\n".join(pad + json.dumps(rule, ensure_ascii=False) for rule in rules)
    listing = f"[\n{lines}\n{pad[:-2]}]" if rules else "[]"
    return text.replace(json.dumps(_RULES_MARK), listing, 1)
