"""Supply-chain facts: packages, dependency edges, and the manifest they came from."""

from __future__ import annotations

import re
from dataclasses import dataclass

_PEP503_SEP = re.compile(r"[-_.]+")


def pep503(name: str) -> str:
    """PEP 503 normalised Python project name: how PyPI, OSV and lockfiles agree on one spelling."""
    return _PEP503_SEP.sub("-", name.strip()).lower()


@dataclass(frozen=True, slots=True)
class Package:
    """One package as a manifest or lockfile declares it.

    ``ecosystem`` uses OSV's names (PyPI, npm, Go, crates.io, RubyGems,
    Packagist, Maven, NuGet); ``name`` is normalised per ecosystem (PEP 503
    for PyPI, ``group:artifact`` for Maven …). ``version`` is empty when the
    manifest gives only a range; ``pinned`` is then False.
    """

    ecosystem: str
    name: str
    version: str
    purl: str
    manifest: str  # relative path of the file it came from
    direct: bool = False
    dev: bool = False
    pinned: bool = True
    line: int = 0
    license: str = ""  # declared licence text or SPDX expression, when the file says
    requirement: str = ""  # the declared specifier (">=2,<3", a URL …) when not pinned

    @property
    def key(self) -> str:
        return f"{self.ecosystem}/{self.name}@{self.version}"


@dataclass(frozen=True, slots=True)
class DependencyEdge:
    """``parent`` depends on ``child``; both are ``Package.key`` values, ``parent`` empty for the project."""

    parent: str
    child: str


@dataclass(frozen=True, slots=True)
class PackageManifest:
    """Everything one manifest or lockfile says: the unit B-sources produce."""

    path: str
    format: str  # e.g. "package-lock.json v3", "poetry.lock", "requirements.txt"
    ecosystem: str
    packages: tuple[Package, ...]
    edges: tuple[DependencyEdge, ...] = ()
    is_lockfile: bool = True
    #: the file only confirms what another manifest declares (go.sum: every version the module graph
    #: touched, not the build list): never matched against advisories, judged or put in the SBOM
    confirms_only: bool = False
    #: the package the manifest itself defines (package.json ``name``, pyproject ``[project].name`` or
    #: ``[tool.poetry].name``), spelt like ``Package.name``; "" for a lockfile or a manifest that names none. A
    #: dependency on it from another manifest of the tree is the repository's own code, built from its source
    name: str = ""

    @property
    def build_list(self) -> bool:
        return not self.confirms_only
