"""Route-level exposure: dangerous handlers and admin paths without authentication, routes that skip the
authorization their siblings have, and object routes that load by id without an owner check."""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import replace

from redline.checks.code.exposure_rules import (
    ADMIN_PATH_WITHOUT_GUARD,
    DANGEROUS_HANDLER_WITHOUT_AUTH,
    MISSING_AUTHZ_AMONG_SIBLINGS,
    OBJECT_WITHOUT_OWNER_CHECK,
)
from redline.checks.code.handlers import (
    Handler,
    checks_login,
    checks_more_than_login,
    handler_of,
    inline_check,
    names_the_caller,
    renders_a_page,
    signs_in_or_out,
)
from redline.checks.code.inherited_guards import Classes, inherited_access_check, project_classes
from redline.checks.code.routes import anonymous_by_design
from redline.checks.interface import CheckContext, ProjectCheck
from redline.core.facts import Facts
from redline.core.filekinds import looks_like_test_or_sample
from redline.core.model import Confidence, Finding, Location, Skipped, ToolError
from redline.sources.code.model import CallSite, CodeIndex
from redline.sources.code.routes import RouteInventory
from redline.sources.code.routes.guards import declared_public
from redline.sources.code.routes.model import NO, YES, Route, capability_param, path_params, record_param
from redline.sources.code.routes.settings import ENTRYPOINTS_SECTION

_EXIT = frozenset({"sys.exit", "os._exit", "os.kill", "os.abort", "os.killpg", "signal.raise_signal"})
_WIPE = frozenset({"drop_all", "flushdb", "flushall", "rmtree", "drop_collection", "drop_database"})
_DUMP = frozenset(
    {
        "tracemalloc.take_snapshot",
        "objgraph.show_most_common_types",
        "objgraph.by_type",
        "guppy.hpy",
        "sys._current_frames",
        "gc.get_objects",
        "faulthandler.dump_traceback",
    }
)
_DESTRUCTIVE_SQL = re.compile(r"^\s*(DROP\s+(TABLE|DATABASE|SCHEMA)|TRUNCATE)\b", re.IGNORECASE)
#: ``console`` is a management console, not a device's serial ports (nautobot's and netbox's ``/dcim/devices/<pk>/
#: console-ports/``)
_ADMIN_SEGMENT = re.compile(
    r"^_*(admin|internal|debug|metrics|actuator|heapdump|env|console(?![-_]ports?_*$)|server-status|phpinfo)"
    r"([-_.]\w*)?_*$",
    re.IGNORECASE,
)
#: the one admin segment that also names an application's own API (``/api/internal/v1/``)
_INTERNAL = re.compile(r"^_*internal_*$", re.IGNORECASE)
_LOADERS = frozenset(
    {
        "get",
        "get_object_or_404",
        "get_or_404",
        "get_list_or_404",
        "filter",
        "filter_by",
        "first_or_404",
        "one_or_404",
        "find_one",
        "find_by_id",
        "get_by_id",
        "aget",
    }
)
_PEOPLE = re.compile(r"(^|\.)(User|Users|Profile|Account|Member|Person|Author)(\.|$)")
_OWN_RESOURCES = re.compile(r"(^|/)(me|my|self|profile|password|logout|account|settings|preferences)(/|$)")


def dangerous_call(handler: Handler) -> tuple[CallSite | None, int, str] | None:
    """The call (or SQL literal's line) that stops the process, wipes data or dumps internals."""
    for call in handler.calls:
        last = call.raw.rsplit(".", 1)[-1]
        builtin_exit = call.target is None and call.raw in {"exit", "quit"}
        if call.target in _EXIT or builtin_exit:
            return call, call.line, f"{call.raw}() stops the process"
        if last == "shutdown" and "server" in call.raw.lower():
            return call, call.line, f"{call.raw}() stops the server"
        if last in _WIPE or (last == "call_command" and _literal0(call) in {"flush", "reset_db", "sqlflush"}):
            return call, call.line, f"{call.raw}() wipes data"
        if call.target in _DUMP or any(a.name == "os.environ" for a in call.args):
            return call, call.line, f"{call.raw}() dumps the process's internals"
    sql = next((s for s in handler.sql() if _DESTRUCTIVE_SQL.match(s.value)), None)
    return (None, sql.line, f"runs `{sql.value[:40]}`") if sql else None


