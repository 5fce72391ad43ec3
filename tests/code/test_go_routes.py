"""Go entry points: net/http (Go 1.22 patterns), gin, echo, chi, gorilla/mux and gRPC services, every
route with method, full prefixed path, handler, file:line and guards; look-alikes are not routes."""

from __future__ import annotations

from pathlib import Path

import pytest

from audit_helpers import audit_catalogue
from code_index import route_rows, tree_indexes
from redline.core.config import Config
from redline.core.workspace import FileText, SourceFile
from redline.sources.code.model import CodeIndex
from redline.sources.code.routes import extract_routes
from redline.sources.code.routes.settings import ENTRYPOINTS_SECTION
from redline.sources.code.source import CodeIndexSource
from redline.sources.interface import NotCovered

FIXTURES = Path(__file__).parent / "fixtures" / "goroutes"


def go_indexes(app: str) -> list[CodeIndex]:
    found: list[CodeIndex] = tree_indexes(FIXTURES / app, "*.go")
    return found


def table(app: str) -> list[tuple[str, ...]]:
    rows: list[tuple[str, ...]] = route_rows(extract_routes(go_indexes(app), ENTRYPOINTS_SECTION.defaults()).routes)
    return rows


def test_gin_groups_prefixes_and_middleware() -> None:
    assert table("ginapp") == [
        ("gin", "GET", "/health", "main.<anonymous:21>", "main.go:21", "no", "no"),
        ("gin", "POST", "/login", "login", "main.go:22", "no", "no"),
        ("gin", "GET", "/api/v1/users", "listUsers", "main.go:25", "yes", "unknown"),
        ("gin", "DELETE", "/api/v1/admin/users/:id", "deleteUser", "main.go:28", "yes", "yes"),
        ("gin", "POST", "/webhooks/stripe", "stripeHook", "main.go:30", "no", "no"),
        # routers handed to register functions; ``AuthMiddleware(false)`` is an optional login
        ("gin", "GET", "/shop/catalog", "listCatalog", "routes.go:14", "no", "no"),
        ("gin", "POST", "/shop/orders", "placeOrder", "routes.go:18", "yes", "unknown"),
        ("gin", "GET", "/shop/orders/:id", "getOrder", "routes.go:19", "yes", "unknown"),
    ]


def test_fiber_route_closures_and_routers_handed_to_functions_and_bound_literals() -> None:
    """``app.Route(prefix, func(r fiber.Router) {...}, name)`` nests its routes under the prefix; a router handed to
    a function of another package, to a package-level ``var X = func(r fiber.Router)`` or to a local function
    literal bound to a name answers under the group it is called with, guarded by what runs before it. A local
    name is followed in its own function only; ``cron.Route`` on something not a router adds nothing."""
    assert table("fiberroutes") == [
        ("fiber", "GET", "/health", "health", "main.go:14", "no", "no"),
        ("fiber", "POST", "/auth/login", "login", "main.go:18", "no", "no"),
        ("fiber", "GET", "/auth/me", "me", "main.go:20", "yes", "unknown"),
        ("fiber", "GET", "/api/v1/items", "listItems", "main.go:27", "yes", "unknown"),
        ("fiber", "DELETE", "/api/v1/admin/items/:id", "deleteItem", "main.go:29", "yes", "unknown"),
        ("fiber", "GET", "/reports/audit", "audit", "main.go:53", "no", "no"),
        ("fiber", "POST", "/api/devices/:device_id/send/message", "SendText", "rest/send.go:6", "yes", "unknown"),
        ("fiber", "GET", "/api/users/info", "UserInfo", "rest/send.go:10", "yes", "unknown"),
        ("fiber", "POST", "/api/wallet", "CreateWallet", "walletroutes/wallet.go:6", "yes", "unknown"),
    ]


