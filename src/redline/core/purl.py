"""Package URLs (purls): the one builder behind ``Package.purl``, the SBOM's components and the VUL findings.

One definition, so that a CycloneDX consumer and a findings reader match the same package by the same
string. The form follows the purl spec and what the ecosystems' own tools write:

- npm: a scope is the namespace (``@babel/core`` -> ``pkg:npm/%40babel/core``);
- Go: the module path splits at its last ``/`` into namespace and name, keeping its case and any ``/vN``
  suffix (module paths are case-sensitive: ``github.com/BurntSushi/toml`` is not
  ``github.com/burntsushi/toml``), and the version carries Go's ``v`` (``@v1.9.0``), which redline's
  package facts drop as OSV's Go data does;
- Maven: ``group:artifact`` -> ``pkg:maven/group/artifact``; Packagist: ``vendor/name`` -> ``pkg:composer/…``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from redline.core.packages import Package

#: OSV ecosystem name -> purl type
PURL_TYPES = {
    "PyPI": "pypi",
    "npm": "npm",
    "Go": "golang",
    "crates.io": "cargo",
    "RubyGems": "gem",
    "Packagist": "composer",
    "Maven": "maven",
    "NuGet": "nuget",
    "Pub": "pub",
    "Hex": "hex",
}


def _namespace(ecosystem: str, name: str) -> tuple[str | None, str]:
    """(namespace, name) as the ecosystem's purl type splits a package name."""
    if ecosystem == "Maven" and ":" in name:
        group, artifact = name.split(":", 1)
        return group, artifact
    if ecosystem == "Go" and "/" in name:
        path, last = name.rsplit("/", 1)
        return path, last
    if ecosystem in ("npm", "Packagist") and "/" in name:
        scope, short = name.split("/", 1)
        return scope, short
    return None, name


def purl_for(ecosystem: str, name: str, version: str) -> str:
    """The purl of a package named as redline names it (OSV ecosystem, normalised name); no version when
    ``version`` is empty (an unpinned package), ``""`` for an ecosystem without a purl type."""
    from packageurl import PackageURL  # noqa: PLC0415 - only a run with packages builds purls

    ptype = PURL_TYPES.get(ecosystem)
    if ptype is None:
        return ""
    namespace, short = _namespace(ecosystem, name)
    purl_version = version or None
    if ecosystem == "Go" and version and not version.startswith("v"):
        purl_version = "v" + version
    return str(PackageURL(type=ptype, namespace=namespace, name=short, version=purl_version).to_string())


def package_purl(pkg: Package) -> str:
    """The purl of a package fact: the one its source built, else built here (a plugin's package made without
    one); ``""`` for an unpinned package or an ecosystem without a purl type. The SBOM's components and the VUL
    findings' evidence both call this, so they name a package by the same string."""
    return pkg.purl or (purl_for(pkg.ecosystem, pkg.name, pkg.version) if pkg.version else "")
