"""aiohttp: ``router.add_get``/``add_route``…, ``web.get(...)`` in ``add_routes``, ``RouteTableDef``
decorators; application middlewares are the guards (every route of the project's apps)."""

from __future__ import annotations

from collections.abc import Iterator

from redline.sources.code.model import CodeIndex
from redline.sources.code.routes.common import Project, Wanted, arg, text
from redline.sources.code.routes.guards import Guards
from redline.sources.code.routes.model import NO, UNKNOWN, Route
from redline.sources.code.routes.settings import EntrypointSettings

_ADD = {
    "add_get": "GET",
    "add_post": "POST",
    "add_put": "PUT",
    "add_patch": "PATCH",
    "add_delete": "DELETE",
    "add_head": "HEAD",
    "add_view": "ANY",
}
_WEB = {
    "aiohttp.web.get": "GET",
    "aiohttp.web.post": "POST",
    "aiohttp.web.put": "PUT",
    "aiohttp.web.patch": "PATCH",
    "aiohttp.web.delete": "DELETE",
    "aiohttp.web.head": "HEAD",
    "aiohttp.web.view": "ANY",
}
_DECORATORS = {"get": "GET", "post": "POST", "put": "PUT", "patch": "PATCH", "delete": "DELETE", "view": "ANY"}


_APPLICATION = frozenset({"aiohttp.web.Application"})
#: the calls ``_middlewares`` looks up (``Project.calls``)
WANTED = Wanted(_APPLICATION, (".middlewares.append",))


def _middlewares(project: Project) -> list[str]:
    names: list[str] = []
    for _index, call in project.calls(_APPLICATION, (".middlewares.append",)):
        if call.target == "aiohttp.web.Application":
            given = arg(call.args, 99, "middlewares")
            names.extend(given.items if given else ())
        elif call.raw.endswith(".middlewares.append") and call.args and call.args[0].name:
            names.append(call.args[0].name)
    return names


def aiohttp_routes(project: Project, settings: EntrypointSettings) -> Iterator[Route]:
    middlewares = _middlewares(project)
    default = UNKNOWN if middlewares else NO
    for index in project.indexes:
        if not any(q.startswith("aiohttp") for _, q in index.imports):
            continue
        tables = {c.assigned_to for c in index.calls if c.target == "aiohttp.web.RouteTableDef" and c.assigned_to}
        for route in (*_registered(project, index), *_decorated(index, tables)):
            guards = Guards()
            guards.add(middlewares)
            found = project.find(route.handler, index)
            if found is not None:
                guards.add(d.raw for d in found[1].decorators)
            yield guards.judge(route, settings, default=default)


def _registered(project: Project, index: CodeIndex) -> Iterator[Route]:
    for call in index.calls:
        verb = call.raw.rsplit(".", 1)[-1]
        if ".router." in f".{call.raw}" and verb in {*_ADD, "add_route"}:
            first = 1 if verb == "add_route" else 0
            method = text(arg(call.args, 0, "method")) if verb == "add_route" else _ADD[verb]
        elif call.target in _WEB or call.target == "aiohttp.web.route":
            first = 1 if call.target == "aiohttp.web.route" else 0
            method = text(arg(call.args, 0, "method")) if first else _WEB[call.target or ""]
        else:
            continue
        path = text(arg(call.args, first, "path"))
        handler = arg(call.args, first + 1, "handler")
        if path is None or handler is None or not handler.name:
            continue
        found = project.find(handler.name, index)
        name = found[1].qualname if found else handler.name
        yield Route(
            "aiohttp",
            ((method or "ANY").upper().replace("*", "ANY"),),
            path,
            name,
            index.path,
            call.line,
            handler_file=found[0].path if found else "",
        )


def _decorated(index: CodeIndex, tables: set[str]) -> Iterator[Route]:
    for definition in index.definitions:
        for dec in definition.decorators:
            owner, _, verb = dec.raw.rpartition(".")
            if owner in tables and verb in _DECORATORS:
                path = text(arg(dec.args, 0, "path"))
                if path is not None:
                    yield Route("aiohttp", (_DECORATORS[verb],), path, definition.qualname, index.path, dec.line)
