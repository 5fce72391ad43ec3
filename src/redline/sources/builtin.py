"""The built-in sources, in an explicit list (nothing registers itself on import).

Each family is imported only when asked for, so a command that runs one check family imports only the
sources that family reads. A fact type is defined in the family that produces it, which is how
:func:`families_producing` finds the sources a set of checks needs.
"""

from __future__ import annotations

from collections.abc import Iterable
from importlib import import_module

from redline.sources.interface import FileSource, ProjectSource

PYTHON = "redline.sources.python"
#: the families with ``file_sources()`` and ``project_sources()``, in the order they run
FAMILIES = (
    "redline.sources.secrets",
    "redline.sources.packages",
    "redline.sources.terraform",
    "redline.sources.containers",
    "redline.sources.advisories",
    "redline.sources.postgres",
    "redline.sources.traces",
)


def families_producing(fact_types: Iterable[type]) -> set[str]:
    """The source families (and the Python source) that define these fact types."""
    modules = {t.__module__ for t in fact_types}
    return {f for f in (PYTHON, *FAMILIES) if any(m == f or m.startswith(f + ".") for m in modules)}


def _wanted(families: Iterable[str] | None) -> tuple[str, ...]:
    if families is None:
        return FAMILIES
    chosen = set(families)
    return tuple(f for f in FAMILIES if f in chosen)


def builtin_file_sources(families: Iterable[str] | None = None) -> list[FileSource]:
    """Every built-in file source, or only those of ``families`` (``PYTHON`` names the Python source)."""
    wanted = None if families is None else set(families)
    python: list[FileSource] = []
    if wanted is None or PYTHON in wanted:
        from redline.sources.python import PythonSource  # noqa: PLC0415 - loaded with its family

        python = [PythonSource()]
    return [*python, *(s for family in _wanted(wanted) for s in import_module(family).file_sources())]


def builtin_project_sources(families: Iterable[str] | None = None) -> list[ProjectSource]:
    return [s for family in _wanted(families) for s in import_module(family).project_sources()]
