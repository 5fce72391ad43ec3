"""Koa with ``@koa/router``/``koa-router``: ``router.METHOD(path, ...middleware, handler)`` under the
router's ``prefix`` (constructor option or ``router.prefix(...)``), nested routers
(``router.use('/x', other.routes())``), apps mounted with koa-mount (``app.use(mount('/api', api))``), and the
middleware the app and the router run before it (``app.use(jwt(...))`` before ``app.use(router.routes())``,
``router.use(auth)`` before the route)."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field

from redline.sources.code.model import Arg, CallSite, CodeIndex
from redline.sources.code.routes.common import Project, join
from redline.sources.code.routes.guards import Guards
from redline.sources.code.routes.jscommon import VERBS, benign, is_js, referenced, unchain
from redline.sources.code.routes.jshandlers import HandlerResolver
from redline.sources.code.routes.model import NO, UNKNOWN, Route
from redline.sources.code.routes.settings import EntrypointSettings
from redline.sources.code.treesitter.jsnames import module_id

_ROUTERS = ("@koa/router", "koa-router", "koa-tree-router")
Key = tuple[str, str]


@dataclass
class _Router:
    index: CodeIndex
    prefix: str = ""
    uses: list[tuple[int, tuple[str, ...]]] = field(default_factory=list)
    #: parent router or app, line of the mount there, path given at the mount
    parents: list[tuple[Key, int, str]] = field(default_factory=list)
    routes: list[tuple[CallSite, str, str, list[Arg]]] = field(default_factory=list)


def _kind(call: CallSite) -> str | None:
    target = call.target or ""
    if target in {"koa", "koa.default"}:
        return "app"
    if target.startswith(_ROUTERS):
        return "router"
    return None


def _objects(project: Project) -> dict[Key, _Router]:
    objects: dict[Key, _Router] = {}
    for index in project.indexes:
        for call in index.calls if is_js(index) else ():
            if _kind(call) and call.assigned_to:
                options = call.args[0].items if call.args else ()
                prefix = next((i.split("=", 1)[1] for i in options if i.startswith("prefix=")), "")
                objects[(module_id(index.path), call.assigned_to)] = _Router(index, prefix)
    return objects


def _mounted(index: CodeIndex, arg: Arg, exports: Mapping[str, str], objects: dict[Key, _Router]) -> Key | None:
    """The router behind ``other.routes()`` / ``other.middleware()``."""
    if arg.call is None or not arg.call.endswith((".routes", ".middleware")):
        return None
    found = referenced(index, Arg(None, name=arg.call.rsplit(".", 1)[0]), exports)
    return found if found in objects else None


def _mount(
    index: CodeIndex, arg: Arg, exports: Mapping[str, str], objects: dict[Key, _Router]
) -> tuple[Key, str] | None:
    """``mount("/api", api)`` (koa-mount): the app or router it mounts, and the path it mounts it under."""
    if arg.call is None or not (index.imported(arg.call) or "").startswith("koa-mount") or not arg.call_args:
        return None
    *path, name = arg.call_args
    if len(path) > 1 or (path and not path[0].startswith("/")):
        return None
    found = referenced(index, Arg(None, name=name), exports)
    return (found, path[0] if path else "") if found in objects else None


def _collect(project: Project, objects: dict[Key, _Router]) -> None:
    exports = project.js_exports
    for index in project.indexes:
        here = module_id(index.path)
        for call in index.calls if is_js(index) else ():
            owner, _, verb = call.raw.rpartition(".")
            owner = unchain(owner)  # ``router.get('/', a).post('/x', b)``: each returns the router
            router = objects.get((here, owner))
            if router is None and verb == "use" and any(_mount(index, a, exports, objects) for a in call.args):
                # outline's ``init(app)``: the app a function is handed mounts the project's own apps
                router = objects[(here, owner)] = _Router(index)
            if router is None:
                continue
            if verb == "prefix" and call.args and isinstance(call.args[0].literal, str):
                router.prefix = call.args[0].literal
            elif verb == "use":
                _use(index, call, (here, owner), exports, objects)
            elif verb in VERBS and len(call.args) >= 2 and isinstance(call.args[0].literal, str):
                args = list(call.args[1:])
                path = call.args[0].literal
                if isinstance(args[0].literal, str) and len(args) >= 2:  # a named route: (name, path, ...)
                    path, args = args[0].literal, args[1:]
                router.routes.append((call, VERBS[verb], path, args))


def _use(index: CodeIndex, call: CallSite, key: Key, exports: Mapping[str, str], objects: dict[Key, _Router]) -> None:
    args = list(call.args)
    path = args.pop(0).literal if args and isinstance(args[0].literal, str) else ""
    names: list[str] = []
    for arg in args:
        child = _mounted(index, arg, exports, objects)
        mounted = _mount(index, arg, exports, objects)
        if mounted is not None and mounted[0] != key:
            objects[mounted[0]].parents.append((key, call.line, mounted[1]))
        elif child is not None and child != key:
            objects[child].parents.append((key, call.line, str(path)))
        elif arg.call is not None or arg.name:
            names.append(arg.items[0] if arg.call is not None and arg.items else arg.call or arg.name or "")
    if names:
        objects[key].uses.append((call.line, tuple(names)))


def _contexts(key: Key, objects: dict[Key, _Router], depth: int = 0) -> list[tuple[str, list[str]]]:
    router = objects[key]
    if not router.parents or depth > 8:
        return [(router.prefix, [])]
    found: list[tuple[str, list[str]]] = []
    for parent, at, path in router.parents:
        for above, names in _contexts(parent, objects, depth + 1):
            earlier = [n for line, ns in objects[parent].uses if line < at for n in ns]
            found.append((join(join(above, path), router.prefix), [*names, *earlier]))
    return found


def koa_routes(project: Project, settings: EntrypointSettings) -> Iterator[Route]:
    objects = _objects(project)
    if not objects:
        return
    _collect(project, objects)
    resolver = HandlerResolver.of(project)
    for key, router in objects.items():
        for prefix, inherited in _contexts(key, objects):
            for call, method, path, args in router.routes:
                own = [n for line, ns in router.uses if line < call.line for n in ns]
                inline = [a.items[0] if a.call is not None and a.items else a.name or "" for a in args[:-1]]
                names = [*inherited, *own, *inline]
                handler = resolver.handler(
                    router.index, args[-1] if args else None, range(call.line, call.end_line + 1)
                )
                guards = Guards()
                guards.add(names)
                full = prefix if prefix and path in {"", "/"} else join(prefix, path) or "/"
                route = Route(
                    "koa", (method,), full, handler.name, router.index.path, call.line, handler_file=handler.file
                )
                yield guards.judge(route, settings, default=UNKNOWN if any(not benign(n) for n in names) else NO)
