"""Django: ``urls.py`` ``path``/``re_path`` with ``include`` chains resolved, function and class-based
views with their decorators, mixins and DRF ``permission_classes``; ``LoginRequiredMiddleware`` in
``MIDDLEWARE`` and DRF ``DEFAULT_PERMISSION_CLASSES`` apply to every route. DRF routers (DRF's or a project class
inheriting one, netbox's ``NetBoxRouter``) serve their viewsets and ``@action`` methods where ``include(router.urls)``
or the module's own ``urlpatterns = router.urls`` puts them."""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field, replace
from functools import reduce

from redline.core.filekinds import looks_like_test_or_sample
from redline.sources.code.model import Arg, CallSite, CodeIndex, Decorator, Definition
from redline.sources.code.routes.common import (
    Project,
    Wanted,
    arg,
    join,
    keyword_arg,
    module_name,
    qualified,
    text,
)
from redline.sources.code.routes.django_decorated import decorators_at, pattern_decorators
from redline.sources.code.routes.django_decorators import applied_guards, refusing_decorator
from redline.sources.code.routes.django_dispatch import dispatch_guards
from redline.sources.code.routes.django_middleware import (
    authorization_middlewares,
    behind_authorization_middleware,
    behind_login_middleware,
    login_middlewares,
)
from redline.sources.code.routes.drf_permissions import composed, guarding
from redline.sources.code.routes.drfrouters import DRF_ROUTERS, router_calls
from redline.sources.code.routes.guards import Guards, names_a_guard
from redline.sources.code.routes.model import NO, UNKNOWN, Route
from redline.sources.code.routes.settings import EntrypointSettings

_PATH_FUNCS = frozenset({"django.urls.path", "django.urls.re_path", "django.conf.urls.url"})
_CBV_METHODS = ("get", "post", "put", "patch", "delete")
#: the DRF viewset actions a router maps to methods
_VIEWSET_ACTIONS = ("list", "retrieve", "create", "update", "partial_update", "destroy")
_DRF_BASES = ("APIView", "GenericAPIView", "ViewSet", "ModelViewSet", "GenericViewSet", "ReadOnlyModelViewSet")
_METHOD_DECORATORS = {"require_POST": ("POST",), "require_GET": ("GET",), "require_safe": ("GET", "HEAD")}


@dataclass(frozen=True)
class _Pattern:
    index: CodeIndex
    call: CallSite
    route: str
    view: Arg
    #: what an ``include(...)`` view includes: a urls module (``"shop.urls"``) or a router's URLs (``router.urls``)
    included: str | None = None
    #: the decorators a helper of the urls module gives the pattern (``decorated_patterns([login_required], ...)``)
    decorators: tuple[str, ...] = ()


_INCLUDE = frozenset({"include", "django.urls.include"})


def _patterns(project: Project) -> list[_Pattern]:
    found: list[_Pattern] = []
    decorating: dict[str, list[tuple[int, int, tuple[str, ...]]]] = {}
    for index, call in project.calls(_PATH_FUNCS):
        route = text(arg(call.args, 0, "route"))
        route = route.lstrip("^").removesuffix("$") if route is not None else None
        view = arg(call.args, 1, "view")
        if route is not None and view is not None:
            if index.path not in decorating:
                decorating[index.path] = pattern_decorators(index)
            decorators = decorators_at(decorating[index.path], call)
            found.append(_Pattern(index, call, route, view, _included(index, call, view), decorators))
    return _under_inline_includes(found)


def _under_inline_includes(patterns: list[_Pattern]) -> list[_Pattern]:
    """Each pattern's route behind the routes of the patterns whose ``include([...])`` list it is written in
    (paperless-ngx's ``re_path(r"^api/", include([... re_path("^auth/", include(([path("login/", ...)], ...)))]))``:
    ``api/auth/login/``). A pattern is inside another when the other's call spans its lines and more."""
    includes: dict[str, list[_Pattern]] = {}
    for p in patterns:
        if p.view.call in _INCLUDE:
            includes.setdefault(p.index.path, []).append(p)
    out: list[_Pattern] = []
    for p in patterns:
        around = [q.route for q in includes.get(p.index.path, []) if _encloses(q.call, p.call)]  # outermost first
        out.append(replace(p, route=reduce(join, [*around, p.route])) if around else p)
    return out


