"""JavaScript/TypeScript entry points: every route of the fixture apps with its method, full prefixed
path, handler, file:line and guards; look-alikes (a Map's ``get``, an HTTP client's ``post``) are not routes."""

from __future__ import annotations

from pathlib import Path

from code_index import route_rows, tree_indexes
from redline.sources.code.model import CodeIndex
from redline.sources.code.routes import extract_routes

FIXTURES = Path(__file__).parent / "fixtures" / "routes"
JS_FIXTURES = Path(__file__).parent / "fixtures" / "jsroutes"


def js_indexes(app: str) -> list[CodeIndex]:
    found: list[CodeIndex] = tree_indexes(FIXTURES / app if (FIXTURES / app).is_dir() else JS_FIXTURES / app)
    return found


def table(app: str) -> list[tuple[str, ...]]:
    from redline.sources.code.routes.settings import ENTRYPOINTS_SECTION

    rows: list[tuple[str, ...]] = route_rows(extract_routes(js_indexes(app), ENTRYPOINTS_SECTION.defaults()).routes)
    return rows


def test_express_routers_mounted_across_modules_with_middleware_in_order() -> None:
    assert table("expressapp") == [
        ("express", "GET", "/health", "<anonymous:13>", "app.js:13", "no", "no"),
        ("express", "POST", "/login", "<anonymous:14>", "app.js:14", "yes", "unknown"),
        ("express", "POST", "/api/feedback", "<anonymous:15>", "app.js:15", "no", "no"),
        # mounted ``app.use('/admin', adminRouter)``; the route before ``router.use(passport...)`` is public
        ("express", "GET", "/admin/status", "<anonymous:7>", "routes/admin.js:7", "no", "no"),
        ("express", "DELETE", "/admin/users/:id", "deleteUser", "routes/admin.js:9", "yes", "unknown"),
        ("express", "POST", "/admin/reindex", "<anonymous:10>", "routes/admin.js:10", "yes", "yes"),
        # ``app.use('/v2', require('./routes/reports'))``: an inline middleware may be the guard
        ("express", "PUT", "/v2/reports/:rid", "<anonymous:4>", "routes/reports.js:4", "unknown", "unknown"),
        # ``audit.all('*', requireAuthentication, loadUser)`` guards the routes after it (an unmounted router)
        ("express", "ANY", "*", "loadUser", "routes/reports.js:8", "yes", "unknown"),
        ("express", "POST", "/audit/export", "<anonymous:9>", "routes/reports.js:9", "yes", "unknown"),
        # ``app.use('/api/users', requireAuth, usersRouter)``; ``router.route(...).get().post()`` chains
        ("express", "GET", "/api/users", "list", "routes/users.js:7", "yes", "unknown"),
        ("express", "GET", "/api/users/:id", "getOne", "routes/users.js:8", "yes", "unknown"),
        ("express", "GET", "/api/users/:id/orders", "orders", "routes/users.js:11", "yes", "unknown"),
        ("express", "POST", "/api/users/:id/orders", "createOrder", "routes/users.js:12", "yes", "yes"),
    ]


def test_express_guard_evidence_names_the_middleware() -> None:
    from redline.sources.code.routes.settings import ENTRYPOINTS_SECTION

    routes = {
        (r.path, r.methods): r for r in extract_routes(js_indexes("expressapp"), ENTRYPOINTS_SECTION.defaults()).routes
    }
    order = routes[("/api/users/:id/orders", ("POST",))]
    assert order.auth_evidence == ("requireAuth",)
    assert order.authz_evidence == ("checkRole(admin)",)
    assert routes[("/admin/users/:id", ("DELETE",))].auth_evidence == ("passport.authenticate(jwt)",)


def test_nestjs_controllers_global_prefix_and_guards() -> None:
    assert table("nestapp") == [
        # ``{ provide: APP_GUARD, useClass: JwtAuthGuard }`` guards every route not marked ``@Public()``
        ("nestjs", "GET", "/api/cats", "CatsController.findAll", "src/cats/cats.controller.ts:10", "yes", "unknown"),
        (
            "nestjs",
            "GET",
            "/api/cats/:id",
            "CatsController.findOne",
            "src/cats/cats.controller.ts:15",
            "yes",
            "unknown",
        ),
        ("nestjs", "POST", "/api/cats", "CatsController.create", "src/cats/cats.controller.ts:20", "yes", "yes"),
        (
            "nestjs",
            "GET",
            "/api/cats/public/count",
            "CatsController.count",
            "src/cats/cats.controller.ts:28",
            "no",
            "no",
        ),
        (
            "nestjs",
            "DELETE",
            "/api/cats/:id",
            "CatsController.remove",
            "src/cats/cats.controller.ts:33",
            "yes",
            "unknown",
        ),
        ("nestjs", "GET", "/api/health", "HealthController.check", "src/health/health.controller.ts:7", "no", "no"),
    ]


