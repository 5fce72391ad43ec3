"""What the file-system routers (Next.js, SvelteKit, Nuxt/Nitro) share: the projects a config file marks, the
scripts a route file may be, and the URL a route file's folders spell."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import PurePosixPath

#: the file names a route module may end with
SCRIPT_SUFFIXES = (".js", ".jsx", ".ts", ".tsx", ".mjs", ".cjs", ".mts", ".cts")


def config_roots(files: Iterable[str], names: frozenset[str]) -> list[str]:
    """The folders holding one of the config files ``names`` ("" for the tree's root), deepest first: a file
    belongs to the deepest project above it (a monorepo's ``apps/web/svelte.config.js``)."""
    roots = {f.rpartition("/")[0] for f in files if f.rpartition("/")[2] in names}
    return sorted(roots, key=len, reverse=True)


def below(path: str, roots: list[str]) -> tuple[str, ...] | None:
    """The path's parts below the deepest root holding it, or None when no root does."""
    found = project_of(path, roots)
    return found[1] if found is not None else None


def project_of(path: str, roots: list[str]) -> tuple[str, tuple[str, ...]] | None:
    """(the deepest root holding the path, the path's parts below it), or None when no root does."""
    for root in roots:
        if not root:
            return root, PurePosixPath(path).parts
        if path.startswith(root + "/"):
            return root, PurePosixPath(path[len(root) + 1 :]).parts
    return None


def url(segments: Iterable[str]) -> str:
    """The URL of the folders below the routes folder: a group ``(admin)`` adds nothing, a parameter stays as the
    framework writes it (``[id]``, ``[...rest]``, ``[[lang]]``)."""
    kept = [s for s in segments if s and not (s.startswith("(") and s.endswith(")"))]
    return "/" + "/".join(kept)