def _encloses(outer: CallSite, inner: CallSite) -> bool:
    spans = outer.line <= inner.line and inner.end_line <= outer.end_line
    return spans and (outer.line, outer.end_line) != (inner.line, inner.end_line)


def _included(index: CodeIndex, call: CallSite, view: Arg) -> str | None:
    """``include("shop.urls")``, ``include(router.urls)``, or the first item of ``include((router.urls, "api"))``
    (a namespaced include: Tandoor's ``path("api/", include((router.urls, "api")))``), read from the ``include``
    call itself, whose tuple argument the pattern's argument does not keep."""
    if view.call not in _INCLUDE:
        return None
    if view.call_args:
        return view.call_args[0]
    inner = next(
        (
            c
            for c in index.calls
            if (c.raw in _INCLUDE or c.target in _INCLUDE) and call.line <= c.line <= call.end_line and c.args
        ),
        None,
    )
    written = inner.args[0] if inner is not None else None
    if written is None or not isinstance(written.literal, tuple) or not written.items:
        return None
    return written.items[0] or None


def _prefixes(patterns: list[_Pattern], also: Iterable[str] = ()) -> dict[str, list[str]]:
    """urls module (dotted) -> every prefix it is mounted under through ``include`` chains; ``also``: modules
    with no pattern of their own that can be included (one serving a router's URLs)."""
    edges = [(module_name(p.index.path), p.route, p.included) for p in patterns if p.included]
    included = {child for _, _, child in edges}
    modules = {module_name(p.index.path) for p in patterns} | set(also)
    prefixes: dict[str, list[str]] = {m: [""] for m in modules if not any(m.endswith(c) for c in included)}
    for _ in range(8):  # include depth; a cycle stops here
        for parent, route, child in edges:
            for module in modules:
                if module.endswith(child):
                    known = prefixes.setdefault(module, [])
                    for above in prefixes.get(parent, []):
                        if join(above, route) not in known:
                            known.append(join(above, route))
    return prefixes


def _setting(project: Project, name: str) -> list[str]:
    return [str(v) for index in project.indexes for a in index.assignments if a.name == name for v in a.values]


def django_routes(project: Project, settings: EntrypointSettings) -> Iterator[Route]:
    middleware = _setting(project, "MIDDLEWARE")
    routes = _django_routes(project, settings, middleware)
    routes = behind_login_middleware(routes, login_middlewares(project, middleware))
    yield from behind_authorization_middleware(routes, authorization_middlewares(project, middleware))


def _django_routes(project: Project, settings: EntrypointSettings, middleware: list[str]) -> Iterator[Route]:
    patterns = list(_patterns(project))
    routers = _routers(project)
    served, spread = _served(project), _spread(project)
    serving = [where for where, _ in served] + [where for where, _, _ in spread]
    prefixes = _prefixes(patterns, also=[module_name(where.path) for where in serving])
    everywhere = [m for m in middleware if "LoginRequired" in m]
    drf = _setting(project, "REST_FRAMEWORK.DEFAULT_PERMISSION_CLASSES")
    mounting = _Mounting(patterns, prefixes, served, spread)
    yield from _drf_routes(project, routers, mounting, everywhere=everywhere, drf=drf, settings=settings)
    for pattern in patterns:
        if pattern.view.call in _INCLUDE:
            continue
        for prefix in prefixes.get(module_name(pattern.index.path), [""]):
            yield _route(
                project, pattern, join(prefix, pattern.route), everywhere=everywhere, drf=drf, settings=settings
            )


