"""Length limits on everything a finding or a reason carries into the outputs.

A check quotes the line it fired on; a parser quotes what it could not read. One 50 MB single-line file
must not become a 50 MB snippet in ``findings.json``, the SARIF and ``report.html`` each, so every
string that reaches a report is cut here, with a marker saying how much was left out. The fingerprint
is computed from the bounded snippet, so it stays stable from run to run.
"""

from __future__ import annotations

from dataclasses import replace

from redline.core.model import Finding, Location, Skipped, ToolError

SNIPPET_MAX = 500
MESSAGE_MAX = 1_000
EVIDENCE_MAX = 500
REASON_MAX = 500


def clip(text: str, limit: int) -> str:
    if len(text) <= limit:
        return text
    return f"{text[:limit]}… [{len(text) - limit:,} more characters not shown]"


def _clipped_location(loc: Location) -> Location:
    if len(loc.snippet) <= SNIPPET_MAX and len(loc.resource) <= SNIPPET_MAX:
        return loc
    return replace(loc, snippet=clip(loc.snippet, SNIPPET_MAX), resource=clip(loc.resource, SNIPPET_MAX))


def bound_finding(finding: Finding) -> Finding:
    loc = _clipped_location(finding.location)
    long = {
        k: clip(v, EVIDENCE_MAX) for k, v in finding.evidence.items() if isinstance(v, str) and len(v) > EVIDENCE_MAX
    }
    evidence = finding.evidence.with_values(long) if long else finding.evidence
    if (
        loc is finding.location
        and len(finding.message) <= MESSAGE_MAX
        and not long
        and len(finding.identity) <= SNIPPET_MAX
    ):
        return finding
    return replace(
        finding,
        location=loc,
        message=clip(finding.message, MESSAGE_MAX),
        evidence=evidence,
        identity=clip(finding.identity, SNIPPET_MAX),
    )


def bound_error(error: ToolError) -> ToolError:
    if len(error.reason) <= REASON_MAX and len(error.where) <= REASON_MAX:
        return error
    return replace(error, reason=clip(error.reason, REASON_MAX), where=clip(error.where, REASON_MAX))


def bound_skipped(item: Skipped) -> Skipped:
    if len(item.reason) <= REASON_MAX:
        return item
    return replace(item, reason=clip(item.reason, REASON_MAX))
