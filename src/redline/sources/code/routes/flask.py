"""Flask: ``@app.route``/method shortcuts, blueprints with ``url_prefix`` (also given at
``register_blueprint``), ``add_url_rule``, guard decorators and ``before_request`` guards."""

from __future__ import annotations

import posixpath
from collections.abc import Iterator
from dataclasses import dataclass, replace
from typing import TypeVar

from redline.sources.code.model import CallSite, CodeIndex, Definition
from redline.sources.code.routes.common import Project, Wanted, arg, imports_module, join, module_name, text
from redline.sources.code.routes.common import qualified as imported_name
from redline.sources.code.routes.flask_hooks import (
    LoginHook,
    ValueHook,
    behind_login_hook,
    refuses_anonymous,
    value_hook,
)
from redline.sources.code.routes.guards import Guards, unknown_behind
from redline.sources.code.routes.model import NO, Route
from redline.sources.code.routes.settings import EntrypointSettings

_T = TypeVar("_T")
_VERBS = {"get": "GET", "post": "POST", "put": "PUT", "patch": "PATCH", "delete": "DELETE"}
_APPS = frozenset({"flask.Flask", "flask.Blueprint"})
#: the calls ``_objects`` looks up (``Project.calls``)
WANTED = Wanted(_APPS, (".register_blueprint",))


def qualified(index: CodeIndex, name: str) -> str:
    """The project-wide name of a variable as this module writes it: ``bp`` imported from ``app.api`` (or, in
    ``app/hooks.py``, from ``.api``: privacyIDEA's ``before_after.py`` hangs its hooks on blueprints imported so)
    is ``app.api.bp``; a variable of this module is ``<module>.<name>``."""
    return imported_name(index, name) or f"{module_name(index.path)}.{name}"


def lookup(table: dict[str, _T], key: str) -> _T | None:
    """The entry for a qualified name, tolerating a source root in front (``src.app.api.bp``)."""
    if key in table:
        return table[key]
    found = [v for k, v in table.items() if k.endswith("." + key) or key.endswith("." + k)]
    return found[0] if len(found) == 1 else None


#: the decorators that hang a function before every request of a blueprint or app
_HOOKS = (".before_request", ".before_app_request")


@dataclass(frozen=True)
class _Before:
    """What runs before a blueprint's or app's routes, by owner (qualified name): the ``before_request`` hooks'
    guard names, and the ``url_value_preprocessor`` hooks that refuse callers."""

    names: dict[str, list[str]]
    values: dict[str, list[ValueHook]]


def _objects(project: Project) -> tuple[dict[str, str], _Before]:
    """Blueprint/app (qualified name) -> URL prefix; what runs before each owner's routes."""
    prefixes: dict[str, str] = {}
    for index, call in project.calls(_APPS):
        if call.assigned_to:
            prefixes[qualified(index, call.assigned_to)] = text(arg(call.args, 99, "url_prefix")) or ""
    for index, call in project.calls(endings=(".register_blueprint",)):
        if call.args and call.args[0].name:
            given = text(arg(call.args, 99, "url_prefix"))
            key = qualified(index, call.args[0].name)
            known = next((k for k in prefixes if k == key or k.endswith("." + key) or key.endswith("." + k)), key)
            if given is not None:
                prefixes[known] = given
    before = _Before({}, {})
    for index in project.indexes:
        for definition in index.definitions:
            for dec in definition.decorators:
                if dec.raw.endswith(".url_value_preprocessor") and (hook := value_hook(index, definition)):
                    before.values.setdefault(qualified(index, dec.raw.rsplit(".", 1)[0]), []).append(hook)
            hooks = [d for d in definition.decorators if d.raw.endswith(_HOOKS)]
            # the hook's name, what it calls, and what guards it (privacyIDEA's ``before_admin_request``, hung on
            # twenty admin blueprints, is ``@admin_required`` and calls only ``before_request()``)
            names = [
                definition.name,
                *(c.raw for c in index.calls_in(definition.qualname)),
                *(d.raw for d in definition.decorators if not d.raw.endswith(_HOOKS)),
            ]
            for dec in hooks:
                before.names.setdefault(qualified(index, dec.raw.rsplit(".", 1)[0]), []).extend(names)
    return prefixes, before


def flask_routes(project: Project, settings: EntrypointSettings) -> Iterator[Route]:
    yield from behind_login_hook(_flask_routes(project, settings), _login_hooks(project))


