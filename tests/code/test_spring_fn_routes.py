"""Spring functional routes (``RouterFunctions``): the builder (verbs, ``path`` and ``nest`` prefixes, lambda
handlers), the static form (``route``/``andRoute``/``andNest``/``and(nest(...))``), handlers resolved through
the declared type of their receiver, guards from method security, WebFlux ``authorizeExchange`` matchers and
the router's filters; a ``route(...)`` call on some other object is not a route."""

from __future__ import annotations

from pathlib import Path

from code_index import tree_indexes
from redline.sources.code.model import CodeIndex
from redline.sources.code.routes import extract_routes
from redline.sources.code.routes.settings import ENTRYPOINTS_SECTION

APP = Path(__file__).parent / "fixtures" / "javaroutes" / "webflux"
CONFIG = "src/main/java/com/shop/fn/RouterConfig.java"


def _indexes() -> list[CodeIndex]:
    found: list[CodeIndex] = tree_indexes(APP, "*.java")
    return found


def test_functional_routes_with_prefixes_handlers_and_guards() -> None:
    routes = extract_routes(_indexes(), ENTRYPOINTS_SECTION.defaults()).routes
    assert [
        (",".join(r.methods), r.path, r.handler, r.line, r.authenticated, r.authorized)
        for r in routes
        if r.file == CONFIG
    ] == [
        ("GET", "/orders/{id}", "OrderHandler.get", 26, "yes", "unknown"),  # pathMatchers("/orders/**").authenticated()
        ("POST", "/orders", "OrderHandler.create", 27, "yes", "unknown"),
        ("DELETE", "/admin/orders/{id}", "OrderHandler.delete", 29, "yes", "yes"),  # @PreAuthorize on the handler
        ("GET", "/admin/stats", "OrderHandler.stats", 30, "unknown", "unknown"),  # nest(accept(...)) adds no path
        ("GET", "/health", "RouterConfig.orders", 31, "no", "no"),  # a lambda: the @Bean method; permitAll
        ("GET", "/v1/orders", "OrderHandler.list", 37, "unknown", "unknown"),
        ("POST", "/v1/orders", "OrderHandler.create", 38, "unknown", "unknown"),
        ("DELETE", "/v1/admin/purge", "RouterConfig.purge", 39, "unknown", "unknown"),  # this::purge
        ("GET", "/v1/audit", "AuditHandler.list", 40, "unknown", "unknown"),  # a field's type, class not in project
        ("POST", "/reports", "OrderHandler.report", 46, "yes", "unknown"),  # .filter(new TokenAuthFilter())
        ("GET", "/c/items", "OrderHandler.list", 64, "unknown", "unknown"),  # comments between the arguments
        ("PUT", "/w/{id}", "OrderHandler.create", 72, "unknown", "unknown"),  # the project's own predicate wrapper
    ]
    by_path = {r.path: r for r in routes}
    assert by_path["/orders"].framework == "spring-fn"
    assert by_path["/orders"].handler_file == "src/main/java/com/shop/fn/OrderHandler.java"
    assert by_path["/reports"].auth_evidence == ("new TokenAuthFilter()",)


def test_the_index_keeps_declared_routes_only_where_routers_are_built() -> None:
    indexes = {i.path: i for i in _indexes()}
    declared = indexes[CONFIG].declared_routes
    assert [(r.handler, r.handler_type, r.function) for r in declared[:2]] == [
        ("handler::get", "OrderHandler", "RouterConfig.orders"),
        ("handler::create", "OrderHandler", "RouterConfig.orders"),
    ]
    assert declared[-3].filters == ("new TokenAuthFilter()",)
    assert indexes["src/main/java/com/shop/fn/OrderHandler.java"].declared_routes == ()