def test_nestjs_without_a_global_guard() -> None:
    assert table("nestbare") == [
        # ``RouterModule.register([{ path: 'admin', module: AdminModule }])`` mounts the module's controllers
        ("nestjs", "DELETE", "/admin/users/:id", "AdminUsersController.remove", "admin.module.ts:6", "no", "no"),
        ("nestjs", "POST", "/orders", "OrdersController.place", "orders.controller.ts:6", "no", "no"),
        ("nestjs", "GET", "/orders/mine", "OrdersController.mine", "orders.controller.ts:11", "yes", "unknown"),
    ]


def test_koa_router_prefixes_and_app_middleware_order() -> None:
    assert [row for row in table("koaapp") if not row[4].startswith("routes/posts.js")] == [
        # mounted after ``app.use(jwt(...))``; ``requireAdmin`` is the route's own middleware
        ("koa", "GET", "/users", "<anonymous:10>", "routes/users.js:10", "yes", "unknown"),
        ("koa", "GET", "/users/:id", "<anonymous:11>", "routes/users.js:11", "yes", "unknown"),
        ("koa", "DELETE", "/users/:id", "<anonymous:12>", "routes/users.js:12", "yes", "yes"),
        # mounted before ``jwt``: public
        ("koa", "GET", "/health", "<anonymous:10>", "server.js:10", "no", "no"),
        ("koa", "POST", "/login", "<anonymous:11>", "server.js:11", "no", "no"),
    ]


def test_koa_apps_mounted_with_koa_mount_take_the_mount_path() -> None:
    """outline/outline: ``init(app)`` is handed the app and mounts the API app with ``app.use(mount("/api", api))``;
    the API app's router names its routes without a slash (``documents.list``) and takes the routers of folders
    whose ``index.ts`` passes them on (``export { default } from "./documents"``, ``export { router as default }
    from "./shares"``). A mount without a path keeps the app's own paths; ``mount("api-docs", api)`` is no mount
    koa-mount accepts (its path must start with ``/``)."""
    assert table("koamount") == [
        ("koa", "POST", "/api/documents.info", "<anonymous:5>", "routes/api/documents/documents.ts:5", "no", "no"),
        ("koa", "POST", "/api/auth.config", "<anonymous:10>", "routes/api/index.ts:10", "no", "no"),
        ("koa", "POST", "/api/documents.list", "<anonymous:13>", "routes/api/index.ts:13", "yes", "unknown"),
        ("koa", "POST", "/api/shares.list", "<anonymous:5>", "routes/api/shares/shares.ts:5", "no", "no"),
        ("koa", "GET", "/_health", "<anonymous:7>", "routes/health.ts:7", "no", "no"),
    ]


def test_fastify_plugins_prefixes_and_hooks() -> None:
    assert table("fastifyapp") == [
        ("fastify", "GET", "/v1/items", "listItems", "routes/items.js:6", "no", "no"),
        ("fastify", "GET", "/v1/items/:id", "default.<anonymous:7>", "routes/items.js:7", "yes", "unknown"),
        ("fastify", "PUT", "/v1/items/:id", "<anonymous:12>", "routes/items.js:8", "yes", "unknown"),
        ("fastify", "POST", "/v1/items", "default.<anonymous:14>", "routes/items.js:14", "no", "no"),
        ("fastify", "GET", "/health", "<anonymous:8>", "server.js:8", "no", "no"),
        ("fastify", "POST", "/login", "<anonymous:9>", "server.js:9", "no", "no"),
        # ``instance.addHook('onRequest', instance.authenticate)`` inside the ``/admin`` plugin
        ("fastify", "DELETE", "/admin/cache", "admin.<anonymous:14>", "server.js:14", "yes", "unknown"),
    ]


def test_fastify_autoload_prefixes_by_directory_and_autohooks() -> None:
    assert table("fastifyauto") == [
        ("fastify", "GET", "/admin/users", "default.<anonymous:2>", "routes/admin/index.js:2", "yes", "unknown"),
        ("fastify", "DELETE", "/admin/users/:id", "default.<anonymous:3>", "routes/admin/index.js:3", "yes", "unknown"),
        ("fastify", "GET", "/ping", "default.<anonymous:2>", "routes/ping.js:2", "no", "no"),
    ]


