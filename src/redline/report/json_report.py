"""``findings.json``: the versioned, documented machine-readable result.

The schema lives beside this module (``schema/findings.schema.json``); bump
``SCHEMA_VERSION`` on any incompatible change.
"""

from __future__ import annotations

from typing import Any

from redline.core.result import AuditResult
from redline.report.interface import Reporter
from redline.report.jsontext import indented
from redline.report.serialize import item_dicts, summary_dict, tool_dict

#: 3.1: error stage "notice"; 3.0: priority factors are 1-5 with reasons, items carry groups; 2.0: typed evidence
SCHEMA_VERSION = "3.1"


def json_document(result: AuditResult) -> dict[str, Any]:
    return {
        "schema_version": SCHEMA_VERSION,
        "tool": tool_dict(),
        "summary": summary_dict(result),
        "findings": item_dicts(result),
        "errors": [{"where": e.where, "stage": e.stage, "reason": e.reason, "fatal": e.fatal} for e in result.errors],
        "not_covered": [{"path": s.path, "reason": s.reason} for s in result.skipped],
        "facts": result.facts_summary,
        # synthesis results that travel in findings.json (the SBOM has its own file)
        "inventory": _inventory(result),
    }


def _inventory(result: AuditResult) -> dict[str, Any]:
    inventory: dict[str, Any] = {}
    if result.topology is not None:
        inventory["topology"] = result.topology.as_dict()
    if result.postgres is not None:
        inventory["postgres"] = result.postgres.as_list()
    if result.system_map is not None:
        inventory["map"] = result.system_map.as_dict()
    if result.threats is not None:
        inventory["threats"] = result.threats.as_dict()
    if result.routes is not None:
        inventory["routes"] = result.routes.as_list()
    return inventory


class JsonReporter(Reporter):
    filename = "findings.json"

    def render(self, result: AuditResult) -> bytes:
        return (indented(json_document(result)) + "\n").encode()