def _login_hooks(project: Project) -> list[LoginHook]:
    """The ``before_request`` hooks of Flask apps (not blueprints) that turn anonymous callers away, each covering
    the package its app is made in (where the app's blueprints live)."""
    made_in = {
        qualified(index, c.assigned_to): posixpath.dirname(index.path)
        for index, c in project.calls(_APPS)
        if c.target == "flask.Flask" and c.assigned_to
    }
    hooks: list[LoginHook] = []
    for index in project.indexes if made_in else ():  # no Flask app: no definition's decorators to read
        for definition in index.definitions:
            for dec in definition.decorators:
                if not dec.raw.endswith(".before_request"):
                    continue
                package = lookup(made_in, qualified(index, dec.raw.rsplit(".", 1)[0]))
                if package is not None and refuses_anonymous(index, definition):
                    hooks.append(LoginHook(definition.qualname, f"{package}/" if package else ""))
    return hooks


def _flask_routes(project: Project, settings: EntrypointSettings) -> Iterator[Route]:
    prefixes, before = _objects(project)
    for index in project.indexes:
        if not imports_module(index, ("flask",)):
            continue
        for definition in index.definitions:
            yield from _decorated(index, definition, prefixes, before, settings)
        for call in index.calls:
            if call.raw.endswith(".add_url_rule"):
                yield from _url_rule(project, index, call, prefixes=prefixes, before=before, settings=settings)


def _route(
    owner: str,
    path: str,
    methods: tuple[str, ...],
    handler: Definition | None,
    *,
    name: str,
    index: CodeIndex,
    line: int,
    prefixes: dict[str, str],
    before: _Before,
    settings: EntrypointSettings,
) -> Route:
    guards = Guards()
    earlier: list[str] | None = lookup(before.names, owner)
    guards.add(earlier or [])
    if handler is not None:
        guards.add(d.raw for d in handler.decorators)
    route = Route("flask", methods, join(lookup(prefixes, owner) or "", path), name, index.path, line)
    judged = guards.judge(route, settings, default=NO)
    hooks = lookup(before.values, owner) or []
    return next(unknown_behind([judged], lambda r: next((h.name for h in hooks if h.covers(r.path)), None)))


def _decorated(
    index: CodeIndex,
    definition: Definition,
    prefixes: dict[str, str],
    before: _Before,
    settings: EntrypointSettings,
) -> Iterator[Route]:
    for dec in definition.decorators:
        if not dec.is_call or "." not in dec.raw:
            continue
        owner, verb = dec.raw.rsplit(".", 1)
        if verb not in _VERBS and verb != "route":
            continue
        owner = qualified(index, owner)
        if verb != "route" and lookup(prefixes, owner) is None:
            continue  # ``x.get(...)`` on something that is not a Flask app or blueprint
        path = text(arg(dec.args, 0, "rule"))
        if path is None:
            continue
        declared = arg(dec.args, 99, "methods")
        methods = (
            tuple(str(m).upper() for m in declared.literal)
            if declared is not None and isinstance(declared.literal, tuple)
            else ("GET",)
        )
        if verb in _VERBS:
            methods = (_VERBS[verb],)
        yield _route(
            owner,
            path,
            methods,
            definition,
            name=definition.qualname,
            index=index,
            line=dec.line,
            prefixes=prefixes,
            before=before,
            settings=settings,
        )


def _url_rule(
    project: Project,
    index: CodeIndex,
    call: CallSite,
    *,
    prefixes: dict[str, str],
    before: _Before,
    settings: EntrypointSettings,
) -> Iterator[Route]:
    path = text(arg(call.args, 0, "rule"))
    view = arg(call.args, 2, "view_func")
    if path is None or view is None:
        return
    if view.call and view.call.endswith(".as_view"):
        name = view.call.removesuffix(".as_view")
    else:
        name = view.name or (view.call_args[0] if view.call_args else "")
    found = project.find(name, index) if name else None
    declared = arg(call.args, 99, "methods")
    methods = (
        tuple(str(m).upper() for m in declared.literal)
        if declared is not None and isinstance(declared.literal, tuple)
        else ("GET",)
    )
    owner = qualified(index, call.raw.rsplit(".", 1)[0])
    route = _route(
        owner,
        path,
        methods,
        found[1] if found else None,
        name=found[1].qualname if found else name,
        index=index,
        line=call.line,
        prefixes=prefixes,
        before=before,
        settings=settings,
    )
    if view.call and not view.call.endswith(".as_view"):  # ``view_func=login_required(view)``
        guards = Guards()
        guards.add([view.call, *route.auth_evidence])
        route = guards.judge(route, settings, default=route.authenticated)
    yield replace(route, handler_file=found[0].path) if found and found[0].path != index.path else route
