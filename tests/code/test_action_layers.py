"""CKAN's views reach the data through the action layer, whose every action checks access (``check_access``) and
raises ``NotAuthorized``: such a view is not an unguarded state change. Still reported: a view that also writes
through the model itself, one that never calls the layer, and a ``get_action`` of a project that is not CKAN."""

from __future__ import annotations

from pathlib import Path

from audit_helpers import findings_of
from redline.checks.code.routes import RouteAuthenticationCheck


def test_views_through_ckans_action_layer_are_guarded_there() -> None:
    found = findings_of(Path(__file__).parent / "fixtures" / "ckan_actions", RouteAuthenticationCheck())
    assert [(f.rule, f.location.path, f.location.start_line) for f in found] == [
        ("WEB101", "ckanext/social/views.py", 40),
        ("WEB101", "ckanext/social/views.py", 41),
        ("WEB101", "other/views.py", 10),
    ]
