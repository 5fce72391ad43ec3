"""Go: ``net/http`` (``HandleFunc``/``Handle`` on the default or a ``ServeMux``, Go 1.22 ``"GET /path"``
patterns, handler wrappers as guards), gin, echo and Fiber (``Group`` prefixes and middleware, Fiber's
``Route(prefix, func(r fiber.Router) {...})``), chi (``Route``/``Group``/``Mount``/``With``), gorilla/mux
(``PathPrefix(...).Subrouter()``, ``.Methods(...)``), each with ``Use`` middleware in order; gRPC
``RegisterXServer`` services as entry points of kind grpc. A middleware from an authentication package (Fiber's
``jwtware.New`` from ``gofiber/contrib/jwt``, ``keyauth``, ``basicauth``) authenticates whatever its name. A router
handed to a function (``func RegisterX(r fiber.Router)``, a package-level ``var X = func(r fiber.Router)`` or a local
literal bound to a name) answers under the group it is called with."""

from __future__ import annotations

import posixpath
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field, replace
from functools import cached_property, partial

from redline.core.filekinds import looks_like_test_or_sample
from redline.sources.code.model import Arg, CallSite, CodeIndex
from redline.sources.code.routes.common import Project, join
from redline.sources.code.routes.gorefuse import Refusals
from redline.sources.code.routes.guards import Guards, names_a_guard
from redline.sources.code.routes.jscommon import benign
from redline.sources.code.routes.model import NO, UNKNOWN, YES, Route, words
from redline.sources.code.routes.settings import EntrypointSettings
from redline.sources.code.scopes import nearest, outward

_FACTORIES = {
    "github.com/gin-gonic/gin.Default": "gin",
    "github.com/gin-gonic/gin.New": "gin",
    "github.com/labstack/echo/v4.New": "echo",
    "github.com/labstack/echo.New": "echo",
    "github.com/go-chi/chi/v5.NewRouter": "chi",
    "github.com/go-chi/chi.NewRouter": "chi",
    "github.com/gorilla/mux.NewRouter": "mux",
    "net/http.NewServeMux": "http",
    "github.com/gofiber/fiber/v2.New": "fiber",
    "github.com/gofiber/fiber/v3.New": "fiber",
    "github.com/gofiber/fiber.New": "fiber",
}
_HTTP_VERBS = ("GET", "POST", "PUT", "PATCH", "DELETE", "OPTIONS", "HEAD")
#: method name -> HTTP method, per framework family
_GIN_VERBS = {**{v: v for v in _HTTP_VERBS}, "Any": "ANY"}
_CHI_VERBS = {v.capitalize(): v for v in _HTTP_VERBS} | {"HandleFunc": "ANY", "Handle": "ANY"}
_FIBER_VERBS = {v.capitalize(): v for v in _HTTP_VERBS} | {"All": "ANY"}
#: path words of a Go package whose middleware authenticates (``github.com/gofiber/contrib/jwt``,
#: ``.../middleware/keyauth``, ``github.com/appleboy/gin-jwt``)
_AUTH_PACKAGE_WORDS = frozenset({"jwt", "auth", "keyauth", "basicauth", "jwtauth", "oauth2", "paseto"})
_GO_BENIGN = frozenset(
    {"recovery", "recoverer", "requestid", "realip", "gzip", "throttle", "stripslashes", "heartbeat", "secure"}
    | {"urlformat", "setcontenttype", "allowcontenttype", "gethead", "redirectslashes", "maxbytes", "profiler"}
    | {"bodylimit", "logging", "logginghandler", "cleanpath", "nocache", "recover", "handlerfunc", "middleware"}
)
_REGISTER = re.compile(r"(?:^|\.)Register(\w+)Server$")

#: parameter types that hand a router to a function (last path component of the type as written)
_ROUTER_TYPES = {
    "gin.RouterGroup": "gin",
    "gin.Engine": "gin",
    "gin.IRouter": "gin",
    "gin.IRoutes": "gin",
    "echo.Group": "echo",
    "echo.Echo": "echo",
    "chi.Router": "chi",
    "chi.Mux": "chi",
    "mux.Router": "mux",
    "http.ServeMux": "http",
    "fiber.App": "fiber",
    "fiber.Router": "fiber",
    "fiber.Group": "fiber",
}
#: frameworks whose ``Use`` applies to every route of the router, whenever it is called
_ORDER_FREE = frozenset({"mux", "echo"})

Key = tuple[str, str]  # (file, ``function|variable``; the function is "" at package level)


@dataclass(frozen=True)
class _Middleware:
    """A middleware as written (``_names``), and whether it is known to authenticate whatever its name says: it
    comes from an authentication package (Fiber's ``jwtware.New``) or its body turns a caller away
    (``gorefuse``: gotify's ``authentication.RequireClient``)."""

    name: str
    authenticates: bool = False


