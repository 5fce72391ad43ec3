"""Express: ``app.METHOD``/``router.METHOD``/``router.route(path).METHOD``, routers mounted with
``app.use(prefix, router)`` across modules (prefixes joined), and the middleware that guards a route in
the order Express runs it: the parents' ``use`` before the mount, the mount's own middleware, the
router's ``use`` before the route (path-scoped ones only under their path), then the route's own.

Hono reads the same way: ``new Hono()`` (and ``.basePath(prefix)``) is an app, ``app.route(prefix, sub)`` mounts
another, ``app.use("/admin/*", mw)`` scopes middleware with a wildcard. A router a function of the project makes
(openstatus's ``createSlackRoute``) is mounted where the function's result is."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field

from redline.core.filekinds import looks_like_test_or_sample
from redline.sources.code.model import Arg, CallSite, CodeIndex
from redline.sources.code.routes.common import Project, calls_by_function, join
from redline.sources.code.routes.guards import Guards
from redline.sources.code.routes.jscommon import (
    VERBS,
    benign,
    expand,
    is_js,
    referenced,
    unchain,
)
from redline.sources.code.routes.jshandlers import HandlerResolver
from redline.sources.code.routes.model import NO, UNKNOWN, Route
from redline.sources.code.routes.settings import EntrypointSettings
from redline.sources.code.treesitter.jsnames import module_id

_FACTORIES = {
    "express": "app",
    "express.Router": "router",
    "express.default": "app",
    "express.default.Router": "router",
    "hono.Hono": "app",
}
#: factories whose apps are another framework than Express, read the same way
_FRAMEWORK = {"hono.Hono": "hono"}
_BASE_PATH = "hono.Hono.basePath"  # ``new Hono().basePath("/api")``

Key = tuple[str, str]  # (module id, variable)


@dataclass
class _Object:
    index: CodeIndex
    uses: list[tuple[int, str, tuple[str, ...]]] = field(default_factory=list)  # line, path scope, names
    #: where this object is mounted: parent, line in the parent, prefix, the mount call's own middleware
    parents: list[tuple[Key, int, str, tuple[str, ...]]] = field(default_factory=list)
    routes: list[tuple[CallSite, str, str, list[Arg]]] = field(default_factory=list)  # call, method, path, args
    #: an app or router a function is handed by its caller (NodeBB's ``function (app, middleware, controllers)``):
    #: what the caller mounted it under and ran before it is not followed, so its routes are not called unguarded
    handed: bool = False
    framework: str = "express"
    #: the prefix the app answers under (Hono's ``basePath``)
    base: str = ""


def _names(arg: Arg) -> tuple[str, ...]:
    """The middleware names an argument holds: a name, a call (``passport.authenticate(jwt)``), or each
    element of an array."""
    if arg.call is not None:
        return (arg.items[0] if arg.items else arg.call,)
    if arg.name:
        return (arg.name,)
    if isinstance(arg.literal, tuple):
        return tuple(i for i in arg.items if i)
    return ()


#: first-parameter names of a function that is handed the app or a router to add routes to
_HANDED_NAMES = frozenset({"app", "router", "server"})


def _objects(project: Project) -> dict[Key, _Object]:
    objects: dict[Key, _Object] = {}
    for index in project.indexes:
        if not is_js(index):
            continue
        for call in index.calls:
            key = (module_id(index.path), call.assigned_to or "")
            if _factory(index, call) and call.assigned_to:
                objects[key] = _Object(index, framework=_FRAMEWORK.get(call.target or "", "express"))
            elif call.target == _BASE_PATH and key in objects and call.args and isinstance(call.args[0].literal, str):
                objects[key].base = call.args[0].literal
    if objects:  # an Express project: its route modules may be handed the app rather than create one
        for index in (i for i in project.indexes if is_js(i)):
            for name in _handed(index):
                objects.setdefault((module_id(index.path), name), _Object(index, handed=True))
    return objects


def _handed(index: CodeIndex) -> set[str]:
    """The first parameters named like an app or router that a function of the module adds routes to."""
    found: set[str] = set()
    calls = calls_by_function(index)
    for definition in index.definitions:
        param = definition.params[0] if definition.params else ""
        if param in _HANDED_NAMES and any(
            c.raw.rpartition(".")[0] == param and c.raw.rpartition(".")[2] in VERBS
            for c in calls.get(definition.qualname, ())
        ):
            found.add(param)
    return found


def _factory(index: CodeIndex, call: CallSite) -> bool:
    """``express()``/``express.Router()``, also where ``express`` is the package's own source required by
    path (``require('../../')`` in Express's examples, a vendored copy)."""
    if call.target in _FACTORIES:
        return True
    return call.raw in {"express", "express.Router"} and index.imported("express") is not None


def _paths(arg: Arg | None) -> list[str]:
    if arg is None:
        return []
    if isinstance(arg.literal, str):
        return [arg.literal]
    if isinstance(arg.literal, tuple):
        return [p for p in arg.literal if isinstance(p, str)]
    return []


def _made_by(project: Project) -> dict[Key, Key]:
    """(module id, function) -> the one app or router the function makes (openstatus's ``createSlackRoute`` builds
    ``const slack = new Hono()`` and returns it): what a call of the function hands back. A function making two
    is not followed (which one it returns is not known)."""
    made: dict[Key, list[Key]] = {}
    for index in project.indexes:
        for call in index.calls if is_js(index) else ():
            if call.function and "." not in call.function and call.assigned_to and _factory(index, call):
                here = module_id(index.path)
                made.setdefault((here, call.function), []).append((here, call.assigned_to))
    return {function: keys[0] for function, keys in made.items() if len(keys) == 1}


def _factory_result(index: CodeIndex, callee: str, made: dict[Key, Key]) -> Key | None:
    """The object a call of ``callee`` (a function of this module or an imported one) hands back, if it makes one;
    a test module calling the application's factory again is not another way in."""
    here = module_id(index.path)
    if (here, callee) in made:
        return made[(here, callee)]
    imported = index.imported(callee) if "." not in callee else None
    module, _, name = (imported or "").rpartition(".")
    found = made.get((module, name)) if module else None
    if found is None or (looks_like_test_or_sample(index.path) and not looks_like_test_or_sample(module)):
        return None
    return found


def _aliases(project: Project, made: dict[Key, Key]) -> dict[Key, Key]:
    """``export const slackRoute = createSlackRoute(config)``: the variable names the object the factory makes."""
    found: dict[Key, Key] = {}
    for index in project.indexes:
        for call in index.calls if made and is_js(index) else ():
            if call.assigned_to and (result := _factory_result(index, call.raw, made)) is not None:
                found[(module_id(index.path), call.assigned_to)] = result
    return found


def _collect(project: Project, objects: dict[Key, _Object]) -> None:
    made = _made_by(project)
    refs = _Refs(project.js_exports, made, _aliases(project, made))
    for index in project.indexes:
        if not is_js(index):
            continue
        here = module_id(index.path)
        for call in index.calls:
            owner, _, verb = call.raw.rpartition(".")
            owner = owner if ".route" in owner else unchain(owner)  # ``app.get(...).post(...)`` returns app
            base, chained, _ = owner.partition(".route")  # ``router.route('/x').get(a).post(b)``
            key = (here, base)
            if key not in objects and call.assigned_to and (here, call.assigned_to) in objects and verb == "use":
                key, chained = (here, call.assigned_to), ""  # ``const api = Router().use(a).use(b)``
            if key not in objects or (chained and not owner.startswith(base + ".route")):
                continue
            if (verb == "use" or (verb == "route" and len(call.args) == 2)) and not chained:  # Hono's app.route(p, sub)
                _use(objects, key, call, index, refs)
            elif verb in VERBS and chained:
                path = _chained_path(index, call, base + ".route")
                if path is not None:
                    objects[key].routes.append((call, VERBS[verb], path, list(call.args)))
            elif verb in VERBS and len(call.args) >= 2:  # ``app.get('env')`` reads a setting
                for path in (p for p in _paths(call.args[0]) if p.startswith(("/", "*"))):
                    objects[key].routes.append((call, VERBS[verb], path, list(call.args[1:])))
                if verb == "all" and _paths(call.args[0]) in (["*"], ["/*"], ["/{*splat}"], ["*splat"]):
                    # ``app.all('*', requireAuthentication, loadUser)`` runs before every later route
                    objects[key].uses.append((call.line, "", tuple(n for a in call.args[1:] for n in _names(a))))


def _chained_path(index: CodeIndex, call: CallSite, owner: str) -> str | None:
    """The path of ``router.route('/x')`` that a ``.get(...)`` chained on it starts from."""
    starts = [c for c in index.calls if c.raw == owner and c.line <= call.line and c.function == call.function]
    start = max(starts, key=lambda c: c.line, default=None)
    paths = _paths(start.args[0]) if start is not None and start.args else []
    return paths[0] if paths else None


@dataclass(frozen=True)
class _Refs:
    """What an argument of ``use``/``route`` may name: an exported object, a factory's result, an alias of one."""

    exports: Mapping[str, str]
    made: dict[Key, Key]
    aliases: dict[Key, Key]

    def child(self, index: CodeIndex, arg: Arg) -> Key | None:
        if arg.call and arg.call != "require":  # ``app.route("/slack", createSlackRoute(config))``
            return _factory_result(index, arg.call, self.made)
        found = referenced(index, arg, self.exports)
        return self.aliases.get(found, found) if found is not None else None


def _use(objects: dict[Key, _Object], key: Key, call: CallSite, index: CodeIndex, refs: _Refs) -> None:
    args = list(call.args)
    scope = ""
    if args and _paths(args[0]):
        scope = _paths(args[0])[0]
        scope = scope.rstrip("*").rstrip("/") if scope.endswith("*") else scope  # Hono's "/admin/*", "*"
        args = args[1:]
    before: list[str] = []
    for arg in args:
        child = refs.child(index, arg)
        if child is not None and child in objects and child != key:
            objects[child].parents.append((key, call.line, scope, tuple(before)))
        else:
            before.extend(_names(arg))
    if before:  # Express runs them for every later request under the scope, not only the routers mounted here
        objects[key].uses.append((call.line, scope, tuple(before)))


def _join(prefix: str, path: str) -> str:
    """Express matches ``/api/users`` and ``/api/users/`` alike: a router's ``/`` is its mount path."""
    return prefix if prefix and path in {"", "/"} else join(prefix, path)


def _in_scope(scope: str, path: str) -> bool:
    return not scope or path == scope or path.startswith(scope.rstrip("/") + "/")


def _contexts(key: Key, objects: dict[Key, _Object], depth: int = 0) -> list[tuple[str, list[str]]]:
    """Every (prefix, middleware names in order) the object is reached through."""
    parents = objects[key].parents
    if not parents or depth > 8:
        return [(objects[key].base, [])]
    found: list[tuple[str, list[str]]] = []
    for parent, at, prefix, own in parents:
        for above, names in _contexts(parent, objects, depth + 1):
            earlier = [
                n for line, scope, ns in objects[parent].uses if line < at and _in_scope(scope, prefix) for n in ns
            ]
            found.append((_join(above, prefix), [*names, *earlier, *own]))
    return found


def express_routes(project: Project, settings: EntrypointSettings) -> Iterator[Route]:
    objects = _objects(project)
    if not objects:
        return
    _collect(project, objects)
    exports = project.js_exports
    resolver = HandlerResolver.of(project)
    for key, obj in objects.items():
        for prefix, inherited in _contexts(key, objects):
            for call, method, path, args in obj.routes:
                own = [n for line, scope, ns in obj.uses if line < call.line and _in_scope(scope, path) for n in ns]
                names = [*inherited, *own, *(n for a in args[:-1] for n in _names(a))]
                names = [expand(project, obj.index, n, exports) for n in names]
                handler = resolver.handler(obj.index, args[-1] if args else None, range(call.line, call.end_line + 1))
                guards = Guards()
                guards.add(names)
                route = Route(
                    obj.framework,
                    (method,),
                    _join(prefix, path),
                    handler.name,
                    obj.index.path,
                    call.line,
                    handler_file=handler.file,
                )
                default = UNKNOWN if obj.handed or any(not benign(n) for n in names) else NO
                yield guards.judge(route, settings, default=default)
