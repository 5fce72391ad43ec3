"""Spring functional routes (WebFlux/WebMvc.fn ``RouterFunctions``, read into the Java index as declared
routes): the handler resolved to its method (``handler::getPerson`` with ``PersonHandler handler`` ->
``PersonHandler.getPerson``; a lambda is the ``@Bean`` method that builds the router), judged like annotated
Spring routes (method security on the handler, then the first Spring Security URL rule, WebFlux
``authorizeExchange().pathMatchers(...)`` included); a router's ``filter``/``before`` functions guard the
routes no rule decided: one named for authentication authenticates, any other leaves them unknown."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace

from redline.sources.code.model import CodeIndex, DeclaredRoute, Definition
from redline.sources.code.routes.common import Project
from redline.sources.code.routes.guards import Guards
from redline.sources.code.routes.model import UNKNOWN, YES, Route
from redline.sources.code.routes.servlets import auth_named
from redline.sources.code.routes.settings import EntrypointSettings
from redline.sources.code.routes.spring import judge, security_rules


def _handler(project: Project, index: CodeIndex, declared: DeclaredRoute) -> tuple[str, Definition, Definition]:
    """(the file the handler is in, the handler method, its class); the router's own method for a lambda or
    a handler the project does not define."""
    method = declared.handler.rpartition("::")[2]
    if declared.handler_type and method:
        for found_index, definition in project.definitions.get(method, []):
            if found_index.language == "java" and definition.qualname.endswith(f"{declared.handler_type}.{method}"):
                return found_index.path, definition, _owner(found_index, definition)
    if declared.handler_type and method:  # a handler class outside the project: named, not resolved
        named = Definition(method, f"{declared.handler_type}.{method}", "function", declared.line, declared.line)
        return index.path, named, _owner(index, named)
    builder = next((d for d in index.definitions if d.qualname == declared.function), None)
    if builder is None:
        builder = Definition(
            declared.function or "<router>", declared.function, "function", declared.line, declared.line
        )
    return index.path, builder, _owner(index, builder)


def _owner(index: CodeIndex, method: Definition) -> Definition:
    owner = method.qualname.rpartition(".")[0]
    found = next((d for d in index.definitions if d.qualname == owner and d.kind == "class"), None)
    return found or Definition(owner, owner, "class", method.line, method.line)


def spring_fn_routes(project: Project, settings: EntrypointSettings) -> Iterator[Route]:
    indexes = [i for i in project.indexes if i.language == "java" and i.declared_routes]
    rules = security_rules(project) if indexes else []
    for index in indexes:
        for declared in index.declared_routes:
            handler_file, handler, cls = _handler(project, index, declared)
            where = (declared.methods, declared.path, handler, index.path, declared.line)
            route = judge("spring-fn", where, cls, rules, settings)
            if handler_file != index.path:
                route = replace(route, handler_file=handler_file)
            yield _filtered(route, declared, settings)


def _filtered(route: Route, declared: DeclaredRoute, settings: EntrypointSettings) -> Route:
    if route.authenticated == YES or not declared.filters:
        return route
    named = [f for f in declared.filters if auth_named(f)]
    if named:
        return replace(route, authenticated=YES, authorized=UNKNOWN, auth_evidence=tuple(named))
    guards = Guards()
    guards.add(declared.filters)
    judged = guards.judge(route, settings, default=UNKNOWN)
    if judged.authenticated == UNKNOWN:
        evidence = tuple(f"router filter {f}: what it checks is not known" for f in declared.filters)
        return replace(judged, auth_evidence=evidence)
    return judged
