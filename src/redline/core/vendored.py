"""Folders of other projects' packages copied into the tree without installer metadata and put on ``sys.path``
by the project's own entry script: Tautulli's ``lib/`` holds 70 packages (cherrypy, pygments, requests…) and
``Tautulli.py`` runs ``sys.path.insert(0, os.path.join(..., 'lib'))``. Findings there are other projects' code
(a missing timeout in cherrypy's own tests), as in a folder ``pip install --target`` filled (``*.dist-info``).

Told from two things read at the tree's root, never from what the folder's code says: a root script puts the
folder on ``sys.path``, and the folder holds several packages named like those the root's requirements pin. A
project putting its own ``src/`` on ``sys.path`` is not one: its packages are not pinned."""

from __future__ import annotations

import os
import re

from redline.core.packages import pep503

#: how many of a folder's packages or modules must be named like pins of the root's requirements files
PINNED_MIN = 5
#: root files read for the two signals are small; a larger one is not a script or a requirements file people write
_READ_MAX = 1_000_000
_SYS_PATH = re.compile(r"\b(?:sys\.path\.(?:insert|append)|site\.addsitedir)\(")
_QUOTED = re.compile(r"""['"]\.?/?([\w.-]+)/?['"]""")
_REQUIREMENTS = re.compile(r"requirements[\w.-]*\.txt", re.IGNORECASE)
_PIN_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]*")


def vendored_folders(root: str) -> frozenset[str]:
    """The root's folders (names) another project's packages were copied into and put on ``sys.path``."""
    try:
        with os.scandir(root) as listing:
            entries = {entry.name: entry.is_dir(follow_symlinks=False) for entry in listing}
    except OSError:
        return frozenset()
    named = {name for name in _put_on_sys_path(root, entries) if entries.get(name)}
    if not named:
        return frozenset()
    pinned = _pinned(root, entries)
    return frozenset(name for name in named if _pinned_packages(os.path.join(root, name), pinned) >= PINNED_MIN)


def _put_on_sys_path(root: str, entries: dict[str, bool]) -> set[str]:
    """The names quoted on the lines of root Python scripts that put a folder on ``sys.path``."""
    names: set[str] = set()
    for name, is_dir in entries.items():
        if not is_dir and name.endswith(".py"):
            for line in _lines(os.path.join(root, name)):
                if _SYS_PATH.search(line) and not line.lstrip().startswith("#"):
                    names.update(_QUOTED.findall(line))
    return names


def _pinned(root: str, entries: dict[str, bool]) -> set[str]:
    """The distributions the root's requirements files name, normalised."""
    pins: set[str] = set()
    for name, is_dir in entries.items():
        if not is_dir and _REQUIREMENTS.fullmatch(name):
            for line in (raw.strip() for raw in _lines(os.path.join(root, name))):
                if not line.startswith(("#", "-")) and (found := _PIN_NAME.match(line)):
                    pins.add(pep503(found.group()))
    return pins


def _pinned_packages(folder: str, pinned: set[str]) -> int:
    """How many of the folder's packages and modules are named like a pinned distribution (PEP 503 compares
    ``cherrypy_cors`` with ``CherryPy-CORS``)."""
    try:
        with os.scandir(folder) as listing:
            names = [
                e.name.removesuffix(".py") for e in listing if e.is_dir(follow_symlinks=False) or e.name.endswith(".py")
            ]
    except OSError:
        return 0
    return sum(1 for name in names if pep503(name) in pinned)


def _lines(path: str) -> list[str]:
    try:
        if os.path.getsize(path) > _READ_MAX:
            return []
        with open(path, encoding="utf-8", errors="replace") as fh:
            return fh.read().splitlines()
    except OSError:
        return []