def _route(
    project: Project,
    pattern: _Pattern,
    path: str,
    *,
    everywhere: list[str],
    drf: list[str],
    settings: EntrypointSettings,
) -> Route:
    guards = Guards()
    guards.add(everywhere)
    guards.add(pattern.decorators)
    view = pattern.view
    wrapped = False
    if view.call and view.call.endswith(".as_view"):
        name = view.call.removesuffix(".as_view")
    elif view.call:  # ``login_required(views.index)``, ``self.admin_site.admin_view(...)``
        guards.add([view.call])
        name = view.call_args[0] if view.call_args else ""
        wrapped = True
    else:
        name = view.name or ""
    found = _view(project, pattern.index, name) if name else None
    methods: tuple[str, ...] = ("ANY",)
    if found is not None:
        methods = _view_guards(project, found[0], found[1], guards, drf)
    route = Route(
        "django",
        methods,
        "/" + path.lstrip("/"),
        found[1].qualname if found else name,
        pattern.index.path,
        pattern.call.line,
        handler_file=found[0].path if found else "",
    )
    # a wrapper redline does not know (``admin_view(...)``) may well be the guard
    route = guards.judge(route, settings, default=UNKNOWN if wrapped else NO)
    markers = settings.auth_markers | settings.authz_markers
    if found is not None and route.authenticated == NO:  # a project decorator that applies a known guard
        guards.add(applied_guards(project, found[0], guards.names, markers))
        route = guards.judge(route, settings, default=NO)
    if pattern.decorators and route.authenticated == NO:  # the same, named where the urls module imports them
        guards.add(applied_guards(project, pattern.index, pattern.decorators, markers))
        route = guards.judge(route, settings, default=NO)
    refusing = None
    if found is not None and route.authenticated == NO:
        refusing = refusing_decorator(project, found[0], [d.raw for d in found[1].decorators])
    if refusing is None and route.authenticated == NO:
        refusing = refusing_decorator(project, pattern.index, pattern.decorators)
    if refusing is None:
        return route
    return replace(route, authenticated=UNKNOWN, authorized=UNKNOWN, auth_evidence=(*route.auth_evidence, refusing))


#: how many classes of the project a view's lineage follows (the view included): nautobot's UI viewsets reach
#: the class whose ``dispatch`` checks permissions through eleven mixins, at the 14th place
_MAX_LINEAGE = 24


def _lineage(project: Project, index: CodeIndex, view: Definition) -> list[tuple[CodeIndex, Definition]]:
    """The view class and the project's classes it inherits from, nearest first (each once): a guard a base
    class mixes in (netbox's ``BaseRQView(UserPassesTestMixin, View)``, ``ObjectPermissionRequiredMixin`` on
    every generic view) applies to every view built on it."""
    out = [(index, view)]
    seen = {(index.path, view.qualname)}
    at = 0
    while at < len(out) and len(out) < _MAX_LINEAGE:
        where, cls = out[at]
        at += 1
        for base in cls.bases:
            found = _base_class(project, where, base)
            if found is None or found[1].kind != "class" or (found[0].path, found[1].qualname) in seen:
                continue
            seen.add((found[0].path, found[1].qualname))
            out.append(found)
    return out


def _view(project: Project, index: CodeIndex, name: str) -> tuple[CodeIndex, Definition] | None:
    """The view a urls module names: through the module's imports first (nautobot defines two
    ``RenderJinjaView``, one per UI and API, and each urls module imports its own), else ``Project.find``."""
    resolved = qualified(index, name)
    if resolved is not None:
        owner, _, short = resolved.rpartition(".")
        exact = [
            c
            for c in project.definitions.get(short, [])
            if c[1].qualname == short and f".{module_name(c[0].path)}".endswith(f".{owner}")
        ]
        if len(exact) == 1:
            return exact[0]
    return project.find(name, index)


def _base_class(project: Project, index: CodeIndex, base: str) -> tuple[CodeIndex, Definition] | None:
    """The class a base name refers to: through the module's imports first (plane has four classes named
    ``BaseAPIView``, one per API, each imported by its own views), else by name (``Project.find``)."""
    resolved = qualified(index, base)
    if resolved is not None:
        owner, _, name = resolved.rpartition(".")
        classes = [(i, d) for i, d in project.definitions.get(name, []) if d.kind == "class"]
        exact = [c for c in classes if f".{module_name(c[0].path)}".endswith(f".{owner}")]
        # else a module of the package it is re-exported from (``from plane.app.views import BaseAPIView``)
        under = [c for c in classes if f".{owner}." in f".{module_name(c[0].path)}."]
        for found in (exact, under):
            if len(found) == 1:
                return found[0]
    return project.find(base, index)