def _literal0(call: CallSite) -> str:
    return str(call.args[0].literal) if call.args and isinstance(call.args[0].literal, str) else ""


def admin_segment(path: str) -> str | None:
    return next((seg for seg in path.strip("/").split("/") if _ADMIN_SEGMENT.match(seg)), None)


#: an ``internal`` path prefix holding at least this many routes, most of them behind a login, is the application's
#: own API (Grafana OnCall serves its whole plugin API under ``/api/internal/v1/``: 162 of its 229 routes), not an
#: operator's corner; a route missing its guard there is WEB101's matter when it changes state
API_NAMESPACE_ROUTES = 20


def api_namespaces(routes: Iterable[Route]) -> frozenset[str]:
    """The path prefixes, up to and including an ``internal`` segment, that name the application's API."""
    under: dict[str, list[Route]] = defaultdict(list)
    for route in routes:
        segments = route.path.strip("/").split("/")
        at = next((i for i, seg in enumerate(segments) if _INTERNAL.match(seg)), None)
        if at is not None:
            under["/".join(segments[: at + 1])].append(route)
    return frozenset(
        prefix
        for prefix, held in under.items()
        if len(held) >= API_NAMESPACE_ROUTES and 2 * sum(r.authenticated == YES for r in held) > len(held)
    )


def _past_namespace(path: str, namespaces: frozenset[str]) -> str:
    """The path after the API namespace it is under (``/api/internal/v1/admin/x`` -> ``v1/admin/x``), else the path."""
    stripped = path.strip("/")
    for prefix in namespaces:
        if stripped == prefix or stripped.startswith(prefix + "/"):
            return stripped[len(prefix) :]
    return path


#: receivers a one-argument ``get`` loads a stored record through (``Order.query.get(id)``, ``repo.get(id)``)
_STORE_RECEIVER = re.compile(r"objects|query|session|(^|[._])db([._]|$)|repo|dao|store|crud|collection|manager", re.I)
_CLASS_NAME = re.compile(r"^[A-Z][a-z0-9]+(?:[A-Z][a-z0-9]*)*$")


def _mapping_lookup(call: CallSite) -> bool:
    """``PROVIDERS.get(slug)``, ``registry["secrets_providers"].get(slug)`` (nautobot): a key looked up in a mapping
    the code fills, not a record loaded from a store. ORM loads take the id as a keyword (``objects.get(pk=pk)``),
    go through a query or session, or through a model class (``Order.get(id)``)."""
    receiver = call.raw.rpartition(".")[0]
    positional = [a for a in call.args if a.keyword is None]
    if call.raw.rsplit(".", 1)[-1] != "get" or len(positional) != 1 or len(call.args) != 1 or not receiver:
        return False
    last = receiver.rsplit(".", 1)[-1]
    return not (_STORE_RECEIVER.search(receiver) or _CLASS_NAME.match(last))


def object_load(handler: Handler, params: list[str]) -> CallSite | None:
    """A call in the handler that loads by one of the route's id parameters."""
    for call in handler.calls:
        if call.raw.rsplit(".", 1)[-1] not in _LOADERS or _mapping_lookup(call):
            continue
        if _PEOPLE.search(call.raw) or any(a.name and _PEOPLE.search(a.name) for a in call.args):
            continue  # a profile: public inside the app by design as often as not; WEB104 covers changes
        by_name = any(a.name in params for a in call.args)
        by_flow = any(set(via) & set(params) or src.removeprefix("param:") in params for _, src, via in call.tainted)
        if by_name or by_flow:
            return call
    return None


