"""The SBOM document: CycloneDX 1.6 built with cyclonedx-python-lib from the run's manifests and findings.

Imported by ``sbom.SbomStep`` only when a run asks for the ``cyclonedx`` output, so that every other run
skips cyclonedx-python-lib and its serialisation stack (~20 ms of imports).

Components are the packages of every manifest (one per ecosystem/name@version,
with purl, licence and where it was declared), the dependency graph comes from
the manifests' edges, and the vulnerabilities section from the VUL findings
(ids, CVSS rating, KEV and EPSS as properties, the recommended upgrade).
Output is deterministic: no timestamp, a serial number derived from content.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterable, Sequence
from decimal import Decimal
from typing import Any

from cyclonedx.model import Property
from cyclonedx.model.bom import Bom, BomMetaData
from cyclonedx.model.component import Component, ComponentScope, ComponentType
from cyclonedx.model.dependency import Dependable, Dependency
from cyclonedx.model.license import LicenseExpression
from cyclonedx.model.vulnerability import (
    BomTarget,
    Vulnerability,
    VulnerabilityRating,
    VulnerabilityReference,
    VulnerabilityScoreSource,
    VulnerabilitySeverity,
    VulnerabilitySource,
)
from cyclonedx.output.json import JsonV1Dot6
from packageurl import PackageURL

from redline import __version__
from redline.core.evidence import Evidence
from redline.core.model import Finding
from redline.core.packages import Package, PackageManifest
from redline.core.purl import package_purl
from redline.sources.advisories.spdx import LicenceNormaliser

#: the vulnerability rules' prefix (VUL101 known, VUL102 exploited, VUL103 likely exploited)
VULN_PREFIX = "VUL"
_NAMESPACE = uuid.UUID("6f1d3a52-8d1e-4d6c-9a43-2b1d2f5c7e10")


def component_purl(pkg: Package) -> PackageURL | None:
    """``core.purl.package_purl`` as the CycloneDX model takes it; None for an unpinned package or an ecosystem
    without a purl type."""
    text = package_purl(pkg)
    try:
        return PackageURL.from_string(text) if text else None
    except ValueError:
        return None


def _packages(manifests: Sequence[PackageManifest]) -> dict[str, tuple[Package, list[str]]]:
    """Every pinned package once (by key), with the manifests declaring it."""
    packages: dict[str, tuple[Package, list[str]]] = {}
    for m in sorted(manifests, key=lambda m: m.path):
        for p in m.packages:
            if p.version:
                packages.setdefault(p.key, (p, []))[1].append(m.path)
    return packages


def _component(pkg: Package, where: list[str], all_dev: bool, expression: str) -> Component:
    group, name = pkg.name.split(":", 1) if pkg.ecosystem == "Maven" and ":" in pkg.name else (None, pkg.name)
    return Component(
        name=name,
        group=group,
        version=pkg.version,
        bom_ref=pkg.key,
        purl=component_purl(pkg),
        scope=ComponentScope.OPTIONAL if all_dev else ComponentScope.REQUIRED,
        licenses=[LicenseExpression(expression)] if expression else None,
        properties=[Property(name="redline:manifest", value=w) for w in sorted(set(where))]
        + [Property(name="redline:ecosystem", value=pkg.ecosystem)],
    )


def _components(
    manifests: Sequence[PackageManifest], licences: dict[tuple[str, str, str], str], normaliser: LicenceNormaliser
) -> dict[str, Component]:
    packages = _packages(manifests)
    dev_only: dict[str, bool] = {}  # a key is dev only when every manifest entry for it is dev (one pass)
    for m in manifests:
        for p in m.packages:
            dev_only[p.key] = dev_only.get(p.key, True) and p.dev
    components: dict[str, Component] = {}
    for key in sorted(packages):
        pkg, where = packages[key]
        expression = licences.get((pkg.ecosystem, pkg.name.lower(), pkg.version), "")
        if not expression and pkg.license:
            expression = normaliser.normalise(pkg.license).expression
        components[key] = _component(pkg, where, dev_only[key], expression)
    return components


def _dependency_graph(
    manifests: Sequence[PackageManifest], components: dict[str, Component], root: Component
) -> list[Dependency]:
    children: dict[str, set[str]] = {}
    for m in manifests:
        for e in m.edges:
            if e.child in components and (e.parent in components or not e.parent):
                children.setdefault(e.parent or "project", set()).add(e.child)
        for p in m.packages:
            if p.direct and p.key in components:
                children.setdefault("project", set()).add(p.key)
    reached = {c for parent, kids in children.items() if parent != "project" for c in kids}
    orphans = [k for k in components if k not in reached]  # flat lockfiles: hang them under the project
    if orphans:
        children.setdefault("project", set()).update(orphans)
    refs = {"project": root.bom_ref, **{k: c.bom_ref for k, c in components.items()}}
    graph = [
        Dependency(ref=refs[parent], dependencies=[Dependency(ref=refs[c]) for c in sorted(kids)])
        for parent, kids in sorted(children.items())
    ]
    return graph + [Dependency(ref=refs[k]) for k in sorted(components) if k not in children]


def build_bom(
    root_name: str,
    manifests: Sequence[PackageManifest],
    findings: Iterable[Finding],
    licences: dict[tuple[str, str, str], str],
    normaliser: LicenceNormaliser,
) -> Bom:
    root = Component(name=root_name, type=ComponentType.APPLICATION, bom_ref="project")
    components = _components(manifests, licences, normaliser)
    bom = Bom(
        components=components.values(),
        metadata=BomMetaData(component=root),
        dependencies=_dependency_graph(manifests, components, root),
    )
    for vuln in _vulnerabilities(findings, components):
        bom.vulnerabilities.add(vuln)
    bom.serial_number = uuid.uuid5(_NAMESPACE, json.dumps(sorted(components)) + root_name)
    return bom


def _kev_text(kev: Evidence) -> str:
    ransomware = "known" if kev.get("ransomware") is True else "unknown"
    return f"{kev.text('cve')} added {kev.text('date_added')}, due {kev.text('due_date')}, ransomware use: {ransomware}"


def _epss_text(epss: Evidence) -> str:
    return (
        f"{epss.text('cve')} probability {epss.number('probability') or 0.0:.5f}, "
        f"percentile {epss.number('percentile') or 0.0:.5f}"
    )


def _path_text(ev: Evidence) -> str:
    path = ev.strings("dependency_path")
    return " > ".join(path) if path else ("direct" if ev.get("direct") is True else "unknown")


def _rating(cvss: Evidence, severity: str) -> VulnerabilityRating:
    score = cvss.number("score")
    if score is None:
        return VulnerabilityRating(severity=VulnerabilitySeverity(severity), method=VulnerabilityScoreSource.OTHER)
    vector = cvss.text("vector")
    method = (
        VulnerabilityScoreSource.CVSS_V3_1
        if vector.startswith("CVSS:3.1")
        else (VulnerabilityScoreSource.CVSS_V3 if vector.startswith("CVSS:3") else VulnerabilityScoreSource.CVSS_V2)
    )
    return VulnerabilityRating(
        score=Decimal(str(score)), method=method, vector=vector, severity=VulnerabilitySeverity(severity)
    )


def _advisory_vulnerability(f: Finding, key: str, adv: Evidence) -> Vulnerability:
    """One advisory group on one package version, from a VUL finding's typed ``advisories`` entry."""
    primary, others = adv.text("id"), adv.strings("aliases")
    props = [Property(name="redline:rule", value=f.rule)]
    kevs = adv.get("kev")
    props += [
        Property(name="redline:kev", value=_kev_text(k))
        for k in (kevs if isinstance(kevs, tuple) else ())
        if isinstance(k, Evidence)
    ]
    if adv.nested("epss"):
        props.append(Property(name="redline:epss", value=_epss_text(adv.nested("epss"))))
    props.append(Property(name="redline:dependency-path", value=_path_text(f.evidence)))
    reach = adv.nested("reach")  # Go: whether the module's own code imports the vulnerable package
    if reach:
        props.append(Property(name="redline:reach", value=f"{reach.text('level')}: {reach.text('note')}"))
    fixed = adv.strings("fixed")
    fix_text = f"fixed in {', '.join(fixed)}" if fixed else "no fixed version published"
    return Vulnerability(
        bom_ref=f"{primary}@{key}",
        id=primary,
        source=VulnerabilitySource(name="OSV", url=None),
        references=[VulnerabilityReference(id=i, source=VulnerabilitySource(name=_source_of(i))) for i in others],
        ratings=[_rating(adv.nested("cvss"), adv.text("severity") or str(f.severity))],
        description=f"{adv.text('flaw')}; affected {adv.text('affected')}; {fix_text}",
        recommendation=f.remediation,
        affects=[BomTarget(ref=key)],
        properties=props,
    )


