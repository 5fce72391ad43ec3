"""A Flask app's own before_request hook that turns anonymous callers away (freedomofpress/securedrop's journalist
interface): its blueprints' routes are not unauthenticated, though which endpoints it exempts is decided at run
time, so they are ``unknown``; an app whose hook does something else keeps its unguarded routes. A handler that checks
a credential itself and refuses (bank-of-anthos) is a guard written inline."""

from __future__ import annotations

from pathlib import Path

from audit_helpers import findings_of
from redline.checks.code.routes import RouteAuthenticationCheck
from redline.core.workspace import FileText, SourceFile
from redline.sources.code.source import CodeIndexSource

FIXTURES = Path(__file__).parent / "fixtures" / "flask_hooks"


def test_web101_fires_only_in_the_app_without_a_login_hook() -> None:
    found = findings_of(FIXTURES, RouteAuthenticationCheck())
    assert [(f.rule, f.location.path, f.location.start_line) for f in found] == [
        ("WEB101", "newsroom/source/views.py", 7),
    ]


def test_a_handler_that_checks_a_credential_and_aborts_401_is_not_reported() -> None:
    """bank-of-anthos's frontend: ``/payment`` calls ``verify_token`` and aborts 401; its contacts service decodes the
    bearer token with the public key and answers ``return "authentication denied", 401`` from the ``except``.
    Look-alikes still reported: a token check that aborts 500, a 403 without a credential check, a handler with no
    check at all, and a token decoded without checking its signature before a 401."""
    found = findings_of(Path(__file__).parent / "fixtures" / "flask_body_check", RouteAuthenticationCheck())
    assert [(f.rule, f.location.path, f.location.start_line) for f in found] == [
        ("WEB101", "bank/frontend.py", 17),
        ("WEB101", "bank/frontend.py", 25),
        ("WEB101", "bank/frontend.py", 33),
        ("WEB101", "bank/frontend.py", 58),
    ]


def test_python_index_keeps_the_401_and_403_a_function_returns() -> None:
    """Since index format 47: ``return "denied", 401`` and DRF's ``status.HTTP_403_FORBIDDEN`` are kept per function;
    a 200, a lone number and a tuple of two strings are not."""
    text = (
        "def a():\n    return 'denied', 401\n\n"
        "def b():\n    return Response(), status.HTTP_403_FORBIDDEN\n\n"
        "def c():\n    return 'ok', 200\n\n"
        "def d():\n    return 401\n\n"
        "def e():\n    return 'x', '401'\n"
    )
    data = text.encode()
    index = CodeIndexSource().parse(FileText(SourceFile("m.py", "m.py", "python", len(data)), data, text))
    assert index.returned_statuses == (("a", 401), ("b", 403))


def test_a_url_value_preprocessor_that_refuses_guards_the_routes_holding_its_value() -> None:
    """ihatemoney's ``pull_project`` takes ``project_id`` out of the URL and redirects a caller the session has not
    signed in to that project: the blueprint's ``/<project_id>/…`` routes are not unguarded. Still reported: a route
    of the same blueprint without that value, one behind a hook that refuses nobody, and a route of another blueprint
    holding the same value."""
    found = findings_of(Path(__file__).parent / "fixtures" / "flask_value_hooks", RouteAuthenticationCheck())
    assert [(f.rule, f.location.path, f.location.start_line) for f in found] == [
        ("WEB101", "splitbill/other.py", 10),
        ("WEB101", "splitbill/web.py", 47),
        ("WEB101", "splitbill/web.py", 53),
    ]


def test_a_flask_principal_permission_guards_the_route() -> None:
    """OctoPrint guards its API with Flask-Principal: ``@Permissions.ADMIN.require(403)`` (45 of its 53 WEB101
    findings), ``with Permissions.PRINT.require(403):`` around the action, ``if not Permissions.ADMIN.can():
    abort(403)``. Still reported: a ``can()`` that only picks what to show, and ``require`` on something no name
    says is a permission (a feature flag, a lock)."""
    found = findings_of(Path(__file__).parent / "fixtures" / "flask_principal", RouteAuthenticationCheck())
    assert [(f.rule, f.location.path, f.location.start_line) for f in found] == [
        ("WEB101", "printer/api.py", 37),
        ("WEB101", "printer/api.py", 44),
        ("WEB101", "printer/api.py", 51),
    ]
