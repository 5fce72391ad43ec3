"""Fastify: ``instance.METHOD(path, [options], handler)`` and ``instance.route({...})`` on the root
instance and inside plugins (the function's first parameter), plugin prefixes from
``register(plugin, { prefix })`` joined down the tree, and the guards: ``onRequest``/``preHandler``/
``preValidation`` hooks added with ``addHook`` in the route's context or an enclosing one, and the same
hooks given in the route's options (``{ onRequest: [fastify.authenticate] }``)."""

from __future__ import annotations

import posixpath
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field

from redline.sources.code.model import Arg, CallSite, CodeIndex
from redline.sources.code.routes.common import Project, calls_by_function, imports_module, join
from redline.sources.code.routes.guards import Guards
from redline.sources.code.routes.jscommon import VERBS, benign, is_js
from redline.sources.code.routes.jshandlers import HandlerResolver
from redline.sources.code.routes.model import NO, UNKNOWN, Route
from redline.sources.code.routes.settings import EntrypointSettings
from redline.sources.code.treesitter.jsnames import import_target

_HOOKS = ("onRequest", "preParsing", "preValidation", "preHandler")
Key = tuple[str, str]  # (file, function qualname; "" for the module level of a root instance)


@dataclass
class _Context:
    index: CodeIndex
    receivers: set[str]
    hooks: list[str] = field(default_factory=list)
    parents: list[tuple[Key, str]] = field(default_factory=list)  # parent context, prefix given at register
    routes: list[tuple[CallSite, tuple[str, ...], str, list[str], Arg | None]] = field(default_factory=list)


def _option(items: tuple[str, ...], name: str) -> str | None:
    return next((i.split("=", 1)[1] for i in items if i.startswith(name + "=")), None)


def _listed(value: str | None) -> list[str]:
    """``[fastify.authenticate,check]`` or ``fastify.authenticate`` -> the names."""
    if not value:
        return []
    return [v for v in value.strip("[]").split(",") if v and not v.startswith("<anonymous")] or [value]


def _contexts(project: Project) -> dict[Key, _Context]:
    contexts: dict[Key, _Context] = {}
    project_uses = any(_imports_fastify(index) for index in project.indexes if is_js(index))
    for index in project.indexes:
        if not is_js(index):
            continue
        module_uses = _imports_fastify(index)  # once per module, not per function that registers routes
        roots = {c.assigned_to for c in index.calls if c.target in {"fastify", "fastify.default"} and c.assigned_to}
        if roots:
            contexts[(index.path, "")] = _Context(index, roots)
        by_function = calls_by_function(index)
        for definition in index.definitions:
            receiver = definition.params[0] if definition.params else None
            calls = by_function.get(definition.qualname, [])
            uses = receiver and any(c.raw.startswith(receiver + ".") for c in calls)
            if receiver and uses and _plugin_like(calls, receiver, module_uses, project_uses):
                contexts[(index.path, definition.qualname)] = _Context(index, {receiver})
    return contexts


def _imports_fastify(index: CodeIndex) -> bool:
    return imports_module(index, ("fastify", "fastify-plugin")) or any(
        q.startswith("@fastify/") for _, q in index.imports
    )


def _plugin_like(calls: list[CallSite], receiver: str, module_uses: bool, project_uses: bool) -> bool:
    """A function (making ``calls``) whose first parameter registers routes or hooks, in a module that uses
    Fastify, or named like a Fastify instance in a project that uses Fastify somewhere (an Express project's
    ``function (app, middleware)``, NodeBB's route modules, is not a Fastify plugin)."""
    registers = {f"{receiver}.{v}" for v in (*VERBS, "route", "addHook", "register")}
    routes = any(c.raw in registers for c in calls)
    named = receiver in {"fastify", "instance", "server", "app"}
    return routes and (module_uses or (named and project_uses))


def _plugin(project: Project, index: CodeIndex, arg: Arg, exports: Mapping[str, str]) -> Key | None:
    """The plugin function a ``register`` argument names: local, imported, or ``require`` in place."""
    if arg.call == "require" and arg.call_args:
        return _exported(project, import_target(index.path, arg.call_args[0]), exports)
    if arg.call and arg.call_args:  # ``fp(plugin)``
        arg = Arg(None, name=arg.call_args[0])
    if not arg.name:
        return None
    local = next((d for d in index.definitions if d.qualname == arg.name), None)
    if local is not None:
        return (index.path, local.qualname)
    imported = index.imported(arg.name.split(".")[0])
    return _exported(project, imported, exports) if imported else None


def _exported(project: Project, module: str, exports: Mapping[str, str]) -> Key | None:
    value = exports.get(module)
    if value is None:
        return None
    for other in project.by_module_id.get(module, ()):
        line = value.removeprefix("<anonymous:").removesuffix(">")
        for definition in other.definitions:
            if definition.name == value or (line.isdigit() and definition.line == int(line)):
                return (other.path, definition.qualname)
    return None


