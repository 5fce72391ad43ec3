"""NestJS: ``@Controller(prefix)`` classes and their ``@Get``/``@Post``… methods, the global prefix
(``app.setGlobalPrefix``), and the guards that apply: ``@UseGuards`` on the class and the method, global
guards (``app.useGlobalGuards(...)``, ``{ provide: APP_GUARD, useClass: ... }``) unless the route is
marked public (``@Public()``), and ``@Roles(...)`` metadata once a guard is there to read it."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

from redline.sources.code.model import Arg, CallSite, CodeIndex, Decorator, Definition
from redline.sources.code.routes.common import Project, join
from redline.sources.code.routes.guards import Guards
from redline.sources.code.routes.jscommon import is_js
from redline.sources.code.routes.model import NO, UNKNOWN, Route
from redline.sources.code.routes.settings import EntrypointSettings

_METHODS = {
    "Get": "GET",
    "Post": "POST",
    "Put": "PUT",
    "Patch": "PATCH",
    "Delete": "DELETE",
    "Options": "OPTIONS",
    "Head": "HEAD",
    "All": "ANY",
}
_APP_GUARD = re.compile(r"provide=APP_GUARD,(?:useClass|useExisting)=([\w.]+)")
#: metadata decorators that only mean something when a guard reads them
_METADATA = ("roles", "permissions", "scopes", "policies", "checkpolicies", "requirepermissions")


def _nest(dec: Decorator) -> str:
    """The short name of a decorator imported from ``@nestjs/*`` (or written bare), else ""."""
    if dec.target is None or dec.target.startswith("@nestjs/"):
        return dec.raw.rsplit(".", 1)[-1]
    return ""


def _path(args: tuple[Arg, ...]) -> str:
    if not args:
        return ""
    first = args[0]
    if isinstance(first.literal, str):
        return first.literal
    if isinstance(first.literal, tuple) and first.literal and isinstance(first.literal[0], str):
        return first.literal[0]
    return next((i.split("=", 1)[1] for i in first.items if i.startswith("path=")), "")


def _guard_names(decorators: tuple[Decorator, ...]) -> list[str]:
    return [
        a.items[0] if a.items else a.name or a.call or "" for d in decorators if _nest(d) == "UseGuards" for a in d.args
    ]


@dataclass(frozen=True)
class _Middleware:
    """``consumer.apply(names).forRoutes(targets)``: each target a (path, method), or a controller name."""

    names: tuple[str, ...]
    targets: tuple[tuple[str, str], ...]
    controllers: tuple[str, ...]


def _applied(index: CodeIndex, call: CallSite) -> _Middleware:
    applies = [c for c in index.calls if c.raw.endswith(".apply") and c.function == call.function]
    applies = [c for c in applies if c.line <= call.line]
    source = max(applies, key=lambda c: c.line, default=None)
    names = tuple(a.items[0] if a.items else a.name or "" for a in source.args) if source else ()
    targets: list[tuple[str, str]] = []
    controllers: list[str] = []
    for arg in call.args:
        if isinstance(arg.literal, str):
            targets.append((arg.literal, "ANY"))
        elif arg.items:
            options = dict(i.split("=", 1) for i in arg.items if "=" in i)
            method = options.get("method", "ALL").rsplit(".", 1)[-1]
            targets.append((options.get("path", ""), "ANY" if method == "ALL" else method))
        elif arg.name:
            controllers.append(arg.name)
    return _Middleware(names, tuple(targets), tuple(controllers))


def _matches(middleware: _Middleware, cls: Definition, path: str, verb: str) -> bool:
    if cls.name in middleware.controllers:
        return True
    for target, method in middleware.targets:
        pattern = "/" + target.strip("/")
        wildcard = pattern.endswith("*")
        hit = path.startswith(pattern.rstrip("*")) if wildcard else path == pattern
        if hit and method in {"ANY", verb}:
            return True
    return False


def _globals(project: Project) -> tuple[str, list[str], list[_Middleware]]:
    """The global prefix, the global guards, and the middleware ``consumer.apply(...)`` puts on routes."""
    prefix = ""
    guards: list[str] = []
    middleware: list[_Middleware] = []
    for index in project.indexes:
        if not is_js(index):
            continue
        for call in index.calls:
            verb = call.raw.rsplit(".", 1)[-1]
            if verb == "setGlobalPrefix" and call.args and isinstance(call.args[0].literal, str):
                prefix = call.args[0].literal
            elif verb == "useGlobalGuards":
                guards.extend(a.items[0] if a.items else a.name or "" for a in call.args)
            elif call.raw.endswith(".apply.forRoutes"):
                middleware.append(_applied(index, call))
        for definition in index.definitions:
            for dec in definition.decorators:
                if _nest(dec) == "Module":
                    guards.extend(m.group(1) for a in dec.args for item in a.items for m in _APP_GUARD.finditer(item))
    return prefix, guards, middleware


def nestjs_routes(project: Project, settings: EntrypointSettings) -> Iterator[Route]:
    prefix, global_guards, middleware = _globals(project)
    modules = _module_paths(project)
    for index in project.indexes:
        if not is_js(index):
            continue
        for cls in index.definitions:
            controller = next((d for d in cls.decorators if _nest(d) == "Controller"), None)
            if cls.kind == "class" and controller is not None:
                local = join(modules.get(cls.name, ""), _path(controller.args))
                yield from _controller(
                    index, cls, (join(prefix, local), local), global_guards, settings, middleware=middleware
                )


_ROUTE_ENTRY = re.compile(r"\{path=([^,}]*),module=(\w+)")


def _module_paths(project: Project) -> dict[str, str]:
    """Controller name -> the path ``RouterModule.register([{ path, module }])`` mounts its module at."""
    mounted: dict[str, str] = {}
    controllers: dict[str, list[str]] = {}
    for index in project.indexes:
        if not is_js(index):
            continue
        for call in index.calls:
            if call.raw.endswith("RouterModule.register") and call.args:
                for item in call.args[0].items:
                    mounted.update((m.group(2), m.group(1)) for m in _ROUTE_ENTRY.finditer(item))
        for definition in index.definitions:
            for dec in (d for d in definition.decorators if _nest(d) == "Module"):
                listed = [i for a in dec.args for i in a.items if i.startswith("controllers=")]
                names = [n for i in listed for n in i.split("=", 1)[1].strip("[]").split(",") if n]
                controllers[definition.name] = names
    return {c: path for module, path in mounted.items() for c in controllers.get(module, [])}


def _controller(
    index: CodeIndex,
    cls: Definition,
    paths: tuple[str, str],
    global_guards: list[str],
    settings: EntrypointSettings,
    *,
    middleware: list[_Middleware],
) -> Iterator[Route]:
    base, local = paths
    for method in index.definitions:
        if method.qualname != f"{cls.qualname}.{method.name}":
            continue
        for dec in method.decorators:
            verb = _METHODS.get(_nest(dec))
            if verb is None:
                continue
            names = _guard_names(cls.decorators) + _guard_names(method.decorators)
            public = [d.raw for d in (*cls.decorators, *method.decorators) if d.raw.lower() in settings.public_markers]
            applied = ([] if public else global_guards) + names
            guards = Guards()
            guards.add(public or applied)
            if applied and not public:
                guards.add(d.raw for d in (*cls.decorators, *method.decorators) if d.raw.lower() in _METADATA)
            own_path = "/" + join(local, _path(dec.args)).strip("/")  # forRoutes paths leave the global prefix out
            path = "/" + join(base, _path(dec.args)).strip("/")
            mounted = [n for m in middleware if _matches(m, cls, own_path, verb) for n in m.names]
            guards.add(mounted)
            route = Route("nestjs", (verb,), path, method.qualname, index.path, dec.line)
            unread = any(g for g in (*applied, *mounted) if g)
            yield guards.judge(route, settings, default=UNKNOWN if unread else NO)
