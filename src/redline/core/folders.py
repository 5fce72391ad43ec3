"""Which folder of a set holds a path: one answer for every reader that assigns a file to the deepest folder
above it (a Go file to its go.mod's module, a route to its deployable unit). Paths are relative, POSIX, with
"" for the tree's root."""

from __future__ import annotations

from collections.abc import Iterable


def holds(folder: str, path: str) -> bool:
    """Is ``path`` inside ``folder`` ("" is the project, holding every path)? Whole folder names only:
    ``vote`` does not hold ``voter/app.py``, nor the path ``vote`` itself."""
    return not folder or path.startswith(folder + "/")


def deepest_holding(path: str, folders: Iterable[str]) -> str | None:
    """The deepest of ``folders`` holding ``path``; None when none does."""
    return max((f for f in folders if holds(f, path)), key=len, default=None)