def _collect(project: Project, contexts: dict[Key, _Context]) -> None:
    exports = project.js_exports
    autoloads: list[tuple[Key, str]] = []
    for key, context in contexts.items():
        index = context.index
        calls = [c for c in index.calls if c.function == key[1]] if key[1] else index.calls
        for call in calls:
            owner, _, verb = call.raw.rpartition(".")
            if owner not in context.receivers:
                continue
            if verb == "addHook" and call.args and call.args[0].literal in _HOOKS and len(call.args) > 1:
                hook = call.args[1]
                context.hooks.append(hook.items[0] if hook.call is not None and hook.items else hook.name or "")
            elif verb == "register" and call.args and _autoload(index, call.args[0]):
                options = call.args[1].items if len(call.args) > 1 else ()
                folder = _folder(index.path, _option(options, "dir") or "")
                if folder is not None:
                    autoloads.append((key, folder))
            elif verb == "register" and call.args:
                child = _plugin(project, index, call.args[0], exports)
                options = call.args[1].items if len(call.args) > 1 else ()
                if child is not None and child in contexts and child != key:
                    contexts[child].parents.append((key, _option(options, "prefix") or ""))
            elif verb in VERBS and call.args and isinstance(call.args[0].literal, str):
                options = call.args[1].items if len(call.args) > 2 else ()
                guards = [n for h in _HOOKS for n in _listed(_option(options, h))]
                context.routes.append((call, (VERBS[verb],), call.args[0].literal, guards, call.args[-1]))
            elif verb == "route" and call.args:
                _declared(context, call)
    for parent, folder in autoloads:
        _autoloaded(contexts, parent, folder)


def _autoload(index: CodeIndex, arg: Arg) -> bool:
    target = index.imported(arg.name.split(".")[0]) if arg.name else None
    if arg.call == "require" and arg.call_args:
        target = arg.call_args[0]
    return (target or "").split(".")[0] in {"@fastify/autoload", "fastify-autoload"}


def _folder(importer: str, written: str) -> str | None:
    """``path.join(__dirname, 'routes')`` rendered as ``path.join(routes)`` -> ``src/routes``."""
    inner = written[written.find("(") + 1 : written.rfind(")")] if "(" in written else written
    parts = [p.strip() for p in inner.split(",") if p.strip() and "dirname" not in p]
    if not parts:
        return None
    return posixpath.normpath(posixpath.join(posixpath.dirname(importer), *parts))


def _autoloaded(contexts: dict[Key, _Context], parent: Key, folder: str) -> None:
    """@fastify/autoload: each plugin under the folder is mounted at its directory's path, and the hooks of
    ``autohooks`` files apply to the plugins of their directory and below."""
    hooks: dict[str, list[str]] = {}
    for key, context in contexts.items():
        directory = posixpath.dirname(key[0])
        if key[0].startswith(folder + "/") and posixpath.basename(key[0]).startswith("autohooks."):
            hooks.setdefault(directory, []).extend(context.hooks)
    for key, context in contexts.items():
        if not key[0].startswith(folder + "/") or context.parents or key == parent:
            continue
        directory = posixpath.dirname(key[0])
        context.parents.append((parent, directory[len(folder) :] or ""))
        cascaded = [h for d, hs in hooks.items() if directory == d or directory.startswith(d + "/") for h in hs]
        if not posixpath.basename(key[0]).startswith("autohooks."):
            context.hooks[:0] = cascaded


def _declared(context: _Context, call: CallSite) -> None:
    """``fastify.route({ method, url, handler, preHandler })``."""
    items = call.args[0].items
    url, method = _option(items, "url") or _option(items, "path"), _option(items, "method")
    if url is None or method is None:
        return
    methods = tuple(m.upper() for m in _listed(method))
    guards = [n for h in _HOOKS for n in _listed(_option(items, h))]
    handler = _option(items, "handler")
    context.routes.append((call, methods, url, guards, Arg(None, name=handler) if handler else None))


def _chains(key: Key, contexts: dict[Key, _Context], depth: int = 0) -> list[tuple[str, list[str]]]:
    context = contexts[key]
    if not context.parents or depth > 8:
        return [("", list(context.hooks))]
    return [
        (join(above, prefix), [*hooks, *context.hooks])
        for parent, prefix in context.parents
        for above, hooks in _chains(parent, contexts, depth + 1)
    ]


def fastify_routes(project: Project, settings: EntrypointSettings) -> Iterator[Route]:
    contexts = _contexts(project)
    if not contexts:
        return
    _collect(project, contexts)
    resolver = HandlerResolver.of(project)
    for key, context in contexts.items():
        for prefix, hooks in _chains(key, contexts):
            for call, methods, path, own, handler in context.routes:
                names = [*hooks, *own]
                found = resolver.handler(context.index, handler, range(call.line, call.end_line + 1))
                guards = Guards()
                guards.add(names)
                full = prefix if prefix and path in {"", "/"} else join(prefix, path) or "/"
                route = Route(
                    "fastify", methods, full, found.name, context.index.path, call.line, handler_file=found.file
                )
                yield guards.judge(route, settings, default=UNKNOWN if any(not benign(n) for n in names) else NO)