@dataclass(frozen=True)
class _Mount:
    line: int
    prefix: str
    middleware: tuple[_Middleware, ...] = ()


@dataclass
class _Router:
    index: CodeIndex
    family: str
    uses: list[tuple[int, tuple[_Middleware, ...]]] = field(default_factory=list)
    parents: list[tuple[Key, int, str, tuple[_Middleware, ...]]] = field(default_factory=list)
    routes: list[tuple[int, tuple[str, ...], str, str, tuple[_Middleware, ...]]] = field(default_factory=list)


def _names(arg: Arg) -> str:
    """A middleware as written; a guard switched off by its only argument (``AuthMiddleware(false)``, an
    optional login) is named ``AuthMiddleware.optional`` so it is not taken for authentication."""
    written = arg.items[0] if arg.call is not None and arg.items else arg.name or arg.call or ""
    if written.endswith("(false)"):
        return written.removesuffix("(false)") + ".optional(false)"
    return written


def _from_auth_package(index: CodeIndex, name: str) -> bool:
    package = index.imported(name.split(".", 1)[0]) or ""
    return "." in name and not _AUTH_PACKAGE_WORDS.isdisjoint(words(package))


def _go_benign(name: str) -> bool:
    parts = name.split("(", 1)[0].lower().split(".")
    if len(parts) > 1 and parts[-1] == "new":  # Fiber's ``logger.New()``, ``cors.New()``: the package says what
        parts = parts[:-1]
    last = parts[-1]
    return benign(last) or last in _GO_BENIGN or last.removeprefix("with") in _GO_BENIGN  # ``withLogging``


