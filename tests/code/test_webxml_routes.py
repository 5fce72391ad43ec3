"""Servlets declared in ``web.xml``: one route per URL pattern (per ``doGet``/``doPost`` when the class is in
the project), guarded by the best-matching ``<security-constraint>`` (by method too), a security framework's
filter chain (unknown: its configuration decides) or a filter named for authentication; front controllers are
not routes; a broken descriptor, or one that is not a ``<web-app>``, is listed as not covered; build output is
not read; annotated servlets of the module are judged by the descriptor too, JAX-RS resources are served under
the Jersey servlet's pattern; and WEB101 fires on the unguarded state-changing routes."""

from __future__ import annotations

from pathlib import Path

from audit_helpers import findings_of
from redline.checks.builtin import builtin_checks
from redline.checks.code.routes import RouteAuthenticationCheck
from redline.core.config import Config
from redline.pipeline.routes import routes_request
from redline.pipeline.run import AuditRequest, run_audit
from redline.sources.builtin import builtin_file_sources, builtin_project_sources
from redline.sources.code.routes.servlets import pattern_rank
from redline.sources.code.webxml import read_descriptor
from redline.synthesis.builtin import builtin_steps

FIXTURES = Path(__file__).parent / "fixtures" / "webxml"
WEB_XML = "shop/src/main/webapp/WEB-INF/web.xml"
JAVA = "shop/src/main/java/com/shop/web"


def _routes(root: Path = FIXTURES) -> tuple[list[tuple[str, ...]], list[tuple[str, str]]]:
    request = AuditRequest(
        root=root,
        config=Config(jobs=1),
        checks=builtin_checks(),
        file_sources=builtin_file_sources(),
        project_sources=builtin_project_sources(),
        steps=builtin_steps(),
    )
    result = run_audit(routes_request(request))
    rows: list[tuple[str, ...]] = [
        (
            ",".join(r["methods"]),
            r["path"],
            r["handler"],
            f"{r['file']}:{r['line']}",
            r["authenticated"],
            r["authorized"],
        )
        for r in (result.routes.as_list() if result.routes is not None else [])
    ]
    return rows, [(s.path, s.reason) for s in result.skipped if s.path.endswith("web.xml")]


def test_servlet_routes_with_their_guards() -> None:
    rows, _ = _routes()
    assert rows == [
        # @WebServlet classes of the same module sit behind the descriptor's filters and constraints too
        ("POST", "/account/settings", "AccountPage.doPost", f"{JAVA}/AccountPage.java:10", "unknown", "unknown"),
        # JAX-RS resources under the Jersey servlet's /api/*
        ("GET", "/api/items", "ItemResource.list", f"{JAVA}/ItemResource.java:9", "no", "no"),
        ("DELETE", "/api/items/{id}", "ItemResource.delete", f"{JAVA}/ItemResource.java:14", "no", "no"),
        ("POST", "/admin/ping", "PingPage.doPost", f"{JAVA}/PingPage.java:10", "yes", "yes"),
        ("GET", "/orders/*", "OrderServlet.doGet", f"{WEB_XML}:55", "no", "no"),  # the constraint is POST only
        ("POST", "/orders/*", "OrderServlet.doPost", f"{WEB_XML}:55", "yes", "yes"),
        ("GET", "/admin/orders", "OrderServlet.doGet", f"{WEB_XML}:56", "yes", "yes"),
        ("POST", "/admin/orders", "OrderServlet.doPost", f"{WEB_XML}:56", "yes", "yes"),
        ("POST", "/reset", "ResetServlet.doPost", f"{WEB_XML}:60", "no", "no"),  # transport constraint only
        ("ANY", "/account/profile", "com.example.legacy.AccountServlet", f"{WEB_XML}:64", "unknown", "unknown"),
        ("ANY", "/export", "com.example.legacy.ExportServlet", f"{WEB_XML}:68", "yes", "unknown"),
        ("ANY", "/status", "/WEB-INF/status.jsp", f"{WEB_XML}:76", "no", "no"),
        # /static/* is served by a DispatcherServlet subclass: a front controller, not a route
        ("ANY", "/gateway/*", "GatewayServlet.service", f"{WEB_XML}:92", "no", "no"),
        ("POST", "/audit", "AuditServlet.doPost", f"{WEB_XML}:100", "unknown", "unknown"),  # isUserInRole inside
    ]


def test_broken_and_foreign_descriptors_are_not_covered_with_the_reason() -> None:
    _, skipped = _routes()
    assert sorted(skipped) == [
        ("broken/WEB-INF/web.xml", "web.xml: not read: invalid XML at line 5: mismatched tag"),
        ("notaweb/WEB-INF/web.xml", "web.xml: not read: root element is <beans>, not <web-app>"),
    ]


def test_the_unguarded_state_changing_servlet_is_flagged() -> None:
    found = [
        (f.rule, f.location.path, f.location.start_line) for f in findings_of(FIXTURES, RouteAuthenticationCheck())
    ]
    assert found == [("WEB101", f"{JAVA}/ItemResource.java", 14), ("WEB101", WEB_XML, 60)]


def test_descriptor_facts_and_pattern_specificity() -> None:
    descriptor = read_descriptor(WEB_XML, (FIXTURES / WEB_XML).read_bytes())
    assert [(s.name, s.cls) for s in descriptor.servlets][5] == ("status", "/WEB-INF/status.jsp")
    assert descriptor.filter_mappings[2].servlets == ("ExportServlet",)
    assert [(c.patterns, c.methods, c.roles) for c in descriptor.constraints] == [
        (("/admin/*",), (), ("admin",)),
        (("/orders/*",), ("POST",), ("customer",)),
        (("/reset",), (), None),
    ]
    assert descriptor.login == "FORM"
    assert pattern_rank("/a/b", "/a/b") > pattern_rank("/a/*", "/a/b") > pattern_rank("*.do", "/a/b.do")  # type: ignore[operator]
    assert pattern_rank("/a/*", "/ab") is None and pattern_rank("/", "/x") == (1, 0)