def test_koa_chained_and_named_routes() -> None:
    rows = [row for row in table("koaapp") if row[4].startswith("routes/posts.js")]
    assert rows == [
        ("koa", "GET", "/posts", "<anonymous:4>", "routes/posts.js:4", "no", "no"),
        ("koa", "GET", "/posts/:id", "<anonymous:5>", "routes/posts.js:5", "no", "no"),  # named route ``post``
        ("koa", "POST", "/posts", "<anonymous:6>", "routes/posts.js:6", "no", "no"),
    ]


def test_an_express_route_module_handed_the_app_is_not_taken_for_a_fastify_plugin() -> None:
    """NodeBB's ``module.exports = function (app, middleware, controllers)``: with no Fastify import anywhere in the
    project, ``app.post('/inbox', [...middlewares], handler)`` is not read as Fastify's ``(path, options,
    handler)``, which dropped the middleware and reported the inbox as unguarded. It is an Express route of an
    app handed in by its caller."""
    assert table("expressparam") == [
        # handed the app by its caller: what the caller ran before is not followed, so the guard is unknown
        (
            "express",
            "POST",
            "/inbox",
            "controllers.activitypub.postInbox",
            "src/routes/activitypub.js:6",
            "unknown",
            "unknown",
        )
    ]


def test_hono_routers_built_by_factory_functions_are_mounted_where_their_result_is() -> None:
    """openstatus's ``createSlackRoute(config)`` makes ``const slack = new Hono()`` and returns it; its result,
    exported as ``slackRoute`` or handed to ``app.route`` in place, answers under the mount prefix. A function making
    two routers is not followed (their routes stay at their own paths), and a test mounting the factory's router
    again adds no route."""
    assert table("honofactory") == [
        ("hono", "GET", "/ping", "<anonymous:7>", "src/index.ts:7", "no", "no"),
        # the factory's own ``use("*", async (c, next) => ...)`` is a middleware redline does not know: unknown
        ("hono", "GET", "/slack/install", "handleSlackInstall", "src/slack/index.ts:13", "unknown", "unknown"),
        ("hono", "POST", "/slack/events", "handleSlackEvent", "src/slack/index.ts:14", "unknown", "unknown"),
        ("hono", "POST", "/webhooks/stripe", "buildWebhooks.<anonymous:5>", "src/webhooks.ts:5", "no", "no"),
        ("hono", "GET", "/left", "buildPair.<anonymous:13>", "src/webhooks.ts:13", "no", "no"),
        ("hono", "GET", "/right", "buildPair.<anonymous:14>", "src/webhooks.ts:14", "no", "no"),
    ]


def test_hono_apps_base_path_mounted_routers_and_wildcard_scoped_middleware() -> None:
    assert table("honoapp") == [
        ("hono", "GET", "/api/health", "<anonymous:10>", "src/index.ts:10", "no", "no"),
        # ``app.use("/admin/*", bearerAuth(...))`` guards what is under /admin only
        ("hono", "POST", "/api/admin/reindex", "<anonymous:11>", "src/index.ts:11", "yes", "unknown"),
        ("hono", "POST", "/api/feedback", "<anonymous:12>", "src/index.ts:12", "no", "no"),
        # ``export { app as reportsRouter }``: a named export renaming the module's app
        ("hono", "POST", "/api/reports/export", "<anonymous:4>", "src/reports.ts:4", "no", "no"),
        # ``app.route("/users", users)``: the default export of ./users under /api/users
        ("hono", "GET", "/api/users", "<anonymous:5>", "src/users.ts:5", "no", "no"),
        ("hono", "DELETE", "/api/users/:id", "<anonymous:6>", "src/users.ts:6", "yes", "unknown"),
    ]


def test_the_project_reads_js_exports_once_for_every_framework() -> None:
    from redline.sources.code.routes.common import Project

    project = Project(js_indexes("expressapp"))
    assert dict(project.js_exports) == {
        "app": "app",
        "middleware/auth": "{requireAuth=requireAuth,checkRole=checkRole}",
        "routes/admin": "router",  # ``export default router``
        "routes/reports": "r",
        "routes/users": "router",
    }  # ``exports.list = async (req, res) => …`` binds no local name
    assert project.js_exports is project.js_exports  # Express, Koa, Fastify and the handler lookup share it
