"""Servlets declared in ``web.xml``: one route per URL pattern of each ``<servlet-mapping>`` (per ``doGet``/
``doPost``… when the servlet class is in the project, else every method), guarded by the container's
``<security-constraint>`` that matches it best (the servlet specification's order: exact pattern, then the
longest path prefix, then the extension; an ``<auth-constraint>`` with roles authenticates and authorizes,
an empty one admits no one, none at all leaves the resource public) and else by the filters mapped in front
of it: a security framework's chain (Spring Security, Shiro, Keycloak, pac4j, CAS) decides by its own
configuration (unknown here), a filter named for authentication guards it. Front controllers
(``DispatcherServlet``, Jersey, CXF, RESTEasy, Struts, Faces, Stapler) are not routes: their routes are the
controllers behind them."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import replace

from redline.sources.code.model import CodeIndex, Definition
from redline.sources.code.routes.common import Project
from redline.sources.code.routes.guards import Guards
from redline.sources.code.routes.model import NO, UNKNOWN, YES, Route
from redline.sources.code.routes.settings import EntrypointSettings
from redline.sources.code.webxml import Constraint, Mapping, WebDescriptor

_SERVLET = {
    "doGet": "GET",
    "doPost": "POST",
    "doPut": "PUT",
    "doDelete": "DELETE",
    "doPatch": "PATCH",
    "service": "ANY",
}
#: servlets that dispatch to controllers the other extractors read (by class name, any package)
FRONT_CONTROLLERS = frozenset(
    {
        "DispatcherServlet",
        "ServletContainer",
        "SpringServlet",
        "CXFServlet",
        "CXFNonSpringJaxrsServlet",
        "HttpServletDispatcher",
        "HttpServlet30Dispatcher",
        "FacesServlet",
        "Stapler",
        "JspServlet",
        "DefaultServlet",
        "WicketServlet",
        "MessageDispatcherServlet",
    }
)
#: filter classes of security frameworks: they guard what their own configuration says
_SECURITY_CHAINS = (
    "DelegatingFilterProxy",
    "FilterChainProxy",
    "ShiroFilter",
    "IniShiroFilter",
    "AbstractShiroFilter",
    "KeycloakOIDCFilter",
    "SecurityFilter",  # pac4j
    "AuthenticationFilter",  # Jasig/Apereo CAS
    "Cas20ProxyReceivingTicketValidationFilter",
)
#: calls by which a servlet checks its caller itself
_INLINE_CHECKS = frozenset(
    {
        "checkPermission",
        "hasPermission",
        "hasAdminPermissions",
        "isUserInRole",
        "getUserPrincipal",
        "getRemoteUser",
        "isAuthenticated",
        "checkAccess",
        "requireAuthentication",
        "authenticate",
    }
)
#: filter names and classes that say they authenticate
_AUTH_WORDS = ("auth", "login", "security", "sso", "oauth", "saml", "jwt", "keycloak", "shiro")


def pattern_rank(pattern: str, path: str) -> tuple[int, int] | None:
    """How specifically a servlet URL pattern matches a path (higher is more specific), None when it does not:
    exact, then path prefix ``/x/*`` by length, then extension ``*.do``, then the default ``/``."""
    if pattern == path:
        return (4, len(pattern))
    if pattern.endswith("/*"):
        prefix = pattern[:-2]
        if path == prefix or path.startswith(prefix + "/") or not prefix:
            return (3, len(prefix))
    if pattern.startswith("*.") and (path.endswith(pattern[1:]) or path == pattern):
        return (2, 0)
    if pattern == "/":
        return (1, 0)
    return None


def _best(constraints: Sequence[Constraint], path: str, method: str) -> Constraint | None:
    ranked = []
    for constraint in constraints:
        if constraint.methods and method not in constraint.methods:  # ANY: only partly covered, not guarded
            continue
        if method in constraint.omitted:
            continue
        rank = max((r for p in constraint.patterns if (r := pattern_rank(p, path)) is not None), default=None)
        if rank is not None:
            ranked.append((rank, constraint.roles is not None, constraint))
    return max(ranked, key=lambda r: (r[0], r[1]))[2] if ranked else None


def _class_methods(project: Project, cls: str) -> tuple[CodeIndex, list[Definition], bool, str] | None:
    """The servlet class in the project's Java files (by its file path when several share the simple name),
    its ``doGet``/``doPost``… methods, and whether it extends a front controller."""
    simple = cls.rsplit(".", 1)[-1]
    candidates = [(i, d) for i, d in project.definitions.get(simple, []) if d.kind == "class" and i.language == "java"]
    by_path = [c for c in candidates if c[0].path.endswith(cls.replace(".", "/") + ".java")]
    chosen = by_path or (candidates if len(candidates) == 1 else [])
    if not chosen:
        return None
    index, definition = chosen[0]
    members = [d for d in index.definitions if d.qualname == f"{definition.qualname}.{d.name}" and d.name in _SERVLET]
    return index, members, bool(set(definition.bases) & FRONT_CONTROLLERS), definition.qualname


def servlet_routes(
    project: Project, descriptors: Sequence[WebDescriptor], settings: EntrypointSettings
) -> Iterator[Route]:
    for descriptor in descriptors:
        classes = {s.name: s.cls for s in descriptor.servlets}
        for mapping in descriptor.servlet_mappings:
            cls = classes.get(mapping.name, "")
            if not cls or cls.rsplit(".", 1)[-1] in FRONT_CONTROLLERS:
                continue
            found = _class_methods(project, cls) if not cls.endswith(".jsp") else None
            if found is not None and found[2]:
                continue  # extends a front controller (``class StaticDispatcherServlet extends DispatcherServlet``)
            handlers = [(_SERVLET[m.name], m.qualname, found[0].path) for m in found[1]] if found else []
            checks = _own_checks(found[0], found[3]) if found else ()
            for pattern, line in mapping.patterns:
                for method, handler, handler_file in handlers or [("ANY", cls, "")]:
                    route = Route(
                        "servlet", (method,), pattern, handler, descriptor.path, line, handler_file=handler_file
                    )
                    yield _checked(_judge(route, descriptor, mapping, settings), checks)


#: front controllers whose URL pattern prefixes the routes of a framework: class name -> framework
_PREFIXING = {
    "DispatcherServlet": "spring",
    "ServletContainer": "jaxrs",
    "SpringServlet": "jaxrs",
    "HttpServletDispatcher": "jaxrs",
    "HttpServlet30Dispatcher": "jaxrs",
    "CXFNonSpringJaxrsServlet": "jaxrs",
}


def _prefixes(descriptor: WebDescriptor) -> dict[str, str]:
    """framework -> the path prefix its one front controller is mapped at (``/api/*`` -> ``/api``); a framework
    whose controllers are mapped at several patterns, or at an extension (``*.htm``), gets none."""
    classes = {s.name: s.cls.rsplit(".", 1)[-1] for s in descriptor.servlets}
    found: dict[str, set[str]] = {}
    for mapping in descriptor.servlet_mappings:
        framework = _PREFIXING.get(classes.get(mapping.name, ""))
        for pattern, _ in mapping.patterns if framework else ():
            found.setdefault(framework or "", set()).add(pattern)
    out: dict[str, str] = {}
    for framework, patterns in found.items():
        only = next(iter(patterns)) if len(patterns) == 1 else ""
        if only.endswith("/*") and only != "/*":
            out[framework] = only[:-2]
    return out


def mounted(routes: Sequence[Route], descriptors: Sequence[WebDescriptor]) -> list[Route]:
    """Spring MVC and JAX-RS routes of a module whose ``web.xml`` maps the dispatcher (or Jersey, RESTEasy,
    CXF) at one ``/prefix/*``: their paths with that prefix, as the container serves them."""
    roots = sorted(((module_root(d.path), _prefixes(d)) for d in descriptors), key=lambda r: -len(r[0]))
    out: list[Route] = []
    for route in routes:
        prefixes = next((p for root, p in roots if route.file.startswith(root)), {})
        prefix = prefixes.get(route.framework, "") if not route.file.endswith(".xml") else ""
        out.append(replace(route, path=prefix + "/" + route.path.lstrip("/")) if prefix else route)
    return out


#: the Java frameworks whose routes the container's constraints and filters sit in front of
_CONTAINER_ROUTES = frozenset({"servlet", "spring", "jaxrs", "spring-fn"})


def module_root(descriptor_path: str) -> str:
    """``app/src/main/webapp/WEB-INF/web.xml`` -> ``app/``: the module whose code the descriptor serves."""
    for marker in ("src/main/", "WEB-INF/"):
        if marker in descriptor_path:
            return descriptor_path.partition(marker)[0]
    return descriptor_path.rpartition("/")[0]


def container_guarded(
    routes: Sequence[Route], descriptors: Sequence[WebDescriptor], settings: EntrypointSettings
) -> list[Route]:
    """Java routes declared in code (``@WebServlet``, Spring, JAX-RS) that no annotation or rule guards, judged
    again by the ``web.xml`` of their module: a ``*.jsp`` or ``/*`` filter or constraint applies to them too."""
    roots = sorted(((module_root(d.path), d) for d in descriptors), key=lambda r: -len(r[0]))
    out: list[Route] = []
    for route in routes:
        descriptor = next((d for root, d in roots if route.file.startswith(root)), None)
        unguarded = route.authenticated == NO and not route.auth_evidence
        if descriptor is None or not unguarded or route.framework not in _CONTAINER_ROUTES:
            out.append(route)
            continue
        judged = _judge(route, descriptor, Mapping("", ()), settings)
        out.append(judged if judged.authenticated != NO or judged.auth_evidence else route)
    return out


def _judge(route: Route, descriptor: WebDescriptor, mapping: Mapping, settings: EntrypointSettings) -> Route:
    constraint = _best(descriptor.constraints, route.path, route.methods[0])
    if constraint is not None and constraint.roles is not None:
        evidence = (f"web.xml:{constraint.line} security-constraint {', '.join(constraint.patterns)}",)
        roles = constraint.roles
        detail = (f"{evidence[0]} admits no one",) if not roles else (f"{evidence[0]} roles {', '.join(roles)}",)
        return replace(route, authenticated=YES, authorized=YES, auth_evidence=detail, authz_evidence=detail)
    filters = _filters(descriptor, mapping, route.path)
    chain = next((f for f in filters if f[1].rsplit(".", 1)[-1] in _SECURITY_CHAINS), None)
    if chain is not None:
        evidence = (f"filter {chain[0]} ({chain[1].rsplit('.', 1)[-1]}): its own configuration decides",)
        return replace(route, authenticated=UNKNOWN, authorized=UNKNOWN, auth_evidence=evidence)
    guards = Guards()
    guards.add(f"{name} ({cls.rsplit('.', 1)[-1]})" for name, cls in filters if auth_named(name, cls))
    if guards.names:
        return replace(route, authenticated=YES, authorized=UNKNOWN, auth_evidence=tuple(guards.names))
    if constraint is not None:  # a constraint without <auth-constraint>: transport rules only, no login
        public = (f"web.xml:{constraint.line} security-constraint without auth-constraint",)
        return replace(route, authenticated=NO, authorized=NO, auth_evidence=public)
    guards.add(name for name, _ in filters)
    return guards.judge(route, settings, default=NO)


def _own_checks(index: CodeIndex, cls: str) -> tuple[str, ...]:
    """The permission checks a servlet class makes itself (``authmgr.checkPermission(...)``,
    ``req.isUserInRole("admin")``, ``req.getUserPrincipal()``), one of each."""
    found = {c.raw for c in index.calls if c.function.startswith(cls + ".") and last_name(c.raw) in _INLINE_CHECKS}
    return tuple(sorted(found))[:3]


def _checked(route: Route, checks: tuple[str, ...]) -> Route:
    """A route no guard protects, whose servlet checks the caller itself: unknown, not unauthenticated."""
    if route.authenticated != NO or not checks:
        return route
    evidence = tuple(f"the servlet checks the caller itself: {c}()" for c in checks)
    return replace(route, authenticated=UNKNOWN, authorized=UNKNOWN, auth_evidence=evidence)


def last_name(dotted: str) -> str:
    return dotted.rsplit(".", 1)[-1]


def auth_named(*names: str) -> bool:
    """A filter whose name or class says it authenticates (``apiKeyAuth``, ``TokenAuthFilter``, ``LoginFilter``)."""
    words = " ".join(n.rsplit(".", 1)[-1] for n in names).lower()
    return any(w in words for w in _AUTH_WORDS)


def _filters(descriptor: WebDescriptor, servlet: Mapping, path: str) -> list[tuple[str, str]]:
    """The (name, class) of every filter mapped in front of this path or servlet, in declaration order."""
    classes = {f.name: f.cls for f in descriptor.filters}
    found: list[tuple[str, str]] = []
    for mapping in descriptor.filter_mappings:
        by_pattern = any(pattern_rank(p, path) is not None and p != "/" for p, _ in mapping.patterns)
        if by_pattern or servlet.name in mapping.servlets or "*" in mapping.servlets:
            found.append((mapping.name, classes.get(mapping.name, "")))
    return found