class _Go:
    def __init__(self, project: Project) -> None:
        self.project = project
        self.handed: dict[str, list[Key]] = {}
        #: (file, ``function|name``) -> the routers of the function literal the local name is bound to
        self.bound: dict[Key, list[Key]] = {}
        self.routers: dict[Key, _Router] = {}
        self.default: Key | None = None
        self.refusals = Refusals(project)

    def middleware(self, index: CodeIndex, arg: Arg, *, by_package: bool = True) -> _Middleware:
        """A middleware as written, with whether it authenticates: the project's own by whether its body refuses
        (a project package named ``auth`` also holds CSRF checks), a library's by its package (``by_package``; chi's
        ``With(jwtauth.Verifier(...))`` reads a token without requiring one: not by package)."""
        name = _names(arg)
        if name.endswith(".optional(false)"):  # ``AuthMiddleware(false)``: the refusal is switched off
            return _Middleware(name)
        refuses = self.refusals.middleware(index, arg)
        if refuses is None:  # not the project's: its package may say
            return _Middleware(name, by_package and _from_auth_package(index, name))
        return _Middleware(name, refuses)

    def used(self, index: CodeIndex, call: CallSite) -> tuple[_Middleware, ...]:
        """The middleware a ``Use`` adds. Fiber's ``app.Use("/api", mw)`` runs ``mw`` under that prefix only: named
        ``Use("/api", ...)``, which no guard's name matches (the prefix comes after the parenthesis), so it only
        keeps the routes ``unknown``."""
        args = call.args
        if args and isinstance(args[0].literal, str) and args[0].literal not in {"", "/"}:
            return (_Middleware(f"Use({args[0].literal!r}, ...)"),)
        return tuple(self.middleware(index, a) for a in args if not isinstance(a.literal, str))

    def lookup(self, index: CodeIndex, function: str, name: str) -> Key | None:
        for scope in outward(function):
            key = (index.path, f"{scope}|{name}")
            if key in self.routers:
                return key
        key = (index.path, name)
        return key if key in self.routers else None

    def collect(self) -> None:
        for index in self.project.indexes:
            if index.language != "go":
                continue
            for call in index.calls:
                family = _FACTORIES.get(call.target or "")
                if family and call.assigned_to:
                    self.routers[(index.path, f"{call.function}|{call.assigned_to}")] = _Router(index, family)
                elif call.target in {"net/http.HandleFunc", "net/http.Handle"}:
                    self.default = (index.path, "http.DefaultServeMux")
                    self.routers.setdefault(self.default, _Router(index, "http"))
        self.register_functions()
        for index in self.project.indexes:
            if index.language == "go":
                for call in index.calls:
                    self.read(index, call)

    def register_functions(self) -> None:
        """``func UsersRegister(router *gin.RouterGroup)``: a router handed to a function is a router there; so is
        one handed to a function literal bound to a name (``register := func(r fiber.Router) {...}``)."""
        for index in self.project.indexes:
            if index.language != "go":
                continue
            literals = {a.values[0]: a.name for a in index.assignments if "|" in a.name and a.values}
            for definition in index.definitions:
                for param, typed in definition.param_defaults:
                    family = _ROUTER_TYPES.get((typed.name or "").rsplit("/", 1)[-1])
                    if family is None:
                        continue
                    key = (index.path, f"{definition.qualname}|{param}")
                    self.routers[key] = _Router(index, family)
                    scope, _, bound = str(literals.get(definition.qualname, "")).rpartition("|")
                    if bound and scope:  # a local name: called only where it is in scope
                        self.bound.setdefault((index.path, f"{scope}|{bound}"), []).append(key)
                    else:  # a function, or a package-level ``var RegisterX = func(r fiber.Router) {...}``
                        self.handed.setdefault(bound or definition.name, []).append(key)

    def hand(self, index: CodeIndex, call: CallSite, children: list[Key]) -> None:
        """``users.UsersRegister(v1.Group("/users"))``: mount the function's router where it is given (a
        test that mounts it again is not another way in)."""
        for child in children:
            if looks_like_test_or_sample(index.path) and not looks_like_test_or_sample(child[0]):
                continue
            for arg in call.args:
                head = (arg.call or arg.name or "").split(".")[0]
                parent = self.lookup(index, call.function, head) if head else None
                if parent is None:
                    continue
                group = arg.call is not None and arg.call.endswith(".Group")
                prefix = arg.call_args[0] if group and arg.call_args else ""
                self.child(index, child, parent, _Mount(call.line, prefix))

    def bound_to(self, index: CodeIndex, call: CallSite) -> list[Key]:
        """The routers of the function literal a local name called here is bound to (``register(group)``)."""
        for scope in outward(call.function):
            found = self.bound.get((index.path, f"{scope}|{call.raw}"))
            if found is not None:
                return found
        return []

    def read(self, index: CodeIndex, call: CallSite) -> None:
        owner, _, verb = call.raw.rpartition(".")
        if verb in self.handed:  # the name called, the last part of ``users.UsersRegister``
            self.hand(index, call, self.handed[verb])
        elif "." not in call.raw and (literal := self.bound_to(index, call)):
            self.hand(index, call, literal)
        if call.target in {"net/http.HandleFunc", "net/http.Handle"} and self.default is not None:
            self.http_route(self.default, call)
            return
        head, _, rest = owner.partition(".")
        key = self.lookup(index, call.function, head)
        if key is None:
            return
        router = self.routers[key]
        if not rest:
            self.method(index, key, router, call, verb)
        elif router.family in {"gin", "echo", "fiber"} and set(rest.split(".")) <= {"Group", "Use"}:
            self.chained(index, router, call)
        elif router.family == "mux":
            self.mux_chain(index, key, call, head, rest)
        elif router.family == "chi" and rest == "With" and (verb in _CHI_VERBS or verb in {"Route", "Group"}):
            withs = [c for c in index.calls if c.raw == f"{head}.With" and c.function == call.function]
            # the nearest ``With`` before the call in the same function (navidrome has several in one file)
            with_call = max((c for c in withs if c.line <= call.line), key=lambda c: c.line, default=None)
            extra = tuple(self.middleware(index, a, by_package=False) for a in with_call.args) if with_call else ()
            if verb in _CHI_VERBS:
                self.verb_route(router, call, _CHI_VERBS[verb], extra)
            else:  # ``r.With(adminOnly).Group(func(r chi.Router) {...})`` (navidrome's admin routes)
                self.nested(index, key, call, verb, extra)

    def method(self, index: CodeIndex, key: Key, router: _Router, call: CallSite, verb: str) -> None:
        family = router.family
        if verb == "Use":
            router.uses.append((call.line, self.used(index, call)))
        elif verb == "Group" and family in {"gin", "echo", "fiber"} and call.assigned_to and call.args:
            extra = tuple(self.middleware(index, a) for a in call.args[1:])
            child = (index.path, f"{call.function}|{call.assigned_to}")
            self.child(index, child, key, _Mount(call.line, self.prefix(index, call, call.args[0]), extra))
        elif (verb in {"Route", "Group"} and family == "chi") or (verb == "Route" and family == "fiber"):
            self.nested(index, key, call, verb, ())
        elif verb == "Mount" and family == "chi" and len(call.args) == 2:
            self.mount(index, key, call)
        elif family in {"gin", "echo"} and verb in _GIN_VERBS:
            self.verb_route(router, call, _GIN_VERBS[verb], ())
        elif family == "gin" and verb == "Match" and call.args and isinstance(call.args[0].literal, tuple):
            methods = ",".join(str(m).upper() for m in call.args[0].literal)  # ``Match([]string{"GET", "HEAD"}, ...)``
            self.verb_route(router, call, methods, (), args=call.args[1:])
        elif family == "fiber" and verb in _FIBER_VERBS:
            self.verb_route(router, call, _FIBER_VERBS[verb], ())
        elif family == "chi" and verb in {"Method", "MethodFunc"} and len(call.args) >= 3:
            method = call.args[0].literal  # ``r.Method("GET", "/", h)``, custom methods too
            if isinstance(method, str) and isinstance(call.args[1].literal, str):
                handler, wrappers = _unwrap(call.args[2])
                guards = tuple(_Middleware(w) for w in wrappers)
                router.routes.append((call.line, (method.upper(),), call.args[1].literal, handler, guards))
        elif family == "chi" and verb in _CHI_VERBS:
            self.verb_route(router, call, _CHI_VERBS[verb], ())
        elif family in {"http", "mux"} and verb in {"HandleFunc", "Handle"} and not _chained(index, call, "Methods"):
            self.http_route(key, call)

    def nested(self, index: CodeIndex, key: Key, call: CallSite, verb: str, extra: tuple[_Middleware, ...]) -> None:
        """chi's ``r.Route("/x", func(r chi.Router) {...})``/``Group``; Fiber's ``app.Route("/x", func(r
        fiber.Router) {...}, name)`` takes the function second (Fiber v3's one-argument ``Route(path)`` chain is not
        read). ``extra``: the middleware of a ``With(...)`` in front of it."""
        family = self.routers[key].family
        given = call.args[1:2] if family == "fiber" else call.args[-1:]
        function = given[0].name if given else None
        path = self.prefix(index, call, call.args[0]) if verb == "Route" and call.args else ""
        definition = next((d for d in index.definitions if d.qualname == function), None)
        if definition is not None and definition.params:
            child = (index.path, f"{definition.qualname}|{definition.params[0]}")
            self.child(index, child, key, _Mount(call.line, path, extra))

    def prefix(self, index: CodeIndex, call: CallSite, arg: Arg) -> str:
        """The path a group, route or mount is made under: a literal, a string constant (``apiBase``), or a
        concatenation of both (homebox's ``r.Route(prefix+"/v1", ...)`` with ``const prefix = "/api"``); "" when a
        part is not a string the package binds once."""
        if isinstance(arg.literal, str):
            return arg.literal
        parts = arg.items if arg.items else (arg.name,) if arg.name and "." not in arg.name else ()
        values = [part[1:-1] if part.startswith('"') else self.constant(index, call.function, part) for part in parts]
        return "".join(v for v in values if v is not None) if values and None not in values else ""

    def constant(self, index: CodeIndex, function: str, name: str) -> str | None:
        """The string ``name`` is bound to once in ``function`` (or an enclosing one) in this file, or at the level
        of its package (folder) in any of its files."""
        own = nearest({(scope, bound): value for scope, bound, value in index.string_bindings}, function, name)
        return own if own is not None else self.package_strings.get((posixpath.dirname(index.path), name))

    @cached_property
    def package_strings(self) -> dict[tuple[str, str], str]:
        """(package folder, name) -> the string a package-level name is bound to (``const prefix = "/api"``)."""
        return {
            (posixpath.dirname(index.path), bound): value
            for index in self.project.indexes
            if index.language == "go"
            for scope, bound, value in index.string_bindings
            if not scope
        }

    def child(self, index: CodeIndex, child: Key, parent: Key, mount: _Mount) -> None:
        if child != parent:
            made = self.routers.setdefault(child, _Router(index, self.routers[parent].family))
            made.parents.append((parent, mount.line, mount.prefix, mount.middleware))

    def mount(self, index: CodeIndex, key: Key, call: CallSite) -> None:
        """``r.Mount("/admin", adminRouter())``: the router the function builds, or a router variable."""
        target = call.args[1]
        name = target.call or target.name or ""
        made = [
            (other.path, c.assigned_to)
            for other in self.project.indexes
            if other.language == "go"
            for c in other.calls
            if c.function == name and _FACTORIES.get(c.target or "") and c.assigned_to
        ]
        child = (made[0][0], f"{name}|{made[0][1]}") if made else self.lookup(index, call.function, name)
        if child is not None and child in self.routers and child != key:
            self.routers[child].parents.append((key, call.line, self.prefix(index, call, call.args[0]), ()))

    def verb_route(
        self,
        router: _Router,
        call: CallSite,
        method: str,
        extra: tuple[_Middleware, ...],
        *,
        prefix: str = "",
        args: tuple[Arg, ...] | None = None,
    ) -> None:
        """A route of ``r.GET(path, middleware..., handler)``; ``method`` may list several (``GET,HEAD``);
        ``prefix``: the groups of a chain in front of it (``g.Group("/x").Use(mw).POST("", h)``); ``args``: the
        call's arguments from the path on, when it does not start with it (gin's ``Match``)."""
        args = call.args if args is None else args
        if not args or not isinstance(args[0].literal, str):
            return
        handlers = args[1:]
        if router.family == "echo":  # ``e.GET(path, handler, middleware...)``
            handler, middleware = (handlers[0] if handlers else None), handlers[1:]
        else:
            handler, middleware = (handlers[-1] if handlers else None), handlers[:-1]
        names = (*extra, *(self.middleware(router.index, a) for a in middleware))
        if handler is not None and handler.call and names_a_guard(handler.call):  # ``AdminGuard(app, func(c) ...)``
            names = (*names, _Middleware(handler.call))
        inner, applied = self.adapted(router.index, call.function, handler)
        path = join(prefix, args[0].literal) if prefix else args[0].literal
        router.routes.append((call.line, tuple(method.split(",")), path, inner, (*names, *applied)))

    def adapted(self, index: CodeIndex, function: str, handler: Arg | None) -> tuple[str, tuple[_Middleware, ...]]:
        """A handler written as an adapter's call (homebox's ``chain.ToHandlerFunc(ctrl.HandleX(), userMW...)``, an
        errchain): the handler it adapts, and the middleware it applies, each named after it, a ``name...`` spread
        as the elements of the slice literal the name is bound to in scope (``userMW := []errchain.Middleware{
        a.mwAuthToken, ...}``). Any other handler as it is, with no middleware."""
        match = _CALL.match(handler.items[0]) if handler is not None and handler.call and handler.items else None
        arguments = _top_level(match.group(2)) if match is not None else []
        if match is None or not _ADAPTER_CALL.search(match.group(1)) or not arguments:
            return _handler(handler), ()
        applied: list[_Middleware] = []
        for written in arguments[1:]:
            spread = self.spread(index, function, written.removesuffix("...")) if written.endswith("...") else None
            if written.endswith("...") and spread is None:
                applied.append(_Middleware(written))  # a list the index does not know: some middleware, unknown
            for element in spread if spread is not None else [written]:
                applied.append(self.middleware(index, _written_arg(element)))
        return arguments[0].split("(", 1)[0], tuple(applied)

    def spread(self, index: CodeIndex, function: str, written: str) -> tuple[str, ...] | None:
        """The elements of the slice literal ``written`` is bound to in ``function`` or a scope around it, and of
        ``append(name, more...)``; None when the index does not know them."""
        match = _CALL.match(written)
        if match is not None and match.group(1) == "append":
            head, *more = _top_level(match.group(2))
            found = self.spread(index, function, head)
            return None if found is None or any(m.endswith("...") for m in more) else (*found, *more)
        bound = {(scope, name): values for scope, name, values in index.slice_bindings}
        return next((bound[(s, written)] for s in outward(function) if (s, written) in bound), None)

    def chained(self, index: CodeIndex, router: _Router, call: CallSite) -> None:
        """``g.Group("/user").Use(auth.Optional).POST("", h)`` (gotify): the route under the chain's prefixes, behind
        the middleware of its ``Group``/``Use`` links; each link is a call of its own on the same line."""
        head, *links, verb = call.raw.split(".")
        verbs = _FIBER_VERBS if router.family == "fiber" else _GIN_VERBS
        if verb not in verbs:
            return
        prefix = ""
        extra: tuple[_Middleware, ...] = ()
        for at in range(1, len(links) + 1):
            raw = ".".join([head, *links[:at]])
            link = next((c for c in index.calls if c.raw == raw and c.line == call.line), None)
            if link is None:
                return
            if links[at - 1] == "Group" and link.args:
                prefix = join(prefix, str(link.args[0].literal or ""))
                extra += tuple(self.middleware(index, a) for a in link.args[1:])
            elif links[at - 1] == "Use":
                extra += self.used(index, link)
        self.verb_route(router, call, verbs[verb], extra, prefix=prefix)

    def http_route(self, key: Key, call: CallSite, methods: tuple[str, ...] | None = None) -> None:
        if len(call.args) < 2 or not isinstance(call.args[0].literal, str):
            return
        pattern = call.args[0].literal
        method, _, path = pattern.partition(" ") if " " in pattern else ("ANY", "", pattern)
        handler, wrappers = _unwrap(call.args[1], partial(self.param_types, self.routers[key].index, call.function))
        found = methods or (method.upper(),)
        guards = tuple(_Middleware(w) for w in wrappers)
        self.routers[key].routes.append((call.line, found, path.strip(), handler, guards))

    def param_types(self, index: CodeIndex, function: str, callee: str) -> tuple[str, ...] | None:
        """The parameter types of the project's Go function ``callee`` called in ``function``: a function literal
        bound to that local name (filebrowser's ``monkey := func(fn handleFunc, prefix string) http.Handler``), else
        the project function of that name; None when the project does not define it."""
        local = {a.name: a.values[0] for a in index.assignments if "|" in a.name and a.values}
        qualname = next((local[f"{s}|{callee}"] for s in outward(function) if f"{s}|{callee}" in local), None)
        found = next(((index, d) for d in index.definitions if d.qualname == qualname), None) if qualname else None
        found = found or self.project.find(callee, index)
        if found is None or found[0].language != "go":
            return None
        return tuple(typed.name or "" for _, typed in found[1].param_defaults)

    def mux_chain(self, index: CodeIndex, key: Key, call: CallSite, head: str, rest: str) -> None:
        """gorilla chains: ``r.HandleFunc(...).Methods(...)``, ``r.PathPrefix(p).Subrouter()``,
        ``r.PathPrefix(p).Handler(h)`` with or without ``.Methods(...)``."""
        verb = call.raw.rpartition(".")[2]
        if verb == "Methods" and rest in {"HandleFunc", "Handle"}:
            self.mux_methods(index, key, call, f"{head}.{rest}")
        elif rest == "PathPrefix" and verb == "Subrouter" and call.assigned_to:
            child = (index.path, f"{call.function}|{call.assigned_to}")
            self.child(index, child, key, _Mount(call.line, _nearest_prefix(index, call, head)))
        elif rest == "PathPrefix" and verb in {"Handler", "HandlerFunc"} and not _chained(index, call, "Methods"):
            self.prefix_route(index, key, call, head, ("ANY",))
        elif verb == "Methods" and rest in {"PathPrefix.Handler", "PathPrefix.HandlerFunc"}:
            inner = [c for c in index.calls if c.raw == f"{head}.{rest}" and c.function == call.function]
            start = max((c for c in inner if c.line <= call.line), key=lambda c: c.line, default=None)
            methods = tuple(str(a.literal).upper() for a in call.args if isinstance(a.literal, str))
            if start is not None:
                self.prefix_route(index, key, start, head, methods or ("ANY",))

    def prefix_route(self, index: CodeIndex, key: Key, call: CallSite, head: str, methods: tuple[str, ...]) -> None:
        """gorilla's ``api.PathPrefix("/resources").Handler(h).Methods("GET")`` (filebrowser's file API): one route
        for every path under the prefix."""
        if call.args:
            handler, wrappers = _unwrap(call.args[0], partial(self.param_types, index, call.function))
            path = join(_nearest_prefix(index, call, head), "*")
            guards = tuple(_Middleware(w) for w in wrappers)
            self.routers[key].routes.append((call.line, methods, path, handler, guards))

    def mux_methods(self, index: CodeIndex, key: Key, call: CallSite, inner: str) -> None:
        starts = [c for c in index.calls if c.raw == inner and c.line <= call.line and c.function == call.function]
        starts = [c for c in starts if _chained(index, c, "Methods")]
        start = max(starts, key=lambda c: c.line, default=None)
        methods = tuple(str(a.literal).upper() for a in call.args if isinstance(a.literal, str))
        if start is not None:
            self.http_route(key, start, methods or None)

    def contexts(self, key: Key, depth: int = 0) -> list[tuple[str, list[_Middleware]]]:
        router = self.routers[key]
        if not router.parents or depth > 8:
            return [("", self.wrapped(key))]
        found: list[tuple[str, list[_Middleware]]] = []
        for parent, at, prefix, extra in router.parents:
            for above, names in self.contexts(parent, depth + 1):
                anywhere = self.routers[parent].family in _ORDER_FREE
                earlier = [n for line, ns in self.routers[parent].uses if anywhere or line < at for n in ns]
                found.append((join(above, prefix), [*names, *earlier, *extra]))
        return found

    def wrapped(self, key: Key) -> list[_Middleware]:
        """``http.ListenAndServe(addr, auth(mux))``: a wrapper around the whole router guards every route; so does
        one in the function that builds it (miniflux's ``return m.withCORS(m.validateAPIKeyAuth(m.auth(mux)))``)."""
        router = self.routers[key]
        function, _, name = key[1].rpartition("|")
        served = [
            a.items[0] if a.items else a.call or ""
            for c in router.index.calls
            if c.raw.endswith(("ListenAndServe", "ListenAndServeTLS"))
            for a in c.args
            if a.call and a.call_args and a.call_args[-1] == name
        ]
        found = [*served, *(w for w in _wrappers(router.index, function, name) if w not in served)]
        return [_Middleware(w) for w in found]


