"""A project middleware that sends anonymous callers to sign in (pretalx's ``EventMiddleware`` for every
``/orga`` page) leaves the routes under its path prefix ``unknown``, not unauthenticated: WEB101 stays silent
there and still fires beside it; a middleware that only reads the login state (to pick a language) counts
for nothing."""

from __future__ import annotations

from pathlib import Path

from audit_helpers import findings_of
from redline.checks.code.routes import RouteAuthenticationCheck
from redline.core.workspace import SourceFile, read_file
from redline.sources.code.routes import extract_routes
from redline.sources.code.routes.settings import ENTRYPOINTS_SECTION
from redline.sources.code.source import CodeIndexSource

FIXTURES = Path(__file__).parent / "fixtures" / "login_middleware"


def test_routes_under_a_login_middleware_prefix_are_unknown() -> None:
    indexes = [
        CodeIndexSource().parse(
            read_file(SourceFile(p.relative_to(FIXTURES).as_posix(), str(p), "python", p.stat().st_size))
        )
        for p in sorted(FIXTURES.rglob("*.py"))
    ]
    routes = extract_routes(indexes, ENTRYPOINTS_SECTION.defaults()).routes
    assert [(r.path, f"{r.file}:{r.line}", r.authenticated, r.auth_evidence) for r in routes] == [
        ("/orga/me", "orgapp/urls.py:7", "unknown", ("orgapp.middleware.EventMiddleware",)),
        ("/orders/cancel/", "orgapp/urls.py:8", "no", ()),
        ("/orders/refund/", "orgapp/urls.py:9", "yes", ("login_required",)),
    ]


def test_web101_fires_only_outside_the_middleware_prefix() -> None:
    found = findings_of(FIXTURES, RouteAuthenticationCheck())
    assert [(f.rule, f.location.path, f.location.start_line) for f in found] == [
        ("WEB101", "orgapp/urls.py", 8),
    ]