def _view_guards(
    project: Project,
    index: CodeIndex,
    view: Definition,
    guards: Guards,
    drf: list[str],
    *,
    lineage: list[tuple[CodeIndex, Definition]] | None = None,
) -> tuple[str, ...]:
    """Add the view's own guards and those of the classes it inherits from (``lineage`` when the caller has it);
    return the methods it answers."""
    guards.add(d.raw for d in view.decorators)
    guards.add(
        a
        for d in view.decorators
        if d.raw.endswith("method_decorator")
        for a in (x.name or x.call or "" for x in d.args)
    )
    methods: tuple[str, ...] = ("ANY",)
    for dec in view.decorators:
        short = dec.raw.rsplit(".", 1)[-1]
        if short in _METHOD_DECORATORS:
            methods = _METHOD_DECORATORS[short]
        elif short == "require_http_methods" and dec.args and isinstance(dec.args[0].literal, tuple):
            methods = tuple(str(m).upper() for m in dec.args[0].literal)
    if view.kind != "class":
        return methods
    lineage = lineage or _lineage(project, index, view)
    # the nearest class that sets ``permission_classes`` decides them, as Python's attribute lookup does
    setter = next(((where, c) for where, c in lineage if _sets_permissions(c)), None)
    permission = dict(setter[1].class_attrs)["permission_classes"] if setter else None
    plain = tuple(p for p in permission or () if not composed(p))
    guards.add(plain)
    guards.add(_project_permissions(project, setter[0], plain) if setter and plain else ())
    guards.add(_composed_guards(project, setter[0], permission) if setter and permission else ())
    drf_view = any(b.rsplit(".", 1)[-1] in _DRF_BASES for _, c in lineage for b in c.bases)
    if drf_view and permission is None:
        guards.add(drf)
    for where, cls in lineage:
        guards.add(cls.bases)
        for dispatch in _methods(where, cls, ("dispatch",)):  # @method_decorator(login_required)
            guards.add(d.raw for d in dispatch.decorators)
            guards.add(a.name or a.call or "" for d in dispatch.decorators for a in d.args)
    guards.add(dispatch_guards(lineage))  # a ``dispatch`` that tests the caller and refuses (nautobot's viewsets)
    guards.add(["permission_required"] if _requires_a_permission(project, lineage) else [])
    # a guard on every handler method of the view (plane: ``@allow_permission([ROLE.ADMIN])`` on each of
    # get/post/delete) guards the route; one on some methods only does not
    guards.add(_on_every(_methods(index, view, (*_CBV_METHODS, *_VIEWSET_ACTIONS))))
    own = [d.name.upper() for d in _methods(index, view, _CBV_METHODS)]
    return tuple(own) or ("ANY",)


def _requires_a_permission(project: Project, lineage: list[tuple[CodeIndex, Definition]]) -> bool:
    """A view class that names the permission it needs (``permission_required = "a4projects.change_project"``) and
    inherits a mixin redline cannot read, a package's (adhocracy-plus's views on adhocracy4's
    ``DashboardBaseMixin``, django-rules' or Django's ``PermissionRequiredMixin``): that mixin is what reads the
    attribute and refuses. A class that sets it with only the project's own bases, none of them reading it, has no
    such guard."""
    if not any(name == "permission_required" and values for _, cls in lineage for name, values in cls.class_attrs):
        return False
    return any(
        (short := base.rsplit(".", 1)[-1]).endswith("Mixin")
        and short not in _VIEW_MIXINS
        and _base_class(project, where, base) is None
        for where, cls in lineage
        for base in cls.bases
    )


#: Django's and DRF's mixins that build a view and never read ``permission_required``
_VIEW_MIXINS = frozenset(
    {
        *("ContextMixin", "TemplateResponseMixin", "SingleObjectMixin", "MultipleObjectMixin", "FormMixin"),
        *("ModelFormMixin", "DeletionMixin", "SingleObjectTemplateResponseMixin", "SuccessMessageMixin"),
        *("MultipleObjectTemplateResponseMixin", "CreateModelMixin", "ListModelMixin", "RetrieveModelMixin"),
        *("UpdateModelMixin", "DestroyModelMixin"),
    }
)


def _on_every(methods: list[Definition]) -> list[str]:
    """The decorator names (and ``method_decorator`` arguments) every one of ``methods`` carries."""
    names = [
        {d.raw for d in m.decorators}
        | {a.name or a.call or "" for d in m.decorators if d.raw.endswith("method_decorator") for a in d.args}
        for m in methods
    ]
    return sorted(set.intersection(*names)) if names else []