#: calls that take a router to serve it or to add routes to it, not to wrap it
_NOT_WRAPPERS = re.compile(r"(?i)(?:listenandserve\w*|serve|register\w*|routes?|mount\w*|setup\w*|add\w*|init\w*)$")


def _wrappers(index: CodeIndex, function: str, name: str) -> list[str]:
    """The calls in ``function`` that wrap the router ``name``, innermost first: a call handed the router itself
    (its last argument), then each call handed such a call's result (``withCORS(validateAPIKeyAuth(...))``)."""
    calls = [c for c in index.calls if c.function == function and c.raw and not _NOT_WRAPPERS.search(c.raw)]
    found: list[str] = []
    for _ in range(8):  # a chain of wrappers, each found once the one inside it is
        more = [
            c.raw
            for c in calls
            if c.raw not in found
            and c.args
            and ((c.args[-1].name == name and not c.args[-1].call) or (c.args[-1].call or "") in found)
        ]
        if not more:
            break
        found += more
    return found


_CALL = re.compile(r"^([\w.]+)\((.*)\)$")
#: a call that adapts a handler of another shape and applies the middleware after it (``chain.ToHandlerFunc(h,
#: mw...)``, an errchain; ``ToHandler``)
_ADAPTER_CALL = re.compile(r"(?:^|\.)To\w*Handler\w*$")
#: conversions and wrappers that are no middleware; the first two are also the types a handler is passed as
_ADAPTERS = frozenset({"http.HandlerFunc", "http.Handler", "http.StripPrefix"})


