"""A Flask app's own before_request hook that turns anonymous callers away (freedomofpress/securedrop's journalist
interface): its blueprints' routes are not unauthenticated, though which endpoints it exempts is decided at run
time, so they are ``unknown``; an app whose hook does something else keeps its unguarded routes."""

from __future__ import annotations

from pathlib import Path

from audit_helpers import findings_of
from redline.checks.code.routes import RouteAuthenticationCheck

FIXTURES = Path(__file__).parent / "fixtures" / "flask_hooks"


def test_web101_fires_only_in_the_app_without_a_login_hook() -> None:
    found = findings_of(FIXTURES, RouteAuthenticationCheck())
    assert [(f.rule, f.location.path, f.location.start_line) for f in found] == [
        ("WEB101", "newsroom/source/views.py", 7),
    ]