def test_fiber_groups_middleware_from_an_auth_package_and_scoped_use() -> None:
    assert table("fiberapp") == [
        ("fiber", "GET", "/health", "health", "main.go:12", "no", "no"),
        ("fiber", "POST", "/login", "login", "main.go:13", "no", "no"),
        # ``jwtware.New`` says nothing by its name; its package (gofiber/contrib/jwt) authenticates
        ("fiber", "GET", "/api/books", "listBooks", "main.go:16", "yes", "unknown"),
        ("fiber", "DELETE", "/api/books/:id", "deleteBook", "main.go:17", "yes", "yes"),
        # ``app.Use("/internal", limiter)`` runs under its prefix only: nothing is known of the routes after it
        ("fiber", "POST", "/internal/reindex", "reindex", "main.go:20", "unknown", "unknown"),
        ("fiber", "ANY", "/proxy/*", "proxy", "main.go:22", "unknown", "unknown"),
        ("fiber", "POST", "/reports", "createReport", "main.go:31", "unknown", "unknown"),
    ]


def test_echo_groups_and_route_middleware_after_the_handler() -> None:
    assert table("echoapp") == [
        ("echo", "GET", "/", "home", "main.go:11", "no", "no"),
        ("echo", "POST", "/admin/reports", "createReport", "main.go:13", "yes", "unknown"),
        ("echo", "PUT", "/profile", "updateProfile", "main.go:14", "yes", "unknown"),
    ]


def test_chi_route_group_with_and_mount() -> None:
    assert table("chiapp") == [
        ("chi", "GET", "/", "index", "main.go:14", "no", "no"),
        ("chi", "GET", "/articles", "listArticles", "main.go:16", "no", "no"),
        ("chi", "POST", "/articles", "createArticle", "main.go:19", "yes", "unknown"),
        # ``jwtauth.Verifier`` reads a token without requiring one: not known to guard
        ("chi", "DELETE", "/articles/{id}", "deleteArticle", "main.go:22", "unknown", "unknown"),
        ("chi", "GET", "/admin/stats", "stats", "main.go:30", "yes", "yes"),
        ("chi", "PURGE", "/admin/cache", "purgeCache", "main.go:31", "yes", "yes"),
        # a function handed the authenticated group, its routes behind ``With(...).Route``/``With(...).Group``: the
        # nearest ``With`` is the one in front (NoCache guards nothing, AdminOnly checks the role)
        ("chi", "DELETE", "/tracks/{id}", "deleteTrack", "tracks.go:23", "yes", "unknown"),
        ("chi", "POST", "/rescan", "rescan", "tracks.go:26", "yes", "yes"),
    ]


def test_a_prefix_from_string_constants_of_the_package() -> None:
    """homebox: ``r.Route(prefix+"/v1", ...)`` with ``const prefix = "/api"``; a constant of another file of the
    package; a name read from the environment is no constant, so its routes keep their own paths only."""
    assert table("chiconst") == [
        ("chi", "GET", "/api/v1/items", "listItems", "main.go:15", "no", "no"),
        ("chi", "GET", "/api/v2/items", "listItemsV2", "main.go:18", "no", "no"),
        ("chi", "GET", "/items", "listItemsV3", "main.go:22", "no", "no"),
    ]


def test_gorilla_mux_subrouters_and_methods() -> None:
    assert table("muxapp") == [
        ("mux", "GET", "/products", "listProducts", "main.go:11", "no", "no"),
        ("mux", "PUT,PATCH", "/api/products/{id}", "updateProduct", "main.go:14", "yes", "unknown"),
        ("mux", "ANY", "/metrics", "metricsHandler", "main.go:16", "no", "no"),
    ]