class RouteExposureCheck(ProjectCheck):
    name = "route-exposure"
    rules = (
        DANGEROUS_HANDLER_WITHOUT_AUTH,
        ADMIN_PATH_WITHOUT_GUARD,
        MISSING_AUTHZ_AMONG_SIBLINGS,
        OBJECT_WITHOUT_OWNER_CHECK,
    )
    fact_types = (CodeIndex, RouteInventory)
    config_sections = (ENTRYPOINTS_SECTION,)

    def check(self, facts: Facts, ctx: CheckContext) -> Iterable[Finding | Skipped | ToolError]:
        by_path = {index.path: index for index in facts.of(CodeIndex)}
        routes = [
            r for inv in facts.of(RouteInventory) for r in inv.routes if not looks_like_test_or_sample(r.handler_path)
        ]
        handlers = {(r.handler_path, r.handler): handler_of(r, by_path) for r in routes}
        settings = ctx.config.settings(ENTRYPOINTS_SECTION)
        namespaces = api_namespaces(routes)
        classes = project_classes(by_path.values())
        found: list[Finding] = []
        for route in routes:
            handler = handlers[(route.handler_path, route.handler)]
            public = declared_public(route.auth_evidence, settings)
            found += self._unguarded(route, handler, public=public, namespaces=namespaces, classes=classes)
            found += self._object(route, handler)
        found += self._siblings(routes, handlers, classes)
        return found

    def _unguarded(
        self, route: Route, handler: Handler | None, *, public: bool, namespaces: frozenset[str], classes: Classes
    ) -> Iterator[Finding]:
        """``public``: the route is marked public on purpose (``@Public()``); an admin path so marked that only
        reads (teable's ``GET /api/admin/setting``, the instance settings the sign-in page shows) is a decision.
        ``namespaces``: the ``internal`` prefixes that name the application's API (``api_namespaces``); ``classes``:
        the project's classes, whose access checks a class-based handler inherits (``inherited_access_check``)."""
        if route.authenticated != NO or handler is None or inline_check(handler):
            return
        if inherited_access_check(handler.index, route.handler, classes):
            return
        label = f"{','.join(route.methods)} {route.path}"
        danger = dangerous_call(handler)
        if danger is not None:
            call, line, what = danger
            yield self.finding(
                DANGEROUS_HANDLER_WITHOUT_AUTH,
                f"{label} (handler {route.handler}) {what} and no authentication applies to it",
                Location(route.handler_path, line, call.end_line if call else line),
                evidence={"route": label, "handler": route.handler, "operation": what},
                confidence=Confidence.HIGH,
                remediation=f"Require an authenticated administrator on {route.path} (or remove the endpoint "
                "from production builds), and make it POST-only so crawlers and link previews cannot trigger it.",
            )
        segment = admin_segment(_past_namespace(route.path, namespaces))
        secret = any(capability_param(p) for p in path_params(route.path))
        # a metrics page rendered from a template is a dashboard for people (kitsune's public ``/community/metrics``
        # and KB metrics pages), not the exposition a monitoring system scrapes; an admin or debug page is
        # sensitive whatever it renders
        if segment and segment.lower().strip("_").startswith("metrics") and renders_a_page(handler):
            segment = None
        if public and not route.state_changing:
            segment = None
        signs_in = handler is not None and signs_in_or_out(handler) is not None  # an administrator's password form
        if (
            segment
            and not secret
            and not route.handler.endswith(".urls")
            and not anonymous_by_design(route)
            and not signs_in
        ):
            yield self.finding(
                ADMIN_PATH_WITHOUT_GUARD,
                f"{label} (handler {route.handler}) is under the {segment!r} path segment and no authentication "
                "applies to it",
                Location(route.file, route.line, route.line),
                evidence={"route": label, "handler": route.handler, "segment": segment},
                confidence=Confidence.MEDIUM,
                remediation=f"Put {route.path} behind the admin guard (a login plus a role check), or serve it "
                "on an internal port/network only; declare a guard redline does not know in "
                "`[entrypoints] auth_markers`.",
            )

    def _object(self, route: Route, handler: Handler | None) -> Iterator[Finding]:
        if route.authorized == YES or route.authz_evidence or handler is None:
            return  # authorized, or something that may authorize runs (a permission middleware)
        logged_in = route.authenticated == YES or (route.authenticated == NO and checks_login(handler))
        params = [p for p in path_params(route.path) if record_param(p)]
        load = object_load(handler, params) if params and logged_in else None
        if load is None or names_the_caller(handler, params) or checks_more_than_login(handler):
            return
        label = f"{','.join(route.methods)} {route.path}"
        yield self.finding(
            OBJECT_WITHOUT_OWNER_CHECK,
            f"{label} (handler {route.handler}) loads the object by {'/'.join(params)} through {load.raw} "
            "and never compares it with the caller (IDOR candidate)",
            Location(route.handler_path, load.line, load.end_line),
            evidence={"route": label, "handler": route.handler, "load": load.raw, "id": ",".join(params)},
            confidence=Confidence.LOW,
            remediation="Scope the lookup to the caller (`get_object_or_404(Order, pk=pk, owner=request.user)`, "
            "`.filter_by(id=oid, user_id=current_user.id)`) or check the owner after loading and answer 404; "
            "if the object is public by design, suppress with that reason.",
        )

    def _siblings(
        self, routes: list[Route], handlers: dict[tuple[str, str], Handler | None], classes: Classes
    ) -> Iterator[Finding]:
        groups: dict[tuple[str, str], list[Route]] = defaultdict(list)
        for route in routes:
            groups[(route.file, route.framework)].append(route)
        for group in groups.values():
            authorized = [r for r in group if r.authorized == YES]
            if len(authorized) < 2:
                continue
            common = _common_segments([r.path for r in group])
            paths: dict[str, list[str]] = defaultdict(list)
            for route in group:
                paths[route.handler].append(route.path)
            for route in group:
                handler = handlers[(route.handler_path, route.handler)]
                if not _missing_authz(route, handler, classes):
                    continue
                # siblings on the same resource or scope as a path of its handler: an admin area beside it
                # (navidrome's ``/inspect`` and ``/config`` behind adminOnlyMiddleware, next to each user's own
                # ``/playlist``) says nothing about this route; plane's v2 asset routes under the same workspace
                # ``<slug>`` do, for both paths of its ``FileAssetEndpoint``
                guarded = [r for r in authorized if any(_related(r.path, p, common) for p in paths[route.handler])]
                if len(guarded) < 2:
                    continue
                label = f"{','.join(route.methods)} {route.path}"
                peers = ", ".join(
                    f"{r.path} ({r.authz_evidence[0] if r.authz_evidence else 'guard'})" for r in guarded[:2]
                )
                yield self.finding(
                    MISSING_AUTHZ_AMONG_SIBLINGS,
                    f"{label} (handler {route.handler}) requires a login but no role or permission, while "
                    f"{len(guarded)} routes beside it do, e.g. {peers}",
                    Location(route.file, route.line, route.line),
                    evidence={"route": label, "handler": route.handler, "siblings": peers},
                    confidence=Confidence.LOW,
                    remediation="Add the authorization guard its siblings use, or an inline ownership check; if "
                    "any logged-in user may do this on purpose, suppress with that reason.",
                )


