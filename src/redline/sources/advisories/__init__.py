"""Sources: the local vulnerability database (OSV, KEV, EPSS, SPDX) and declared licences of installed packages."""

from __future__ import annotations

from redline.sources.advisories.ignores import OsvScannerConfigSource
from redline.sources.advisories.licences import DeclaredLicenceSource
from redline.sources.advisories.status import AdvisoryDbSource
from redline.sources.interface import FileSource, ProjectSource


def file_sources() -> list[FileSource]:
    return [OsvScannerConfigSource()]


def project_sources() -> list[ProjectSource]:
    return [AdvisoryDbSource(), DeclaredLicenceSource()]
