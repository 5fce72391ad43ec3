"""The SBOM step: a CycloneDX 1.6 document of the run's packages, licences and vulnerabilities.

Components are the packages of every manifest (one per ecosystem/name@version,
with purl, licence and where it was declared), the dependency graph comes from
the manifests' edges, and the vulnerabilities section from the VUL findings
(ids, CVSS rating, KEV and EPSS as properties, the recommended upgrade).
Output is deterministic: no timestamp, a serial number derived from content.
The document is built in ``bom.py``, imported only when the ``cyclonedx`` output is asked for.
"""

from __future__ import annotations

from pathlib import PurePosixPath

from redline.checks.interface import CheckContext
from redline.core.config import OutputFormat
from redline.core.facts import Facts
from redline.core.model import Finding
from redline.core.packages import PackageManifest
from redline.sources.advisories.licences import DeclaredLicence
from redline.sources.advisories.spdx import LicenceNormaliser
from redline.sources.advisories.status import normaliser_for
from redline.synthesis.interface import SynthesisOutput, SynthesisStep


def _licences(facts: Facts, normaliser: LicenceNormaliser) -> dict[tuple[str, str, str], str]:
    out: dict[tuple[str, str, str], str] = {}
    for d in facts.of(DeclaredLicence):
        if d.project:
            continue
        norm = normaliser.normalise(d.declared, d.classifiers)
        if norm.expression:
            out[(d.ecosystem, d.name.lower(), d.version)] = norm.expression
    return out


class SbomStep(SynthesisStep):
    name = "sbom"

    def ready(self, ctx: CheckContext) -> None:
        if OutputFormat.CYCLONEDX in ctx.config.formats:
            import redline.synthesis.bom  # noqa: F401, PLC0415 - cyclonedx (0.09 s) while the workers parse

    def run(self, facts: Facts, findings: list[Finding], ctx: CheckContext) -> SynthesisOutput:
        manifests = [m for m in facts.of(PackageManifest) if m.build_list]
        if not manifests or OutputFormat.CYCLONEDX not in ctx.config.formats:
            return SynthesisOutput()  # nobody asked for an SBOM
        normaliser = ctx.scope.derived(normaliser_for, facts)
        from redline.synthesis.bom import bom_document, build_bom  # noqa: PLC0415 - cyclonedx only when asked for

        bom = build_bom(
            PurePosixPath(ctx.root.as_posix()).name or "project",
            manifests,
            findings,
            _licences(facts, normaliser),
            normaliser,
        )
        return SynthesisOutput(sbom=bom_document(bom))
