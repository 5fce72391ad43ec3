"""Sources: who owns which paths (CODEOWNERS, Backstage catalog-info.yaml)."""

from __future__ import annotations

from redline.sources.interface import FileSource, ProjectSource
from redline.sources.ownership.codeowners import OwnershipSource


def project_sources() -> list[ProjectSource]:
    return [OwnershipSource()]


def file_sources() -> list[FileSource]:
    return []