def _segments(path: str) -> list[str]:
    return [segment for segment in path.split("/") if segment]


def _common_segments(paths: list[str]) -> int:
    """How many leading literal path segments every route of a router shares (its mount prefix, ``/api/v1/users``;
    a parameter ends it: ``/question/<pk>/take`` and ``/question/<pk>/auto_tag`` act on one question)."""
    split = [_segments(path) for path in paths]
    shared = 0
    while split and all(len(s) > shared and s[shared] == split[0][shared] for s in split):
        if split[0][shared][:1] in _PARAM_START:
            break
        shared += 1
    return shared


def _resource(path: str, common: int) -> str:
    """The resource a route acts on: the first segment of its path below the router's shared prefix; a parameter,
    or nothing below it, is the router's own resource ("")."""
    below = _segments(path)[common : common + 1]
    return "" if not below or below[0][:1] in _PARAM_START else below[0].lower()


def _related(path: str, other: str, common: int) -> bool:
    """Whether two routes of a router act on the same resource, or within the same scope: a path parameter they
    share that names more than the object itself (``slug``, ``workspace_id``; not ``id``, ``pk``)."""
    if _resource(path, common) == _resource(other, common):
        return True
    return bool((set(path_params(path)) & set(path_params(other))) - _OBJECT_PARAMS)


