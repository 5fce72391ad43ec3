"""Sources for the secret scanner: a handle on the git history (blobs are streamed by the check)."""

from __future__ import annotations

from redline.sources.interface import FileSource, ProjectSource
from redline.sources.secrets.git import GitHistorySource


def file_sources() -> list[FileSource]:
    return []


def project_sources() -> list[ProjectSource]:
    return [GitHistorySource()]