def _unwrap(arg: Arg, params: Callable[[str], tuple[str, ...] | None] | None = None) -> tuple[str, list[str]]:
    """``requireAuth(http.HandlerFunc(deleteItem))`` -> ("deleteItem", ["requireAuth(...)"]). The handler is a
    wrapper's last argument that is a name or a call (not filebrowser's prefix string) unless guards close the list
    (``mid.Use(h, mid.RequireLogin)``): they are wrappers. ``params``: the parameter types of a project function,
    which say more: one that takes a handler first wraps its first argument (gophish's ``func Use(handler
    http.HandlerFunc, mid ...func(http.Handler) http.HandlerFunc)``, filebrowser's ``monkey(fn handleFunc, prefix
    string)``), the others being middleware; one that takes no handler builds one (``loginHandler(expiry)``), its
    named arguments kept as middleware names."""
    written = arg.items[0] if arg.call is not None and arg.items else arg.name or ""
    wrappers: list[str] = []
    for _ in range(4):
        match = _CALL.match(written)
        if match is None:
            break
        arguments = _top_level(match.group(2))
        types = params(match.group(1)) if params is not None and arguments else None
        named = [a for a in arguments if _NAMED.match(a)]
        if (types and not any(_takes_handler(t) for t in types)) or not named or match.group(1) in _SERVERS:
            # a factory (or a file server): the handler is what it returns; what it is given may say who may call
            # (writefreely's ``handler.Redirect("/me", UserLevelUser)``)
            return match.group(1), [*wrappers, *(named if match.group(1) not in _SERVERS else ())]
        if match.group(1) not in _ADAPTERS:
            wrappers.append(written)
        if types and _takes_handler(types[0]):
            wrappers += arguments[1:]
            written = arguments[0]
            continue
        guards = [a for a in arguments[1:] if names_a_guard(a)]
        if guards and guards[-1] == arguments[-1]:  # gophish's ``mid.Use(h, mid.RequireLogin)``: guards after it
            wrappers += guards
            arguments = [a for a in arguments if a not in guards]
        written = next((a for a in reversed(arguments) if _NAMED.match(a)), "")
    return written, wrappers