def test_net_http_go122_patterns_and_handler_wrappers() -> None:
    assert table("httpapp") == [
        ("http", "ANY", "/healthz", "main.<anonymous:15>", "main.go:15", "no", "no"),
        ("http", "GET", "/items/{id}", "getItem", "main.go:17", "no", "no"),
        ("http", "POST", "/items", "createItem", "main.go:18", "no", "no"),
        ("http", "DELETE", "/items/{id}", "deleteItem", "main.go:19", "yes", "unknown"),
        # the handler first, the guard after it (gophish): the guard is no handler
        ("http", "ANY", "/campaigns", "listCampaigns", "main.go:21", "yes", "unknown"),
        # a wrapper whose last argument is no guard (gorilla's LoggingHandler(out, h)): the handler is the last
        ("http", "ANY", "/track", "trackOpen", "main.go:22", "no", "no"),
    ]


def test_grpc_services_are_entry_points_of_kind_grpc() -> None:
    assert table("grpcapp") == [
        ("grpc", "GRPC", "/OrderService/CancelOrder", "orderServer.CancelOrder", "server.go:20", "yes", "unknown"),
        ("grpc", "GRPC", "/OrderService/GetOrder", "orderServer.GetOrder", "server.go:20", "yes", "unknown"),
    ]


def test_go_index_facts_and_request_flow() -> None:
    (index,) = go_indexes("httpapp")
    assert index.language == "go" and dict(index.imports) == {"fmt": "fmt", "http": "net/http"}
    query = next(c for c in index.calls if c.raw == "db.Query")
    assert (query.line, query.function, query.built_by) == (10, "getItem", "format")
    assert [(w, s, v) for w, s, v in query.tainted] == [("0", "r.params", ("id",))]
    assert [(t.name, t.source, t.line) for t in index.tainted][:1] == [("id", "r.params", 9)]
    assert [(s.kind, s.line) for s in index.strings] == [("sql", 10)]


def test_go_index_names_the_function_literals_bound_to_a_name() -> None:
    """``register := func(r fiber.Router) {...}`` and a package-level ``var X = func(...)``: ``function|name`` ->
    the literal's qualified name (as a literal argument is named); two names at once, or another value, are not."""
    data = (
        b"package main\nvar Wallet = func(r fiber.Router) {}\nfunc main() {\n"
        b"\tregister := func(r fiber.Router) {}\n\ta, b := func() {}, 2\n\tn := 3\n}\n"
    )
    index = CodeIndexSource().parse(FileText(SourceFile("m.go", "m.go", "go", len(data)), data, data.decode()))
    assert [(a.name, a.line, a.values) for a in index.assignments] == [
        ("|Wallet", 2, ("<anonymous:2>",)),
        ("main|register", 4, ("main.<anonymous:4>",)),
    ]
    assert {d.qualname for d in index.definitions} >= {"<anonymous:2>", "main.<anonymous:4>"}


def test_a_go_file_with_a_syntax_error_is_not_covered() -> None:
    data = b"package main\nfunc main() {\n  x := \n"
    with pytest.raises(NotCovered, match=r"^Go syntax error at line \d+ \(tree-sitter\), not indexed$"):
        CodeIndexSource().parse(FileText(SourceFile("main.go", "main.go", "go", len(data)), data, data.decode()))


def test_a_router_returned_inside_its_middleware_is_guarded_by_it() -> None:
    """miniflux's NewHandler returns ``withCORSHeaders(validateAPIKeyAuth(validateBasicAuth(mux)))``: every route
    of that mux is authenticated; a session middleware of no known name makes them unknown; handing the mux to a
    function that adds routes, or a logging wrapper, guards nothing."""
    assert table("httpwrapped") == [
        ("http", "POST", "/v1/users", "h.createUser", "api.go:10", "yes", "unknown"),
        ("http", "DELETE", "/v1/users/{userID}", "h.removeUser", "api.go:11", "yes", "unknown"),
        ("http", "POST", "/feed/{feedID}/remove", "removeFeed", "api.go:18", "unknown", "unknown"),
        ("http", "POST", "/items", "createItem", "api.go:25", "no", "no"),
    ]


