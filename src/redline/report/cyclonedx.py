"""``sbom.cdx.json``: the CycloneDX 1.6 SBOM the ``sbom`` synthesis step built."""

from __future__ import annotations

from redline.core.inventory import SbomDocument
from redline.core.result import AuditResult
from redline.report.interface import Reporter
from redline.report.jsontext import indented


class CycloneDxReporter(Reporter):
    filename = "sbom.cdx.json"

    def render(self, result: AuditResult) -> bytes:
        doc = result.sbom if result.sbom is not None else empty_bom()
        return (indented(dict(doc)) + "\n").encode()


def empty_bom() -> SbomDocument:
    """A valid SBOM for a tree with no manifests (so the file always exists when asked for)."""
    return {
        "$schema": "http://cyclonedx.org/schema/bom-1.6.schema.json",
        "bomFormat": "CycloneDX",
        "specVersion": "1.6",
        "version": 1,
        "components": [],
        "dependencies": [],
    }