def _project_permissions(project: Project, index: CodeIndex, names: tuple[str, ...]) -> list[str]:
    """The project's own DRF permission classes among ``names`` that decide a request on who the caller is
    (a ``has_permission``, their own or inherited, that reads ``request.user``, ``is_authenticated``,
    ``has_perm``...), as ``Class.has_permission``: a check the project wrote, whatever its name (wger's
    ``CanContributeExercises``), or that verifies the request's signature (Grafana OnCall's ``AllowOnlyTwilio``:
    ``RequestValidator(auth_token).validate(...)``, through a method of its own). One that only defines
    ``has_object_permission`` gates no list or create, and one whose ``has_permission`` never looks at the caller
    (``return True``) lets everyone in: not counted."""
    found: list[str] = []
    for name in names:
        cls = _base_class(project, index, name)
        if cls is None or cls[1].kind != "class":
            continue
        if any(_asks_who(where, c) or _verifies_signature(where, c) for where, c in _lineage(project, cls[0], cls[1])):
            found.append(f"{name}.has_permission")
    return found


def _composed_guards(project: Project, index: CodeIndex, permission: tuple[str, ...]) -> list[str]:
    """The guards of ``permission_classes = [(IsOwner | IsShared) & HasScope]`` (tandoor's every API view):
    each class judged as a single entry would be, the expression as DRF evaluates it."""

    def judge(name: str) -> list[str]:
        return _project_permissions(project, index, (name,)) or ([name] if names_a_guard(name) else [])

    return guarding(permission, judge)


def _asks_who(index: CodeIndex, cls: Definition) -> bool:
    """The class's own ``has_permission`` reads an identity attribute (the index keeps only those reads)."""
    scopes = {d.qualname for d in _methods(index, cls, ("has_permission",))}
    return bool(scopes) and any(scope in scopes for scope, _ in index.reads)


#: calls that check who sent a request by what it is signed with (``hmac.compare_digest``, Twilio's
#: ``RequestValidator``, a ``verify_signature`` of the project's)
_SIGNATURE_CHECK = re.compile(r"(?i)signature|verify|compare_digest|validator")


def _verifies_signature(index: CodeIndex, cls: Definition) -> bool:
    """The class's ``has_permission``, or a method of the class it calls on ``self``, calls a signature check."""
    scopes = {d.qualname for d in _methods(index, cls, ("has_permission",))}
    if not scopes:
        return False
    calls = [c for c in index.calls if c.function in scopes]
    scopes |= {f"{cls.qualname}.{c.raw[5:]}" for c in calls if c.raw.startswith("self.")}
    return any(c.function in scopes and _SIGNATURE_CHECK.search(c.raw) for c in index.calls)


def _sets_permissions(cls: Definition) -> bool:
    return any(name == "permission_classes" for name, _ in cls.class_attrs)


def _methods(index: CodeIndex, cls: Definition, names: tuple[str, ...]) -> list[Definition]:
    inside = cls.qualname + "."  # the name test first: it rules out nearly every definition of the module
    return [d for d in index.definitions if d.name in names and d.qualname.startswith(inside)]


#: the calls ``_patterns`` and ``_drf_routes`` look up (``Project.calls``)
WANTED = Wanted(_PATH_FUNCS | DRF_ROUTERS)
_ALL = ("GET", "POST", "PUT", "PATCH", "DELETE")
#: viewset bases and actions -> the methods they answer
_VIEWSET_METHODS = {
    "ModelViewSet": _ALL,
    "ReadOnlyModelViewSet": ("GET",),
    "ListModelMixin": ("GET",),
    "RetrieveModelMixin": ("GET",),
    "CreateModelMixin": ("POST",),
    "UpdateModelMixin": ("PUT", "PATCH"),
    "DestroyModelMixin": ("DELETE",),
    "list": ("GET",),
    "retrieve": ("GET",),
    "create": ("POST",),
    "update": ("PUT",),
    "partial_update": ("PATCH",),
    "destroy": ("DELETE",),
}


def _includes_router(pattern: _Pattern, index: CodeIndex, router: str) -> bool:
    """``path("api/", include(router.urls))`` beside the router, or in another urls module through an import of
    the router's module (linkding's ``include(api_routes.bookmark_router.urls)``) or of the router itself."""
    ref = pattern.included
    return (
        ref is not None and ref.endswith(".urls") and _names_router(pattern.index, ref[: -len(".urls")], index, router)
    )


def _names_router(where: CodeIndex, ref: str, index: CodeIndex, router: str) -> bool:
    """Does ``ref``, written in ``where``, name the router variable ``router`` of ``index``: itself beside it, or
    through an import of its module (``api_routes.bookmark_router``) or of the router (``bookmark_router``)?"""
    if where.path == index.path:
        return ref == router
    alias, _, rest = ref.partition(".")
    imported = qualified(where, alias)
    module = module_name(index.path)
    if imported is None:
        return False
    if rest == router:
        return module.endswith(imported)
    return not rest and f"{module}.{router}".endswith(imported)


