"""NestJS: ``@Controller(prefix)`` classes and their ``@Get``/``@Post``… methods, the global prefix
(``app.setGlobalPrefix``), and the guards that apply: ``@UseGuards`` on the class and the method, global
guards (``app.useGlobalGuards(...)``, ``{ provide: APP_GUARD, useClass: ... }``) unless the route is
marked public (``@Public()``), and ``@Roles(...)`` metadata once a guard is there to read it."""

from __future__ import annotations

import re
from collections.abc import Iterator

from redline.sources.code.model import Arg, CodeIndex, Decorator, Definition
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


def _globals(project: Project) -> tuple[str, list[str], bool]:
    """The global prefix, the global guards, and whether something unreadable may guard every route
    (``consumer.apply(...)`` middleware)."""
    prefix, hidden = "", False
    guards: list[str] = []
    for index in project.indexes:
        if not is_js(index):
            continue
        for call in index.calls:
            verb = call.raw.rsplit(".", 1)[-1]
            if verb == "setGlobalPrefix" and call.args and isinstance(call.args[0].literal, str):
                prefix = call.args[0].literal
            elif verb == "useGlobalGuards":
                guards.extend(a.items[0] if a.items else a.name or "" for a in call.args)
            elif call.raw.endswith("consumer.apply"):
                hidden = True
        for definition in index.definitions:
            for dec in definition.decorators:
                if _nest(dec) == "Module":
                    guards.extend(m.group(1) for a in dec.args for item in a.items for m in _APP_GUARD.finditer(item))
    return prefix, guards, hidden


def nestjs_routes(project: Project, settings: EntrypointSettings) -> Iterator[Route]:
    prefix, global_guards, hidden = _globals(project)
    for index in project.indexes:
        if not is_js(index):
            continue
        for cls in index.definitions:
            controller = next((d for d in cls.decorators if _nest(d) == "Controller"), None)
            if cls.kind == "class" and controller is not None:
                base = join(prefix, _path(controller.args))
                yield from _controller(index, cls, base, global_guards, settings, hidden=hidden)


def _controller(
    index: CodeIndex,
    cls: Definition,
    base: str,
    global_guards: list[str],
    settings: EntrypointSettings,
    *,
    hidden: bool,
) -> Iterator[Route]:
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
            path = "/" + join(base, _path(dec.args)).strip("/")
            route = Route("nestjs", (verb,), path, method.qualname, index.path, dec.line)
            unread = hidden or any(g for g in applied if g)
            yield guards.judge(route, settings, default=UNKNOWN if unread else NO)
