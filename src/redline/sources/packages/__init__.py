"""Sources : manifests and lockfiles of every ecosystem."""

from __future__ import annotations

from redline.sources.interface import FileSource, ProjectSource


def file_sources() -> list[FileSource]:
    return []


def project_sources() -> list[ProjectSource]:
    return []
