"""First-run setup pages (redash's /setup): a handler that, before it writes, refuses once the install is set up is
open only on a fresh install — WEB101 at low, saying so. A setup page without that guard, one whose guard comes
after the write, a guard that tests something else, and the same guard on a page that is not a setup page are
reported as before, at high. A settings flag read through the object that keeps the settings counts too
(OctoPrint's ``self._settings.global_get(["server", "firstRun"])``)."""

from __future__ import annotations

from pathlib import Path

from audit_helpers import findings_of
from redline.checks.code.routes import RouteAuthenticationCheck
from redline.core.model import Severity

FIXTURES = Path(__file__).parent / "fixtures" / "first_run"


def test_a_guarded_setup_page_is_low_and_every_look_alike_high() -> None:
    found = findings_of(FIXTURES, RouteAuthenticationCheck())
    assert sorted((f.rule, f.location.path, f.location.start_line, f.severity) for f in found) == [
        ("WEB101", "console/views.py", 18, Severity.LOW),  # /setup: `current_org != None or settings.MULTI_ORG`
        ("WEB101", "console/views.py", 31, Severity.LOW),  # /install: `User.query.first() is not None`
        ("WEB101", "console/views.py", 41, Severity.HIGH),  # /onboarding: no guard
        ("WEB101", "console/views.py", 48, Severity.HIGH),  # /setup/again: the guard after the commit
        ("WEB101", "console/views.py", 58, Severity.HIGH),  # /bootstrap: tests the method, not the install
        ("WEB101", "console/views.py", 67, Severity.HIGH),  # /transfer: a settings flag on a page that is no setup
        ("WEB101", "console/views.py", 76, Severity.HIGH),  # /setup/profile: tests the caller, not the install
        # /onboarding/request: Flagsmith's `not settings.HUBSPOT_ACCESS_TOKEN`, a setting named for no setup
        ("WEB101", "console/views.py", 85, Severity.HIGH),
        ("WEB101", "console/views.py", 95, Severity.LOW),  # /init-db: Kiwi's `try: User.query.first(); return …`
        ("WEB101", "console/views.py", 107, Severity.HIGH),  # /init-cache: the same try, after a write
        # OctoPrint's ACL wizard: `not self._settings.global_get(["server", "firstRun"]) and …`
        ("WEB101", "console/views.py", 121, Severity.LOW),
        ("WEB101", "console/views.py", 132, Severity.HIGH),  # the same read of a setting named for no setup
    ]
    init_db = next(f for f in found if f.location.start_line == 95)
    assert init_db.evidence.text("first_run_guard") == "User.query.first() succeeds"
    assert "it refuses once `User.query.first()` succeeds (line 98)" in init_db.message
    setup = next(f for f in found if f.location.start_line == 18)
    assert setup.evidence.text("first_run_guard") == "current_org != None or settings.MULTI_ORG"
    assert setup.evidence.number("guard_line") == 20
    assert setup.message == (
        "GET,POST /setup (flask, handler setup) is a first-run setup page: it refuses once "
        "`current_org != None or settings.MULTI_ORG` holds (line 20); until then whoever reaches a fresh install "
        "first sets it up"
    )
