"""The built-in sources, in an explicit list (nothing registers itself on import)."""

from __future__ import annotations

from redline.sources import advisories, containers, eol, ownership, packages, postgres, secrets, terraform
from redline.sources.interface import FileSource, ProjectSource
from redline.sources.python import PythonSource

_FAMILIES = (secrets, packages, terraform, containers, advisories, postgres, ownership, eol)


def builtin_file_sources() -> list[FileSource]:
    return [PythonSource(), *(s for family in _FAMILIES for s in family.file_sources())]


def builtin_project_sources() -> list[ProjectSource]:
    return [s for family in _FAMILIES for s in family.project_sources()]
