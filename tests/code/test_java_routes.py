"""Java entry points: Spring MVC (class and method mappings), Spring Security URL rules and method
security, JAX-RS resources and ``@WebServlet`` servlets, with the Java index facts they rest on."""

from __future__ import annotations

from pathlib import Path

from code_index import route_rows, tree_indexes
from redline.sources.code.model import CodeIndex
from redline.sources.code.routes import extract_routes
from redline.sources.code.routes.common import Project
from redline.sources.code.routes.settings import ENTRYPOINTS_SECTION
from redline.sources.code.routes.spring import UNKNOWN_PATHS, security_rules

FIXTURES = Path(__file__).parent / "fixtures" / "javaroutes"
WEB = "src/main/java/com/shop/web"


def java_indexes(app: str) -> list[CodeIndex]:
    found: list[CodeIndex] = tree_indexes(FIXTURES / app, "*.java")
    return found


def table(app: str) -> list[tuple[str, ...]]:
    rows: list[tuple[str, ...]] = route_rows(extract_routes(java_indexes(app), ENTRYPOINTS_SECTION.defaults()).routes)
    return rows


def test_spring_mappings_url_rules_and_method_security() -> None:
    assert table("springapp") == [
        # ``anyRequest().authenticated()`` covers what no earlier matcher does
        ("spring", "GET", "/api/orders", "OrderController.list", f"{WEB}/OrderController.java:17", "yes", "unknown"),
        (
            "spring",
            "GET",
            "/api/orders/{id}",
            "OrderController.get",
            f"{WEB}/OrderController.java:22",
            "yes",
            "unknown",
        ),
        ("spring", "POST", "/api/orders", "OrderController.create", f"{WEB}/OrderController.java:27", "yes", "unknown"),
        (
            "spring",
            "DELETE",
            "/api/orders/{id}",
            "OrderController.delete",
            f"{WEB}/OrderController.java:32",
            "yes",
            "yes",
        ),
        (
            "spring",
            "POST",
            "/api/orders/{id}/refund",
            "OrderController.refund",
            f"{WEB}/OrderController.java:38",
            "yes",
            "unknown",
        ),
        ("spring", "GET", "/", "PublicController.home", f"{WEB}/PublicController.java:9", "no", "no"),
        ("spring", "GET", "/home", "PublicController.home", f"{WEB}/PublicController.java:9", "no", "no"),
        (
            "spring",
            "POST",
            "/admin/reindex",
            "PublicController.reindex",
            f"{WEB}/PublicController.java:14",
            "yes",
            "yes",
        ),
    ]


def test_jaxrs_resources_and_servlets() -> None:
    base = "src/main/java/com/shop"
    assert table("jaxrsapp") == [
        ("jaxrs", "GET", "/items", "ItemResource.list", f"{base}/ItemResource.java:9", "no", "no"),
        ("jaxrs", "POST", "/items/{id}", "ItemResource.update", f"{base}/ItemResource.java:15", "yes", "yes"),
        ("jaxrs", "DELETE", "/items/{id}", "ItemResource.delete", f"{base}/ItemResource.java:22", "no", "no"),
        ("servlet", "GET", "/reports", "ReportServlet.doGet", f"{base}/ReportServlet.java:10", "no", "no"),
        ("servlet", "POST", "/reports", "ReportServlet.doPost", f"{base}/ReportServlet.java:16", "no", "no"),
    ]


def test_java_index_facts_and_request_flow() -> None:
    resource, servlet = java_indexes("jaxrsapp")
    assert (
        resource.language == "java" and resource.imported("RolesAllowed") == "jakarta.annotation.security.RolesAllowed"
    )
    update = next(d for d in resource.definitions if d.name == "update")
    assert [(d.raw, d.target, d.line) for d in update.decorators] == [
        ("POST", None, 15),
        ("Path", None, 16),
        ("RolesAllowed", "jakarta.annotation.security.RolesAllowed", 17),
    ]
    assert [(t.name, t.source) for t in resource.tainted if t.function == "ItemResource.update"] == [
        ("id", "param:params")
    ]
    query = next(c for c in servlet.calls if c.raw == "db.query")
    assert (query.line, query.function, query.built_by) == (13, "ReportServlet.doGet", "concat")
    assert [(w, s, v) for w, s, v in query.tainted] == [("0", "req.query", ("q",))]
    assert [(s.kind, s.line) for s in servlet.strings] == [("sql", 13)]


def test_url_rules_whose_paths_come_from_configuration_leave_the_routes_unknown() -> None:
    """mall's SecurityConfig opens ``antMatchers(url)`` for each configured URL before ``anyRequest().authenticated()``:
    which routes that opens is only known at run time, so no route is called public. Each ``permitAll`` is judged
    with the matcher just before it: the second is about OPTIONS requests, not about every path."""
    mall = "src/main/java/com/mall/web"
    assert table("configured") == [
        (
            "spring",
            "POST",
            "/brand/create",
            "BrandController.create",
            f"{mall}/BrandController.java:8",
            "unknown",
            "unknown",
        ),
        (
            "spring",
            "OPTIONS",
            "/brand/delete",
            "BrandController.preflight",
            f"{mall}/BrandController.java:13",
            "unknown",
            "unknown",
        ),
    ]
    rules = security_rules(Project(java_indexes("configured")))
    assert [(r.patterns, r.method, r.decision) for r in rules] == [
        ((), None, UNKNOWN_PATHS),
        ((), "OPTIONS", "public"),
        ((), None, "authenticated"),
    ]


def test_a_modules_url_rules_govern_its_routes_and_a_shared_security_module_the_others() -> None:
    """mall's layout: ``mall-security`` (no controllers) configures the admin and portal modules, while ``mall-demo``
    opens ``/**`` for itself. The demo's rule does not open the admin module's routes."""
    assert [(r[3], r[4], r[5]) for r in table("modules")] == [
        ("BrandController.create", "shop-admin/src/main/java/com/shop/admin/BrandController.java:8", "unknown"),
        ("DemoController.createBrand", "shop-demo/src/main/java/com/shop/demo/DemoController.java:7", "no"),
    ]
