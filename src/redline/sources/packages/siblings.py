"""A lockfile's own project manifest beside it (``package.json`` next to ``yarn.lock``, ``composer.json``
next to ``composer.lock``, ``Pipfile`` next to ``Pipfile.lock``), read only to learn which dependencies
are direct and which are dev when the lockfile does not say.

Read-only, same folder only, never followed outside the audited tree; a missing or unreadable
sibling simply leaves the lockfile's own heuristics in place.
"""

from __future__ import annotations

import json
import os
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from redline.core.workspace import FileText

MAX_SIBLING_BYTES = 5 * 1024 * 1024


@dataclass(frozen=True)
class DeclaredDeps:
    """name -> declared range, per group, from the project manifest."""

    runtime: dict[str, str] = field(default_factory=dict)
    dev: dict[str, str] = field(default_factory=dict)


def _read_beside(text: FileText, name: str) -> dict[str, Any] | None:
    """The parsed JSON or TOML file ``name`` in the lockfile's own folder (no symlink out of it)."""
    content = text_beside(text, name)
    if content is None:
        return None
    try:
        data = json.loads(content) if name.endswith(".json") else tomllib.loads(content)
    except (ValueError, RecursionError):  # TOMLDecodeError and JSONDecodeError are ValueErrors
        return None
    return data if isinstance(data, dict) else None


def text_near(text: FileText, name: str, levels: int = 2) -> str | None:
    """The text of file ``name`` in the same folder or up to ``levels`` folders above it, never
    above the audited root: the Dockerfile that builds a module often sits in its parent folder."""
    depth = len(Path(text.file.path).parts) - 1  # folders between the root and the file
    folder = os.path.dirname(text.file.abspath)
    for _ in range(min(levels, depth) + 1):
        found = text_beside(text, name, folder)
        if found is not None:
            return found
        folder = os.path.dirname(folder)
    return None


def text_beside(text: FileText, name: str, folder: str = "") -> str | None:
    """The text of file ``name`` in the same folder (or ``folder``; no symlink out of it), or None."""
    folder = folder or os.path.dirname(text.file.abspath)
    try:
        real = Path(os.path.realpath(os.path.join(folder, name)))
        if not real.is_file() or real.parent != Path(os.path.realpath(folder)):
            return None
        if real.stat().st_size > MAX_SIBLING_BYTES:
            return None
        return real.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return None


def _declared(data: dict[str, Any], runtime_sections: tuple[str, ...], dev_sections: tuple[str, ...]) -> DeclaredDeps:
    runtime: dict[str, str] = {}
    dev: dict[str, str] = {}
    for sections, into in ((runtime_sections, runtime), (dev_sections, dev)):
        for section in sections:
            table = data.get(section)
            if isinstance(table, dict):
                into.update({str(k): str(v) for k, v in table.items()})
    return DeclaredDeps(runtime, {k: v for k, v in dev.items() if k not in runtime})


def package_json_beside(text: FileText) -> DeclaredDeps | None:
    """The ``dependencies``/``optionalDependencies``/``peerDependencies`` and ``devDependencies`` of the
    ``package.json`` in the lockfile's folder, or ``None`` when there is none (or it cannot be read)."""
    data = _read_beside(text, "package.json")
    if data is None:
        return None
    return _declared(data, ("dependencies", "optionalDependencies", "peerDependencies"), ("devDependencies",))


def composer_json_beside(text: FileText) -> DeclaredDeps | None:
    """``require`` and ``require-dev`` of the ``composer.json`` beside a ``composer.lock``."""
    data = _read_beside(text, "composer.json")
    return None if data is None else _declared(data, ("require",), ("require-dev",))


def pipfile_beside(text: FileText) -> DeclaredDeps | None:
    """``[packages]`` and ``[dev-packages]`` of the ``Pipfile`` beside a ``Pipfile.lock``."""
    data = _read_beside(text, "Pipfile")
    return None if data is None else _declared(data, ("packages",), ("dev-packages",))