#: handlers the standard library builds from a value that is no handler (a folder)
_SERVERS = frozenset({"http.FileServer", "http.FileServerFS"})


def _takes_handler(typed: str) -> bool:
    """Whether a parameter type is a handler or a function (``http.HandlerFunc``, ``handleFunc``, ``func(...)``)."""
    last = typed.removeprefix("...").lstrip("*").rsplit(".", 1)[-1].lower()
    return typed.removeprefix("...").startswith("func(") or last.endswith(("handler", "handlerfunc", "handlefunc"))


#: an argument that can be a handler: a dotted name, maybe called (not a string or a number)
_NAMED = re.compile(r"^[A-Za-z_][\w.]*(?:\(.*\))?$")


def _nearest_prefix(index: CodeIndex, call: CallSite, head: str) -> str:
    """The path of the ``head.PathPrefix(...)`` a chain on ``call``'s line starts with: the nearest one before it
    in the same function (filebrowser calls ``r.PathPrefix`` for ``/static`` before ``/api``)."""
    starts = [c for c in index.calls if c.raw == f"{head}.PathPrefix" and c.function == call.function]
    start = max((c for c in starts if c.line <= call.line), key=lambda c: c.line, default=None)
    return str(start.args[0].literal or "") if start is not None and start.args else ""


