"""A Flask app's own before_request hook that turns anonymous callers away (freedomofpress/securedrop's journalist
interface): its blueprints' routes are not unauthenticated, though which endpoints it exempts is decided at run
time, so they are ``unknown``; an app whose hook does something else keeps its unguarded routes. A handler that checks
a credential itself and refuses (bank-of-anthos) is a guard written inline."""

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


def test_a_handler_that_checks_a_credential_and_aborts_401_is_not_reported() -> None:
    """bank-of-anthos's frontend: ``/payment`` calls ``verify_token`` and aborts 401 (``unknown``: which paths refuse
    is not followed). Look-alikes still reported: a token check that aborts 500, a 403 without a credential check,
    and a handler with no check at all."""
    found = findings_of(Path(__file__).parent / "fixtures" / "flask_body_check", RouteAuthenticationCheck())
    assert [(f.rule, f.location.path, f.location.start_line) for f in found] == [
        ("WEB101", "bank/frontend.py", 16),
        ("WEB101", "bank/frontend.py", 24),
        ("WEB101", "bank/frontend.py", 32),
    ]