def _vulnerabilities(findings: Iterable[Finding], components: dict[str, Component]) -> list[Vulnerability]:
    """One entry per advisory group and package version, from each VUL finding's ``advisory`` evidence."""
    out: dict[str, Vulnerability] = {}
    # the same package in several manifests: one entry, from its most severe (runtime) finding
    for f in sorted(findings, key=lambda f: (-int(f.severity), *f.sort_key())):
        if not f.rule.startswith(VULN_PREFIX) or "advisories" not in f.evidence:
            continue
        ev = f.evidence
        key = ev.text("package")
        if key not in components:
            continue
        advisories = ev.get("advisories")
        for adv in advisories if isinstance(advisories, tuple) else ():
            if isinstance(adv, Evidence):
                vuln = _advisory_vulnerability(f, key, adv)
                out.setdefault(str(vuln.bom_ref.value), vuln)
    return [out[k] for k in sorted(out)]


def _source_of(ident: str) -> str:
    return "NVD" if ident.startswith("CVE-") else "GitHub" if ident.startswith("GHSA-") else "OSV"


def bom_document(bom: Bom) -> dict[str, Any]:
    """The CycloneDX 1.6 JSON document, without the run timestamp (outputs are deterministic)."""
    doc: dict[str, Any] = json.loads(_serialised(bom))
    doc.get("metadata", {}).pop("timestamp", None)
    doc.setdefault("metadata", {})["tools"] = {
        "components": [{"type": "application", "name": "redline", "version": __version__}]
    }
    return doc


def _serialised(bom: Bom) -> str:
    """The library's JSON, with the dependency lookup of its validation indexed. ``Bom.validate`` registers
    every component's dependency entry, and ``register_dependency`` finds an existing entry by scanning all of
    them (cyclonedx-python-lib issue #1006): quadratic, a second of outline's 2,096 packages. An entry already
    there (by its ref's value) is left as the library leaves it, unchanged; any other call goes to the library."""
    known = {d.ref.value for d in bom.dependencies if d.ref.value is not None}
    register = bom.register_dependency

    def register_once(target: Dependable, depends_on: Iterable[Dependable] | None = None) -> None:
        if depends_on is None and target.bom_ref.value in known:
            return
        register(target, depends_on)
        known.update(d.ref.value for d in bom.dependencies if d.ref.value is not None)

    bom.register_dependency = register_once  # type: ignore[method-assign]
    try:
        return JsonV1Dot6(bom).output_as_string()
    finally:
        del bom.register_dependency