def _top_level(written: str) -> list[str]:
    """The arguments of a rendered call's argument list, split at the commas outside nested calls."""
    parts, depth, start = [], 0, 0
    for at, char in enumerate(written):
        depth += {"(": 1, ")": -1}.get(char, 0)
        if char == "," and depth == 0:
            parts.append(written[start:at].strip())
            start = at + 1
    return [p for p in [*parts, written[start:].strip()] if p]


def _chained(index: CodeIndex, call: CallSite, method: str) -> bool:
    """Whether ``.method(...)`` is chained on this call (``r.HandleFunc(...).Methods("GET")``)."""
    later = sorted(
        (c for c in index.calls if c.function == call.function and c.line >= call.line), key=lambda c: c.line
    )
    for other in later:
        if other.raw == f"{call.raw}.{method}":
            return True
        if other.raw == call.raw and other.line > call.line:
            return False
    return False


def _written_arg(written: str) -> Arg:
    """An argument as the index would hold it, from its rendered text: a call (``a.mwRoles(x)``) or a name."""
    match = _CALL.match(written)
    return Arg(None, call=match.group(1), items=(written,)) if match is not None else Arg(None, name=written)


def _handler(arg: Arg | None) -> str:
    if arg is None:
        return ""
    return arg.name or arg.call or ""