def _served(project: Project) -> list[tuple[CodeIndex, str]]:
    """(module, router) for each router whose URLs a module adds to its own ``urlpatterns`` (netbox's
    ``urlpatterns = router.urls``, ``urlpatterns += router.urls``): served where that module is included."""
    return [
        (index, str(ref))
        for index in project.indexes
        for a in index.assignments
        if a.name == "urlpatterns.urls"
        for ref in a.values
    ]


def _spread(project: Project) -> list[tuple[CodeIndex, str, int]]:
    """(module, router, line) for each router whose URLs a module spreads into a list it hands a call
    (paperless-ngx's ``re_path(r"^api/", include([..., *api_router.urls]))``): served under that ``include``."""
    return [
        (index, str(ref), a.line)
        for index in project.indexes
        for a in index.assignments
        if a.name == "urlpatterns.spread_urls"
        for ref in a.values
    ]


#: DRF's ``@action`` decorator: an extra route of a viewset
_ACTION = "rest_framework.decorators.action"


def _action_routes(
    actions: list[tuple[CodeIndex, Definition, Decorator]],
    base: str,
    *,
    inherited: list[str],
    settings: EntrypointSettings,
) -> Iterator[Route]:
    """A viewset's ``@action`` methods (``_actions``), each a route under the viewset's path (``detail=True``
    under its ``<pk>``), named by ``url_path`` or the method, answering ``methods`` (GET by default); guarded by
    the viewset's guards and the action's own ``permission_classes`` and decorators."""
    for where, method, action in actions:
        answers = arg(action.args, 0, "methods")  # action(methods=None, detail=None, url_path=None, ...)
        detail = arg(action.args, 1, "detail")
        url = text(arg(action.args, 2, "url_path")) or method.name
        methods = (
            tuple(str(m).upper() for m in answers.literal)
            if answers is not None and isinstance(answers.literal, tuple)
            else ("GET",)
        )
        below = "<pk>/" if detail is not None and detail.literal is True else ""
        guards = Guards()
        guards.add(inherited)
        guards.add(d.raw for d in method.decorators if d is not action)
        permissions = keyword_arg(action.args, "permission_classes")
        guards.add(permissions.items if permissions is not None else ())
        route = Route("django", methods, f"{base}{below}{url.strip('/')}/", method.qualname, where.path, action.line)
        yield guards.judge(route, settings, default=NO)


Members = list[tuple[CodeIndex, Definition, list[Definition]]]


class _Members:
    """Each class's own methods, one pass per module: a viewset's lineage is read for its actions and its methods,
    and netbox's 200 viewsets share the same few base classes."""

    def __init__(self) -> None:
        self._by_module: dict[str, dict[str, list[Definition]]] = {}

    def of(self, lineage: list[tuple[CodeIndex, Definition]]) -> Members:
        found: Members = []
        for where, cls in lineage:
            by_class = self._by_module.get(where.path)
            if by_class is None:
                by_class = self._by_module[where.path] = {}
                for d in where.definitions:
                    by_class.setdefault(d.qualname.rpartition(".")[0], []).append(d)
            found.append((where, cls, by_class.get(cls.qualname, [])))
        return found


def _actions(members: Members) -> Iterator[tuple[CodeIndex, Definition, Decorator]]:
    """(module, method, its ``@action``) for each action method name of the viewset, its own or a base class's of
    the project (netbox's ``RenderConfigMixin``), the nearest class's definition first."""
    seen: set[str] = set()
    for where, _, methods in members:
        for method in methods:
            if method.name in seen:
                continue
            seen.add(method.name)
            action = next((d for d in method.decorators if d.target == _ACTION), None)
            if action is not None:
                yield where, method, action


def _viewset_methods(members: Members) -> tuple[str, ...]:
    """The methods a router maps for the viewset: from DRF's bases and mixins and the actions it defines, its own
    or a project base class's (netbox's ``NetBoxModelViewSet`` is a ``ModelViewSet``)."""
    names: list[str] = []
    for _, cls, methods in members:
        names += [b.rsplit(".", 1)[-1] for b in cls.bases]
        names += [d.name for d in methods]
    found = {m for n in names for m in _VIEWSET_METHODS.get(n, ())}
    return tuple(m for m in _ALL if m in found) or ("ANY",)


