"""FastAPI and Starlette: route decorators, ``APIRouter(prefix=, dependencies=)``, ``include_router``
prefixes and dependencies (nested), ``Depends``/``Security`` parameters with scopes, app middleware."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field

from redline.sources.code.model import CallSite, CodeIndex, Definition
from redline.sources.code.routes.common import Project, Wanted, arg, join, module_name, text
from redline.sources.code.routes.guards import Guards
from redline.sources.code.routes.model import NO, UNKNOWN, Route
from redline.sources.code.routes.settings import EntrypointSettings

_VERBS = {
    "get": "GET",
    "post": "POST",
    "put": "PUT",
    "patch": "PATCH",
    "delete": "DELETE",
    "head": "HEAD",
    "options": "OPTIONS",
    "websocket": "WS",
}
_FACTORIES = frozenset({"fastapi.FastAPI", "fastapi.APIRouter", "fastapi.routing.APIRouter"})
#: the calls ``_routers`` looks up (``Project.calls``)
WANTED = Wanted(_FACTORIES, (".add_middleware", ".include_router"))


@dataclass
class _Router:
    prefix: str = ""
    dependencies: tuple[str, ...] = ()
    #: (parent router, include prefix, include dependencies)
    parents: list[tuple[_Key, str, tuple[str, ...]]] = field(default_factory=list)


_Key = tuple[str, str]  # (file, variable)


def _child(routers: dict[_Key, _Router], index: CodeIndex, written: str) -> _Key | None:
    """The router an ``include_router`` argument names: ``users.router`` is the ``router`` of the module
    imported as ``users``; a bare name is the router of that name in this file, else the only one."""
    name = written.rsplit(".", 1)[-1]
    if "." in written:
        hint = written.rsplit(".", 1)[0]
        module = (index.imported(hint) or hint).rsplit(".", 1)[-1]
        found = [k for k in routers if k[1] == name and module_name(k[0]).endswith(module)]
    else:
        found = [k for k in routers if k[1] == name and k[0] == index.path] or [k for k in routers if k[1] == name]
    return found[0] if len(found) == 1 else None


#: middlewares that never authenticate; any other one might, so routes without a guard are "unknown"
_BENIGN_MIDDLEWARE = frozenset(
    {
        "CORSMiddleware",
        "GZipMiddleware",
        "TrustedHostMiddleware",
        "SessionMiddleware",
        "HTTPSRedirectMiddleware",
        "ProxyHeadersMiddleware",
        "PrometheusMiddleware",
    }
)


def _benign(call: CallSite) -> bool:
    return bool(call.args and call.args[0].name and call.args[0].name.rsplit(".", 1)[-1] in _BENIGN_MIDDLEWARE)


def _aliases(project: Project) -> dict[str, tuple[str, ...]]:
    """Module-level ``X = Annotated[T, Depends(f)]`` aliases: name -> the dependency."""
    return {
        a.name: tuple(str(v) for v in a.values)
        for index in project.indexes
        for a in index.assignments
        if a.values and str(a.values[0]).split("(", 1)[0].rsplit(".", 1)[-1] in {"Depends", "Security"}
    }


def _routers(project: Project) -> tuple[dict[_Key, _Router], bool]:
    routers: dict[_Key, _Router] = {}
    middleware = False
    for index, call in project.calls(_FACTORIES, (".add_middleware",)):
        if call.target in _FACTORIES and call.assigned_to:
            deps = arg(call.args, 99, "dependencies")
            routers[(index.path, call.assigned_to)] = _Router(
                text(arg(call.args, 99, "prefix")) or "", deps.items if deps else ()
            )
        middleware = middleware or (call.raw.endswith(".add_middleware") and not _benign(call))
    for index, call in project.calls(endings=(".include_router",)):
        if call.args and call.args[0].name:
            child = _child(routers, index, call.args[0].name)
            parent = (index.path, call.raw.rsplit(".", 1)[0])
            if child is None or parent not in routers:
                continue
            deps = arg(call.args, 99, "dependencies")
            routers[child].parents.append(
                (parent, text(arg(call.args, 99, "prefix")) or "", deps.items if deps else ())
            )
    return routers, middleware


def _resolved(
    name: _Key, routers: dict[_Key, _Router], seen: frozenset[_Key] = frozenset()
) -> tuple[str, tuple[str, ...]]:
    """The full prefix and every dependency a router's routes inherit, through its include chain."""
    router = routers.get(name)
    if router is None or name in seen:
        return "", ()
    if not router.parents:
        return router.prefix, router.dependencies
    parent, include_prefix, include_deps = router.parents[0]
    above, above_deps = _resolved(parent, routers, seen | {name})
    return join(join(above, include_prefix), router.prefix), (*above_deps, *include_deps, *router.dependencies)


def fastapi_routes(project: Project, settings: EntrypointSettings) -> Iterator[Route]:
    routers, middleware = _routers(project)
    aliases = _aliases(project)
    for index in project.indexes:
        if not any(q.startswith(("fastapi", "starlette")) for _, q in index.imports):
            continue
        views = _class_based_views(index)
        for definition in index.definitions:
            hidden = middleware or definition.qualname.rpartition(".")[0] in views
            yield from _decorated(
                index, definition, routers, settings, aliases=aliases, default=UNKNOWN if hidden else NO
            )


def _class_based_views(index: CodeIndex) -> set[str]:
    """Classes whose methods are routes through a class decorator (fastapi-utils ``@cbv(router)``, mealie's
    ``@controller(router)``): the class's own and inherited ``Depends`` attributes guard every method, and the
    index does not follow them, so such routes are unknown rather than unauthenticated."""
    return {d.qualname for d in index.definitions if d.kind == "class" and any(x.is_call for x in d.decorators)}


def _decorated(
    index: CodeIndex,
    definition: Definition,
    routers: dict[_Key, _Router],
    settings: EntrypointSettings,
    *,
    aliases: dict[str, tuple[str, ...]],
    default: str,
) -> Iterator[Route]:
    for dec in definition.decorators:
        if not dec.is_call or "." not in dec.raw:
            continue
        owner, verb = dec.raw.rsplit(".", 1)
        if (verb not in _VERBS and verb != "api_route") or (index.path, owner) not in routers:
            continue
        path = text(arg(dec.args, 0, "path"))
        if path is None:
            continue
        declared = arg(dec.args, 99, "methods")
        methods = (
            (_VERBS[verb],)
            if verb in _VERBS
            else tuple(str(m).upper() for m in declared.literal)
            if declared is not None and isinstance(declared.literal, tuple)
            else ("GET",)
        )
        prefix, inherited = _resolved((index.path, owner), routers)
        guards = Guards()
        guards.add(inherited)
        deps = arg(dec.args, 99, "dependencies")
        guards.add(deps.items if deps else ())
        guards.add(a.items[0] for _, a in definition.param_defaults if a.items)
        guards.add(d for _, a in definition.param_defaults if a.name for d in aliases.get(a.name, (a.name,)))
        guards.add(d.raw for d in definition.decorators if d is not dec)
        route = Route("fastapi", methods, join(prefix, path), definition.qualname, index.path, dec.line)
        yield guards.judge(route, settings, default=default)
