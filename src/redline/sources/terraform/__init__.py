"""Sources : Terraform configurations, variables and plan JSON."""

from __future__ import annotations

from redline.sources.interface import FileSource, ProjectSource


def file_sources() -> list[FileSource]:
    return []


def project_sources() -> list[ProjectSource]:
    return []
