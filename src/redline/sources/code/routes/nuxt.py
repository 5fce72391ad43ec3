"""Nuxt and Nitro server routes: every file under ``server/api/`` (URL ``/api/…``) or ``server/routes/`` (URL ``/…``) of
a folder holding a ``nuxt.config.*`` (for a standalone Nitro app, ``nitro.config.*``: ``api/`` and ``routes/`` beside
it, or under its ``server/``), answering the method its name ends with (``users.get.ts``, ``[id].delete.ts``) or
every method (``login.ts``); ``index`` names its folder.

The handler is the function ``export default defineEventHandler(async (event) => …)`` (or ``eventHandler``, the
cached and lazy variants) is given. A project's own wrapper (``export default defineAuthedHandler(…)``) is the
route's guard, judged like a Next.js route handler's; so is a check the handler calls itself
(``await requireUserSession(event)``, nuxt-auth-utils). ``server/middleware/`` is not followed, so any other route is
``unknown``, never ``no``. Test files and files Nuxt ignores (``-name.ts``, ``.d.ts``) are not routes.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from redline.core.filekinds import looks_like_test_or_sample
from redline.sources.code.model import CodeIndex
from redline.sources.code.routes.common import Project
from redline.sources.code.routes.fsroutes import SCRIPT_SUFFIXES, config_roots, project_of, url
from redline.sources.code.routes.jscommon import is_js
from redline.sources.code.routes.model import UNKNOWN, Route
from redline.sources.code.routes.nextjs import checked_inside, wrapper_guarded
from redline.sources.code.routes.settings import EntrypointSettings

#: the config files that mark a Nuxt project, and a standalone Nitro app
NUXT_CONFIGS = frozenset(f"nuxt.config.{e}" for e in ("js", "mjs", "cjs", "ts", "mts"))
NITRO_CONFIGS = frozenset(f"nitro.config.{e}" for e in ("js", "mjs", "cjs", "ts", "mts"))
#: the method a file name ends with (``create.post.ts``)
_METHODS = frozenset({"get", "post", "put", "patch", "delete", "head", "options", "connect", "trace"})
#: an environment a file is restricted to (``hello.get.dev.ts``)
_ENVIRONMENTS = frozenset({"dev", "prod", "prerender"})
#: h3/Nitro's handler definers: they wrap the handler and check nothing
_DEFINERS = frozenset(
    {
        "defineEventHandler",
        "eventHandler",
        "defineCachedEventHandler",
        "cachedEventHandler",
        "defineLazyEventHandler",
        "lazyEventHandler",
        "defineWebSocketHandler",
        "defineSSEHandler",
    }
)


def nuxt_routes(project: Project, settings: EntrypointSettings, files: Iterable[str]) -> Iterator[Route]:
    files = list(files)
    nuxt, nitro = config_roots(files, NUXT_CONFIGS), config_roots(files, NITRO_CONFIGS)
    if not nuxt and not nitro:
        return
    roots = sorted({*nuxt, *nitro}, key=len, reverse=True)
    for index in project.indexes:
        found = project_of(index.path, roots) if is_js(index) else None
        if found is None or looks_like_test_or_sample(index.path):
            continue
        root, parts = found
        placed = _place(parts, standalone=root in nitro)
        if placed is not None:
            yield _route(index, *placed, settings)


def _place(parts: tuple[str, ...], *, standalone: bool) -> tuple[tuple[str, ...], str] | None:
    """(the URL's segments, the method) of a route file, or None: ``server/api/x`` -> ("api", "x"), ``server/routes/x``
    -> ("x",); a standalone Nitro app's ``api/``/``routes/`` may sit beside its config."""
    if parts[:2] == ("src", "server"):  # Nuxt 3's server folder under ``srcDir: "src/"``
        parts = parts[1:]
    rest = parts[1:] if parts[:1] == ("server",) else parts if standalone else ()
    if len(rest) < 2 or rest[0] not in {"api", "routes"}:
        return None
    name = rest[-1]
    if not name.endswith(SCRIPT_SUFFIXES) or name.endswith(".d.ts") or name.startswith("-"):
        return None
    words = name.rsplit(".", 1)[0].split(".")
    if len(words) > 1 and words[-1] in _ENVIRONMENTS:
        words = words[:-1]
    method = words.pop().upper() if len(words) > 1 and words[-1] in _METHODS else "ANY"
    stem = ".".join(words)
    folders = rest[1:-1] if rest[0] == "routes" else ("api", *rest[1:-1])
    return (*folders, *(() if stem == "index" else (stem,))), method


def _route(index: CodeIndex, segments: tuple[str, ...], method: str, settings: EntrypointSettings) -> Route:
    """The route of the file's default export: the function its definer (or the project's wrapper) is given."""
    export = next((c for c in index.calls if not c.function and c.assigned_to == "default"), None)
    given = export.args[0].name if export is not None and export.args else None
    handler = next((d for d in index.definitions if given and d.qualname == given), None)
    route = Route(
        "nuxt",
        (method,),
        url(segments),
        handler.qualname if handler else "default",
        index.path,
        handler.line if handler else export.line if export else 1,
    )
    if export is not None and export.raw not in _DEFINERS:
        route = wrapper_guarded(route, export.raw, export.target or "", settings)
    if route.authenticated == UNKNOWN and handler is not None:
        route = checked_inside(route, index, settings)
    return route