#: path parameters that name the object a route acts on, not the scope it is in
_OBJECT_PARAMS = frozenset({"id", "pk", "uuid", "key", "name"})
#: how a path parameter segment starts: ``{id}``, ``<int:pk>``, ``:id``, ``*path``, ``[id]``, ``(?P<pk>...)``, ``$id``
_PARAM_START = frozenset("{<:*[($")


def _missing_authz(route: Route, handler: Handler | None, classes: Classes) -> bool:
    state_changing = any(m in {"POST", "PUT", "PATCH", "DELETE"} for m in route.methods)
    if route.authenticated != YES or route.authorized == YES or not state_changing or handler is None:
        return False
    if _OWN_RESOURCES.search(route.path.lower()) or anonymous_by_design(route):
        return False
    return not (
        inline_check(handler)
        or names_the_caller(handler, path_params(route.path))
        or own_method_check(route, handler)
        or object_permission_check(route, handler, classes)
    )


def object_permission_check(route: Route, handler: Handler, classes: Classes) -> str | None:
    """DRF's ``self.get_object()`` runs ``check_object_permissions``: a permission class of the view that defines
    ``has_object_permission`` decides on the record it loads (kitsune's ``OnlyCreatorEdits``: only the creator may
    change a question). An action's own ``permission_classes`` replace the view's (DRF), so only those count there."""
    if not any(call.raw == "self.get_object" for call in handler.calls):
        return None
    owner = route.handler.rpartition(".")[0]
    definitions = {d.qualname: d for d in handler.index.definitions}
    function, cls = definitions.get(route.handler), definitions.get(owner)
    if function is None or cls is None:
        return None
    names = next(
        (a.items for d in function.decorators if d.raw.rsplit(".", 1)[-1] == "action" for a in d.args
         if a.keyword == "permission_classes"),
        dict(cls.class_attrs).get("permission_classes", ()),
    )  # fmt: skip
    for name in names:
        found = classes.get(name.rsplit(".", 1)[-1])
        if found is None:
            continue
        index, definition = found
        inside = definition.qualname + "."
        if any(d.name == "has_object_permission" and d.qualname.startswith(inside) for d in index.definitions):
            return f"{name}.has_object_permission"
    return None


def own_method_check(route: Route, handler: Handler) -> str | None:
    """A check the handler makes through a method of its own class, one call deep (ghostfolio's
    ``this.validateAccessToSplits({permission, ...})``, which answers 403 without the permission)."""
    owner = route.handler.rpartition(".")[0]
    if not owner:
        return None
    for call in handler.calls:
        receiver, _, name = call.raw.partition(".")
        if receiver not in {"this", "self"} or not name or "." in name:
            continue
        method = handler_of(replace(route, handler=f"{owner}.{name}"), {route.handler_path: handler.index})
        check = inline_check(method) if method is not None else None
        if check:
            return f"{call.raw}(): {check}"
    return None