def go_routes(project: Project, settings: EntrypointSettings) -> Iterator[Route]:
    go = _Go(project)
    go.collect()
    held = _package_wrapped(go)
    for key, router in go.routers.items():
        if test_build_only(router.index.build_constraint):
            continue  # compiled into a test build only (``//go:build e2etest``): not a route of the shipped server
        for prefix, inherited in go.contexts(key):
            for line, methods, path, handler, own in router.routes:
                anywhere = router.family in _ORDER_FREE
                names = [*inherited, *(n for at, ns in router.uses if anywhere or at < line for n in ns), *own]
                names += held.get((posixpath.dirname(router.index.path), handler), [])
                found = project.find(handler, router.index) if handler else None
                guards = Guards()
                guards.add(m.name for m in names)
                full = prefix if prefix and path in {"", "/"} else join(prefix, path) or "/"
                route = Route(
                    router.family, methods, full, found[1].qualname if found else handler, router.index.path, line
                )
                unknown = any(not _go_benign(m.name) for m in names)
                yield _authenticated_by(guards.judge(route, settings, default=UNKNOWN if unknown else NO), names)
    yield from _grpc(project, settings)


#: build tags that select a test build (``//go:build e2etest``, ``integration``)
_TEST_TAGS = frozenset({"test", "tests", "testing", "e2e", "e2etest", "e2etests", "integration", "mock", "mocks"})
_TAG = re.compile(r"(!?)\s*([A-Za-z0-9_.]+)")


def test_build_only(constraint: str) -> bool:
    """Whether a ``//go:build`` expression requires a test tag: one named without ``!`` in every alternative (a
    tag under ``||`` with another is not required; ``!e2etest`` is the shipped build)."""
    alternatives = [a for a in constraint.split("||") if a.strip()]
    return bool(alternatives) and all(
        any(not negated and tag.lower() in _TEST_TAGS for negated, tag in _TAG.findall(alt)) for alt in alternatives
    )


def _package_wrapped(go: _Go) -> dict[tuple[str, str], list[_Middleware]]:
    """(package folder, name) -> the wrapper a package-level handler value is built with: filebrowser's ``var
    usersGetHandler = withAdmin(func(w, r, d) ...)`` is guarded by ``withAdmin`` wherever it is routed, and
    authenticates when the handler it returns refuses (``withUser``'s ``return http.StatusUnauthorized, nil``)."""
    found: dict[tuple[str, str], list[_Middleware]] = {}
    for index in go.project.indexes:
        if index.language == "go":
            for call in index.calls:
                if not call.function and call.assigned_to and call.raw and call.args:
                    refuses = go.refusals.middleware(index, Arg(None, call=call.raw))
                    found[(posixpath.dirname(index.path), call.assigned_to)] = [_Middleware(call.raw, bool(refuses))]
    return found


def _authenticated_by(route: Route, middleware: list[_Middleware]) -> Route:
    """Authenticated when a middleware known to authenticate applies, whatever its name says."""
    known = tuple(m.name for m in middleware if m.authenticates)
    if not known or route.authenticated == YES:
        return route
    return replace(route, authenticated=YES, authorized=UNKNOWN, auth_evidence=known)


def _grpc(project: Project, settings: EntrypointSettings) -> Iterator[Route]:
    interceptors = [
        _names(a)
        for index in project.indexes
        if index.language == "go"
        for c in index.calls
        if (c.target or "").startswith("google.golang.org/grpc.") and "Interceptor" in c.raw
        for a in c.args
    ]
    for index in project.indexes:
        if index.language != "go":
            continue
        for call in index.calls:
            match = _REGISTER.search(call.raw)
            if match is None or len(call.args) < 2 or not call.target:
                continue
            service, impl = match.group(1), call.args[1].name or ""
            methods = [
                d
                for other in project.indexes
                for d in other.definitions
                if impl and impl in d.bases and d.name[:1].isupper()
            ]
            for name, handler in [(m.name, m.qualname) for m in methods] or [("*", impl)]:
                guards = Guards()
                guards.add(interceptors)
                route = Route("grpc", ("GRPC",), f"/{service}/{name}", handler, index.path, call.line)
                yield guards.judge(route, settings, default=UNKNOWN if interceptors else NO)