def test_gin_middleware_whose_body_refuses_authenticates_its_group() -> None:
    """gotify's shape: ``authentication.RequireClient`` is a method of a struct in the project's ``auth`` package
    whose body refuses through two helpers (``AbortWithError(401, ...)``); ``RequireOwner()`` is a factory whose
    handler answers 403. Both authenticate the group they are ``Use``d on or given to ``Group(...)``, a chain
    ``Group(...).Use(...).POST(...)`` included. Not: a route registered before the group's ``Use`` (gin copies the
    group's handlers when the route is added), a route outside the groups, a factory that only sets headers, a 403
    for a CSRF token, a 401 written without ``Abort()``, a method whose namesake on another type lets everyone
    through, and ``Optional`` (an anonymous caller gets through: public). A test double of the same name counts for
    nothing."""
    assert table("ginguards") == [
        ("gin", "GET", "/health", "health", "main.go:12", "no", "no"),
        ("gin", "POST", "/notes/import", "importNotes", "main.go:13", "no", "no"),
        ("gin", "GET", "/plugins", "listPlugins", "main.go:14", "yes", "unknown"),
        ("gin", "DELETE", "/owner/:id", "deleteOwned", "main.go:16", "yes", "unknown"),
        ("gin", "POST", "/user", "createUser", "main.go:17", "no", "no"),
        ("gin", "POST", "/message", "createMessage", "main.go:18", "yes", "unknown"),
        ("gin", "GET,HEAD", "/status", "status", "main.go:19", "no", "no"),
        ("gin", "POST", "/drafts", "saveDraft", "main.go:22", "no", "no"),
        ("gin", "PUT", "/application/:id", "updateApp", "main.go:25", "yes", "unknown"),
        ("gin", "GET", "/stream", "stream", "main.go:26", "yes", "unknown"),
        ("gin", "POST", "/public/feed", "postFeed", "main.go:29", "unknown", "unknown"),
        ("gin", "POST", "/forms", "submitForm", "main.go:30", "unknown", "unknown"),
        ("gin", "POST", "/warn", "warn", "main.go:31", "unknown", "unknown"),
        ("gin", "POST", "/check", "check", "main.go:32", "unknown", "unknown"),
    ]


def test_gin_refusing_middleware_leaves_web_findings_only_where_a_caller_gets_through() -> None:
    """Every WEB finding over the same tree: the unguarded import, the optional login's user creation and the draft
    route registered before its group's ``Use`` are reported; the guarded routes and the unknown ones are not."""
    result = audit_catalogue(FIXTURES / "ginguards", Config(jobs=1), select=("WEB",))
    assert not result.errors
    assert [(f.rule, f.location.path, f.location.start_line, f.evidence["route"]) for f in result.findings] == [
        ("WEB101", "main.go", 13, "POST /notes/import"),
        ("WEB101", "main.go", 17, "POST /user"),
        ("WEB101", "main.go", 22, "POST /drafts"),
    ]


def test_go_index_keeps_status_numbers_and_slices_of_strings() -> None:
    """Since index format 40: an integer argument (a status a middleware refuses with, hex too) and a slice literal
    of strings only (gin's ``Match`` methods); a slice holding a name, or a number past msgpack's range, is None."""
    data = (
        b'package main\nfunc f() {\n\tc.AbortWithStatus(0x191)\n\tg.Match([]string{"GET", "HEAD"}, "/h", h)\n'
        b'\tg.Match([]string{m}, "/x", h)\n\tuse(99999999999999999999999)\n}\n'
    )
    index = CodeIndexSource().parse(FileText(SourceFile("m.go", "m.go", "go", len(data)), data, data.decode()))
    assert [(c.raw, c.line, c.args[0].literal) for c in index.calls] == [
        ("c.AbortWithStatus", 3, 401),
        ("g.Match", 4, ("GET", "HEAD")),
        ("g.Match", 5, None),
        ("use", 6, None),
    ]


