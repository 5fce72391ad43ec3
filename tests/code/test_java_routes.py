"""Java entry points: Spring MVC (class and method mappings), Spring Security URL rules and method
security, JAX-RS resources and ``@WebServlet`` servlets, with the Java index facts they rest on."""

from __future__ import annotations

from pathlib import Path

import pytest

from redline.core.filekinds import kind_of
from redline.core.workspace import SourceFile, read_file
from redline.sources.code.model import CodeIndex
from redline.sources.code.routes import extract_routes
from redline.sources.code.routes.settings import ENTRYPOINTS_SECTION
from redline.sources.code.source import CodeIndexSource

FIXTURES = Path(__file__).parent / "fixtures" / "javaroutes"
WEB = "src/main/java/com/shop/web"


@pytest.fixture(autouse=True)
def _cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("REDLINE_CACHE_DIR", str(tmp_path / "cache"))


def java_indexes(app: str) -> list[CodeIndex]:
    source = CodeIndexSource()
    found = []
    for path in sorted((FIXTURES / app).rglob("*.java")):
        rel = path.relative_to(FIXTURES / app).as_posix()
        found.append(source.parse(read_file(SourceFile(rel, str(path), kind_of(rel), path.stat().st_size))))
    return found


def table(app: str) -> list[tuple[str, ...]]:
    routes = extract_routes(java_indexes(app), ENTRYPOINTS_SECTION.defaults()).routes
    return [
        (r.framework, ",".join(r.methods), r.path, r.handler, f"{r.file}:{r.line}", r.authenticated, r.authorized)
        for r in routes
    ]


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
