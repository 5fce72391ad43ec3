"""The route table of the report: every entry point the code index found, with its guards."""

from __future__ import annotations

from redline.checks.interface import CheckContext
from redline.core.facts import Facts
from redline.core.inventory import RouteTable
from redline.core.model import Finding
from redline.sources.code.routes import RouteInventory
from redline.synthesis.interface import SynthesisOutput, SynthesisStep


class RouteTableStep(SynthesisStep):
    name = "route table"

    def run(self, facts: Facts, findings: list[Finding], ctx: CheckContext) -> SynthesisOutput:
        inventories = facts.of(RouteInventory)
        if not inventories:
            return SynthesisOutput()
        return SynthesisOutput(
            routes=RouteTable(
                tuple(
                    {
                        "framework": r.framework,
                        "methods": list(r.methods),
                        "path": r.path,
                        "handler": r.handler,
                        "file": r.file,
                        "line": r.line,
                        "authenticated": r.authenticated,
                        "authorized": r.authorized,
                        "auth_evidence": list(r.auth_evidence),
                        "authz_evidence": list(r.authz_evidence),
                    }
                    for inventory in inventories
                    for r in inventory.routes
                )
            )
        )