def _routers(project: Project) -> dict[int, set[str]]:
    """id(module) -> the variables it binds a DRF router to (``router = NetBoxRouter()``)."""
    routers_of: dict[int, set[str]] = {}
    for made_in, made in router_calls(project):
        # a test case's own router (netbox's ``test_api_routers.py``) is called by the test client, never served
        if made.assigned_to and not (made.function and looks_like_test_or_sample(made_in.path)):
            routers_of.setdefault(id(made_in), set()).add(made.assigned_to)
    return routers_of


@dataclass(frozen=True)
class _Mounting:
    """Where a module's router is served: ``include(router.urls)`` patterns and ``urlpatterns = router.urls``."""

    patterns: list[_Pattern]
    prefixes: dict[str, list[str]]
    served: list[tuple[CodeIndex, str]]
    spread: list[tuple[CodeIndex, str, int]]
    #: (module, router) -> its mounts: a router registers tens of viewsets (netbox's dcim: 60)
    known: dict[tuple[str, str], list[str]] = field(default_factory=dict)

    def mounts(self, index: CodeIndex, router: str) -> list[str]:
        key = (index.path, router)
        if key not in self.known:
            self.known[key] = self._mounts(index, router)
        return self.known[key]

    def _mounts(self, index: CodeIndex, router: str) -> list[str]:
        found = [
            join(above, p.route)
            for p in self.patterns
            if _includes_router(p, index, router)
            for above in self.prefixes.get(module_name(p.index.path), [""])
        ]
        found += [
            above
            for where, ref in self.served
            if _names_router(where, ref, index, router)
            for above in self.prefixes.get(module_name(where.path), [""])
        ]
        found += [
            join(above, self._around(where, line))
            for where, ref, line in self.spread
            if _names_router(where, ref, index, router)
            for above in self.prefixes.get(module_name(where.path), [""])
        ]
        return list(dict.fromkeys(found)) or [""]

    def _around(self, where: CodeIndex, line: int) -> str:
        """The route of the innermost ``include`` pattern of ``where`` whose call spans ``line`` (its route holds
        the routes of the includes around it); "" when none does (a list handed to another call)."""
        around = [
            p
            for p in self.patterns
            if p.index is where and p.view.call in _INCLUDE and p.call.line <= line <= p.call.end_line
        ]
        innermost = min(around, key=lambda p: p.call.end_line - p.call.line, default=None)
        return innermost.route if innermost is not None else ""


def _drf_routes(
    project: Project,
    routers_of: dict[int, set[str]],
    mounting: _Mounting,
    *,
    everywhere: list[str],
    drf: list[str],
    settings: EntrypointSettings,
) -> Iterator[Route]:
    """DRF ``router.register(prefix, ViewSet)``, mounted where ``include(router.urls)`` or the module's own
    ``urlpatterns`` put it."""
    classes = _Members()
    for index in project.indexes:
        routers = routers_of.get(id(index))
        if routers is None:
            continue  # no router of its own: none of its calls registers a viewset
        for call in index.calls:
            owner = call.raw.rpartition(".")[0]
            if owner not in routers or not call.raw.endswith(".register"):
                continue
            prefix, viewset = text(arg(call.args, 0, "prefix")), arg(call.args, 1, "viewset")
            if prefix is None or viewset is None or not viewset.name:
                continue
            found = _view(project, index, viewset.name)
            guards = Guards()
            guards.add(everywhere)
            methods: tuple[str, ...] = ("ANY",)
            actions: list[tuple[CodeIndex, Definition, Decorator]] = []
            if found is not None:
                lineage = _lineage(project, found[0], found[1])
                _view_guards(project, found[0], found[1], guards, drf, lineage=lineage)
                members = classes.of(lineage)
                methods = _viewset_methods(members)
                actions = list(_actions(members))  # once, whatever the number of mounts
            for mount in mounting.mounts(index, owner):
                path = ("/" + join(mount, prefix.strip("^$")).strip("/") + "/").replace("//", "/")
                route = Route(
                    "django",
                    methods,
                    path,
                    found[1].qualname if found else viewset.name,
                    index.path,
                    call.line,
                    handler_file=found[0].path if found else "",
                )
                yield guards.judge(route, settings, default=NO)
                yield from _action_routes(actions, path, inherited=guards.names, settings=settings)
