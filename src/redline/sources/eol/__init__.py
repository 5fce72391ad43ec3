"""Sources: end-of-life dates of runtimes, base images and datastores (endoflife.date product files)."""

from __future__ import annotations

from redline.sources.eol.source import EolSource
from redline.sources.interface import FileSource, ProjectSource


def file_sources() -> list[FileSource]:
    return []


def project_sources() -> list[ProjectSource]:
    return [EolSource()]