def test_a_project_wrapper_that_takes_the_handler_first_wraps_its_first_argument() -> None:
    """gophish's ``mid.Use(as.Login, as.limiter.Limit)``: ``func Use(handler http.HandlerFunc, mid ...func(...))``
    takes the handler first, so the route's handler is ``login`` (it was the limiter), and a limiter guards nothing;
    the guards after a handler still guard. ``mid.Log(out, h)`` takes a writer first: its last argument is the
    handler."""
    assert table("httpstack") == [
        ("http", "ANY", "/login", "login", "main.go:17", "unknown", "unknown"),
        ("http", "ANY", "/campaigns", "campaigns", "main.go:18", "yes", "unknown"),
        ("http", "ANY", "/users", "users", "main.go:19", "yes", "yes"),
        ("http", "ANY", "/track", "track", "main.go:20", "unknown", "unknown"),
    ]


def test_gorilla_path_prefix_handlers_and_handlers_built_by_project_functions() -> None:
    """filebrowser's shape: ``api.PathPrefix("/resources").Handler(h).Methods("GET")`` routes every path under the
    prefix (one chain spread over two lines too); a subrouter takes the nearest ``PathPrefix`` before it (``/api``,
    not ``/static``); ``monkey(fn handleFunc, prefix string)``, a local function literal, wraps its first argument
    (the prefix string is no handler); ``loginHandler(3600)`` takes no handler, so it builds one; a package-level
    ``var usersGetHandler = withAdmin(...)`` is guarded by ``withAdmin``, ``withCache`` guards nothing known;
    ``http.FileServer(http.Dir(...))`` is the handler, not the folder (gophish's ``router.PathPrefix("/")``)."""
    assert table("muxprefix") == [
        ("mux", "ANY", "/static/*", "static", "main.go:32", "no", "no"),
        ("mux", "ANY", "/api/login", "loginHandler", "main.go:34", "unknown", "unknown"),
        ("mux", "GET", "/api/users", "usersGetHandler", "main.go:35", "yes", "yes"),
        ("mux", "ANY", "/api/about", "aboutHandler", "main.go:36", "unknown", "unknown"),
        ("mux", "GET", "/api/resources/*", "resourceGetHandler", "main.go:37", "unknown", "unknown"),
        ("mux", "DELETE", "/api/resources/*", "resourceDeleteHandler", "main.go:39", "unknown", "unknown"),
        ("mux", "ANY", "/*", "http.FileServer", "main.go:40", "no", "no"),  # the file server is the handler
    ]


#: the function literal ``r.Route("/v1", ...)`` is handed in the errchain fixture
MOUNT = "app.mountRoutes.<anonymous:12>"


def test_errchain_adapters_apply_the_middleware_named_after_the_handler() -> None:
    """homebox's shape: ``chain.ToHandlerFunc(ctrl.HandleX(), userMW...)`` adapts the handler and applies the
    middleware after it; ``userMW...`` spreads the slice literal it is bound to (``append(userMW, mw)...`` too), and
    a middleware returning ``validate.NewRequestError(err, http.StatusUnauthorized)`` from the handler literal it
    builds refuses. Look-alikes: a rate limiter's 429 and a logger that builds a 200 error guard nothing (unknown),
    a list the index does not know stays unknown, and an adapter with no middleware is public."""
    assert table("errchain") == [
        ("chi", "POST", "/v1/register", "app.register", "main.go:13", "no", "no"),
        ("chi", "POST", "/v1/login", "app.login", "main.go:14", "unknown", "unknown"),
        ("chi", "PUT", "/v1/self", "app.updateSelf", "main.go:18", "yes", "unknown"),
        ("chi", "DELETE", "/v1/self", "app.deleteSelf", "main.go:19", "yes", "unknown"),
        ("chi", "POST", "/v1/notify", "app.notify", "main.go:20", "yes", "unknown"),
        (
            "chi",
            "POST",
            "/v1/telemetry",
            "app.mountRoutes.<anonymous:12>.<anonymous:21>",
            "main.go:21",
            "yes",
            "unknown",
        ),
        ("chi", "POST", "/v1/audit", "app.audit", "main.go:24", "unknown", "unknown"),
        ("chi", "POST", "/v1/imports", "app.imports", "main.go:25", "unknown", "unknown"),
        ("chi", "POST", "/v1/notes", "app.createNote", "main.go:26", "no", "no"),
    ]


