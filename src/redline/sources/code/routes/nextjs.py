"""Next.js file-system routes: App Router route handlers (``app/**/route.ts`` exporting ``GET``, ``POST``, …) and
Pages Router API routes (``pages/api/**``), under each folder holding a ``next.config.*``.

The URL is the file's folder below ``app/`` (or ``src/app/``): route groups ``(marketing)`` and parallel-route
slots ``@modal`` add nothing to it, a private folder ``_lib`` is not routable, dynamic segments stay as Next writes
them (``[id]``, ``[...slug]``, ``[[...slug]]``). A handler is a top-level function named after its method, or a
method name bound to a wrapper's result (``export const GET = withWorkspace(async (...) => …)``), or another binding
exported under a method's name (``export { handler as GET }``, ``export { POST } from "../route"``). A wrapper is the
route's guard, judged like any middleware's name, or authenticating when it comes from an ``auth`` module
(``@/lib/auth``). A handler that reads the session itself and refuses a caller without it (NextAuth's
``getServerSession``/``getToken``; Clerk's ``auth()``, a call named like a guard such as ``getCurrentUser``) is
authenticated; so is one that refuses every call not carrying a
secret from the environment (``if (token !== process.env.INTERNAL_API_KEY) return 401``: another service calls
it). A route no guard of its own decided is authenticated by a ``middleware.ts`` that refuses its path without a
signed-in caller (``nextmiddleware``; NextAuth v5's ``auth``:
``nextauthv5``). A check in a helper of the project is not followed, so any other route is
``unknown``, never ``no``.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import replace

from redline.sources.code.model import CodeIndex
from redline.sources.code.routes.common import Project
from redline.sources.code.routes.fsroutes import SCRIPT_SUFFIXES, config_roots, project_of
from redline.sources.code.routes.guards import Guards
from redline.sources.code.routes.jscommon import is_js
from redline.sources.code.routes.model import NO, UNKNOWN, YES, Route, words
from redline.sources.code.routes.nextauthv5 import nextauth_guard, session_functions
from redline.sources.code.routes.nextdecision import NEXTAUTH_READERS, session_required
from redline.sources.code.routes.nextmiddleware import MiddlewareGuard, middleware_file, middleware_guard
from redline.sources.code.routes.settings import EntrypointSettings
from redline.sources.code.scopes import within

#: the config files that mark a Next.js project (its folder is the root its routes are under)
CONFIG_NAMES = frozenset({"next.config.js", "next.config.mjs", "next.config.cjs", "next.config.ts", "next.config.mts"})
_ROUTE_FILES = frozenset(f"route{suffix}" for suffix in SCRIPT_SUFFIXES)
#: the methods a route handler may export (Next.js answers 405 for the others)
_METHODS = ("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS")
#: path words of a module whose wrappers authenticate (``@/lib/auth``, ``~/server/auth/session``)
_AUTH_MODULE_WORDS = frozenset({"auth", "authentication", "session", "sessions"})
#: how the name of a function that checks the caller starts (``requireUser``, ``getCurrentUser``, ``verifyAccess``)
_CHECK_VERBS = ("require", "ensure", "check", "verify", "assert", "authorize", "authenticate", "getcurrent", "validate")
#: other libraries' calls that read who the caller is, by resolved import: Clerk, iron-session
_SESSION_READERS = frozenset(
    {
        "@clerk/nextjs.auth",
        "@clerk/nextjs.currentUser",
        "@clerk/nextjs/server.auth",
        "@clerk/nextjs/server.currentUser",
        "@clerk/nextjs/server.getAuth",
        "iron-session.getIronSession",
    }
)


def next_roots(files: Iterable[str]) -> list[str]:
    """The folders holding a ``next.config.*`` ("" for the tree's root), deepest first."""
    return config_roots(files, CONFIG_NAMES)


def nextjs_routes(project: Project, settings: EntrypointSettings, files: Iterable[str]) -> Iterator[Route]:
    roots = next_roots(files)
    if not roots:
        return
    js = [index for index in project.indexes if is_js(index)]
    by_path = {index.path: index for index in js}
    guards = {root: _middleware(root, by_path, project) for root in roots}
    own = session_functions(js)
    for index in js:
        found = _place(index.path, roots)
        if found is None:
            continue
        root, kind, segments = found
        path = "/" + "/".join(segments)
        if kind == "app":
            made = app_routes(index, path, settings, own=own)
        else:
            made = _api_routes(index, path, settings, own=own)
        guard = guards[root]
        yield from (_behind(route, guard) for route in made) if guard is not None else made


def _middleware(root: str, by_path: dict[str, CodeIndex], project: Project) -> MiddlewareGuard | None:
    found = middleware_file(root, by_path)
    if found is None:
        return None
    return middleware_guard(found) or nextauth_guard(found, project)


def _behind(route: Route, guard: MiddlewareGuard) -> Route:
    """A route no guard of its own decided, authenticated by the middleware that refuses its paths."""
    if route.authenticated != UNKNOWN or not guard.covers(route.path):
        return route
    return replace(route, authenticated=YES, auth_evidence=(guard.evidence,))


def _place(path: str, roots: list[str]) -> tuple[str, str, list[str]] | None:
    """(the project's root, "app" | "pages", the URL's segments) of a route file of the deepest Next.js project
    holding it."""
    found = project_of(path, roots)
    if found is None:
        return None
    root, rest = found
    rest = rest[1:] if rest[:1] == ("src",) else rest
    if rest[:1] == ("app",) and rest[-1] in _ROUTE_FILES:
        return _segments(root, rest[1:-1], "app")
    if rest[:2] == ("pages", "api") and rest[-1].endswith(SCRIPT_SUFFIXES):
        stem = rest[-1].rsplit(".", 1)[0]
        return _segments(root, (*rest[1:-1], *(() if stem == "index" else (stem,))), "pages")
    return None


def _segments(root: str, folders: tuple[str, ...], kind: str) -> tuple[str, str, list[str]] | None:
    """The URL's segments, or None for a file under a private folder (``_components``), which is not routed."""
    if any(f.startswith("_") for f in folders):
        return None
    return root, kind, [f for f in folders if not (f.startswith("(") and f.endswith(")")) and not f.startswith("@")]


def app_routes(
    index: CodeIndex, path: str, settings: EntrypointSettings, *, own: frozenset[str] = frozenset()
) -> Iterator[Route]:
    """One route per exported method: a function named after it, a wrapper's result bound to it, or another
    binding exported under its name (``export { handler as GET }``, ``export { POST } from "../route"``).
    ``own``: the project's own session readers (NextAuth v5's ``auth`` of its ``NextAuth(…)`` call)."""
    found: dict[str, Route] = {}
    for d in index.definitions:
        if d.qualname == d.name and d.name in _METHODS and d.name not in found:
            route = Route("nextjs", (d.name,), path, d.name, index.path, d.line)
            found[d.name] = checked_inside(route, index, settings, own=own)
    for call in index.calls:
        if not call.function and call.assigned_to in _METHODS and call.assigned_to not in found:
            route = Route("nextjs", (call.assigned_to,), path, call.assigned_to, index.path, call.line)
            found[call.assigned_to] = wrapper_guarded(route, call.raw, call.target or "", settings)
    for a in index.assignments:
        method = a.name.removeprefix("exports.")
        if a.name.startswith("exports.") and method in _METHODS and method not in found and a.values:
            handler = str(a.values[0])
            defined = next((d.line for d in index.definitions if d.qualname == handler), a.line)
            found[method] = checked_inside(
                Route("nextjs", (method,), path, handler, index.path, defined), index, settings, own=own
            )
    yield from found.values()


def wrapper_guarded(route: Route, wrapper: str, target: str, settings: EntrypointSettings) -> Route:
    """A handler bound to a wrapper's result: the wrapper is its guard."""
    guards = Guards()
    guards.add([wrapper])
    judged = guards.judge(route, settings, default=UNKNOWN)
    module = target.rpartition(".")[0].lower()
    if judged.authenticated == UNKNOWN and not _AUTH_MODULE_WORDS.isdisjoint(words(module)):
        return replace(judged, authenticated=YES, auth_evidence=(f"{wrapper} ({module})",))
    return judged


def checked_inside(
    route: Route, index: CodeIndex, settings: EntrypointSettings, *, own: frozenset[str] = frozenset()
) -> Route:
    """A handler that reads who the caller is itself: a session library's call (Clerk's ``auth()``; NextAuth's
    ``getServerSession``/``getToken`` and v5's ``auth()`` made by the project's ``NextAuth(…)``, ``own``, only
    when the handler refuses without the session it returns), or a function of its own named as a check and like a guard
    (``getCurrentUser``, ``requireAdmin``, ``verifyCurrentUserHasAccessToPost``). Not a method of another object
    (``google.auth.OAuth2``, ``intercom.getAdmin``) nor a response helper (``unauthorized()``): those name no check
    this handler makes."""
    inside = [c for c in index.calls if within(c.function, route.handler)]
    decided = {(function, callee): rows for function, callee, _, rows in index.session_decisions}

    def refuses_without(callee: str) -> bool:
        rows = decided.get((route.handler, callee))
        return rows is not None and session_required(rows, route.path)

    readers = tuple(
        c.raw
        for c in inside
        if c.target in _SESSION_READERS
        or ((c.target in NEXTAUTH_READERS or index.imported(c.raw) in own) and refuses_without(c.raw))
    )
    guards = Guards()
    guards.add(c.raw for c in inside if "." not in c.raw and c.raw.lower().startswith(_CHECK_VERBS))
    judged = guards.judge(route, settings, default=UNKNOWN)
    if judged.authenticated == NO:  # a call's name never makes a route public on purpose
        judged = route
    if judged.authenticated == UNKNOWN and readers:
        return replace(route, authenticated=YES, auth_evidence=readers[:1])
    if judged.authenticated == UNKNOWN:
        return _secret_checked(judged, index)
    return judged


def _secret_checked(route: Route, index: CodeIndex) -> Route:
    """A handler that refuses every call not carrying a secret from the environment (a bearer token, a webhook
    signature): authenticated, and its caller is another service holding that secret. The check must be the
    handler's own: one in a callback it passes on guards only that callback."""
    found = next(((env, at) for fn, env, at in index.secret_checks if fn == route.handler), None)
    if found is None:
        return route
    env, at = found
    evidence = f"{env} (environment secret, line {at})"
    return replace(route, authenticated=YES, auth_evidence=(evidence,), shared_secret=env)


def _api_routes(
    index: CodeIndex, path: str, settings: EntrypointSettings, *, own: frozenset[str] = frozenset()
) -> Iterator[Route]:
    """A Pages Router API route answers every method with its default export: the top-level function called
    ``handler`` when there is one, else the function of this file exported as default (``export default async
    (req, res) => …`` is ``<anonymous:LINE>``), else ``default``. A function of this file is read for the
    checks it makes itself."""
    handler = next((d for d in index.definitions if d.qualname == d.name == "handler"), None)
    if handler is None:
        exported = {str(v) for a in index.assignments if a.name == "module.exports" for v in a.values[:1]}
        handler = next((d for d in index.definitions if d.qualname in exported), None)
    if handler is None:
        yield Route("nextjs", ("ANY",), path, "default", index.path, 1)
        return
    route = Route("nextjs", ("ANY",), path, handler.qualname, index.path, handler.line)
    yield checked_inside(route, index, settings, own=own)
