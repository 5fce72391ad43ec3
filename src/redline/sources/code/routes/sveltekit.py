"""SvelteKit endpoints: ``src/routes/**/+server.{js,ts}`` under each folder holding a ``svelte.config.*``, one route
per exported method (``GET``, ``POST``, …; ``fallback`` answers the others).

The URL is the file's folder below ``src/routes/``: a group ``(app)`` adds nothing, parameters stay as SvelteKit
writes them (``[id]``, ``[...rest]``, ``[[lang]]``, ``[id=integer]``). Handlers are read as Next.js route handlers are
(a function, an arrow bound to the name, a wrapper's result, ``export { handler as GET }``), and so are their guards:
a check the handler calls itself or a guard-named wrapper. ``hooks.server.ts``'s ``handle`` (where SvelteKit apps
usually check the caller) is not followed, so any other endpoint is ``unknown``, never ``no``. Pages
(``+page.svelte``) and their form actions are not listed.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import replace

from redline.sources.code.model import CodeIndex
from redline.sources.code.routes.common import Project
from redline.sources.code.routes.fsroutes import below, config_roots, url
from redline.sources.code.routes.jscommon import is_js
from redline.sources.code.routes.model import Route
from redline.sources.code.routes.nextjs import app_routes, checked_inside
from redline.sources.code.routes.settings import EntrypointSettings

#: the config files that mark a SvelteKit project
CONFIG_NAMES = frozenset({"svelte.config.js", "svelte.config.mjs", "svelte.config.cjs", "svelte.config.ts"})
_SERVER_FILES = frozenset({"+server.js", "+server.ts"})


def sveltekit_routes(project: Project, settings: EntrypointSettings, files: Iterable[str]) -> Iterator[Route]:
    roots = config_roots(files, CONFIG_NAMES)
    if not roots:
        return
    for index in project.indexes:
        parts = below(index.path, roots) if is_js(index) else None
        if parts is None or parts[:2] != ("src", "routes") or parts[-1] not in _SERVER_FILES:
            continue
        path = url(parts[2:-1])
        for route in app_routes(index, path, settings):
            yield replace(route, framework="sveltekit")
        yield from _fallback(index, path, settings)


def _fallback(index: CodeIndex, path: str, settings: EntrypointSettings) -> Iterator[Route]:
    """``export const fallback: RequestHandler = ...``: the handler of every method the file exports none for."""
    for d in index.definitions:
        if d.qualname == d.name == "fallback":
            yield checked_inside(Route("sveltekit", ("ANY",), path, d.name, index.path, d.line), index, settings)
            return