def test_errchain_web_findings_only_where_no_middleware_applies() -> None:
    """Over the same tree, the only WEB finding is the note route no middleware applies to (sign-up is public by
    design, the rate-limited and unknown ones are not reported, the guarded ones are guarded)."""
    result = audit_catalogue(FIXTURES / "errchain", Config(jobs=1), select=("WEB",))
    assert not result.errors
    assert [(f.rule, f.location.path, f.location.start_line, f.evidence["route"]) for f in result.findings] == [
        ("WEB101", "main.go", 26, "POST /v1/notes")
    ]


def test_go_index_keeps_spreads_function_literals_and_slices_of_middleware() -> None:
    """Since index format 42: a ``name...`` argument and a function literal keep their place in a rendered call, and
    a name bound to a slice literal of names and calls keeps its elements; a slice holding anything else does not."""
    data = (
        b'package main\nfunc f() {\n\tmw := []Middleware{a.auth, roles("user")}\n\tbad := []Middleware{a.auth, 3}\n'
        b'\tr.Put("/x", chain.ToHandlerFunc(func(w W) error { return nil }, mw...))\n}\n'
    )
    index = CodeIndexSource().parse(FileText(SourceFile("m.go", "m.go", "go", len(data)), data, data.decode()))
    assert index.slice_bindings == (("f", "mw", ("a.auth", "roles(user)")),)
    put = next(c for c in index.calls if c.raw == "r.Put")
    assert put.args[1].items == ("chain.ToHandlerFunc(<anonymous:5>, mw...)",)


def test_a_wrapper_whose_handler_returns_401_authenticates_the_values_built_with_it() -> None:
    """filebrowser's shape: ``handleFunc`` returns its status, ``withUser`` returns a handler that answers
    ``return http.StatusUnauthorized, nil`` without a user, and ``var usersGetHandler = withUser(func ...)`` is routed
    through ``monkey(...)``. A wrapper whose handler returns 200 guards nothing (unknown)."""
    assert table("returnstatus") == [
        ("mux", "GET", "/users", "usersGetHandler", "http.go:40", "yes", "unknown"),
        ("mux", "POST", "/notes", "notesPostHandler", "http.go:41", "unknown", "unknown"),
    ]


def test_go_index_keeps_the_401_and_403_a_function_returns() -> None:
    """Since index format 42: ``return http.StatusUnauthorized, nil`` and ``return 403`` are kept per function; any
    other status is not."""
    data = (
        b"package main\nfunc f() (int, error) {\n\tif x {\n\t\treturn http.StatusUnauthorized, nil\n\t}\n"
        b"\treturn http.StatusOK, nil\n}\nfunc g() int { return 403 }\nfunc h() int { return 404 }\n"
    )
    index = CodeIndexSource().parse(FileText(SourceFile("m.go", "m.go", "go", len(data)), data, data.decode()))
    assert index.returned_statuses == (("f", 401), ("g", 403))


def test_routes_of_a_file_built_only_for_tests_are_not_routes() -> None:
    """pocket-id's ``e2etest_controller.go`` starts ``//go:build e2etest``: its routes exist in the end-to-end test
    build only. A file built without that tag (``!e2etest``) is part of the shipped server."""
    assert table("buildtags") == [
        ("gin", "POST", "/api/debug/flush", "flushCaches", "debug_controller.go:9", "no", "no"),
        ("gin", "POST", "/api/notes", "createNote", "main.go:8", "no", "no"),
    ]
    data = b"//go:build linux && e2etest\n\npackage main\n"
    index = CodeIndexSource().parse(FileText(SourceFile("m.go", "m.go", "go", len(data)), data, data.decode()))
    assert index.build_constraint == "linux && e2etest"
