"""WEB304-309 over Django settings, a Flask/FastAPI/aiohttp module and Django views: exact lines; look-alikes
silent (development settings, keys from the environment, CSRF middleware present or a project subclass of it,
CORS without credentials or with a listed origin, autoescape on or unset, escaped markup, a theme cookie, flags
set, a test config, csrf_exempt on an anonymous webhook)."""

from __future__ import annotations

from pathlib import Path

from audit_helpers import findings_of
from redline.checks.code.settings import SettingsCheck
from redline.core.model import Finding

FIXTURES = Path(__file__).parent / "fixtures" / "settings"


def _findings() -> list[Finding]:
    return list(findings_of(FIXTURES, SettingsCheck()))


def test_each_rule_fires_exactly_at_its_lines() -> None:
    assert sorted((f.rule, f.location.path, f.location.start_line) for f in _findings()) == [
        # MIDDLEWARE without a CsrfViewMiddleware: not portal's, whose own middleware subclasses it
        ("WEB304", "kiosk/settings.py", 5),
        ("WEB304", "prod/settings.py", 5),  # MIDDLEWARE without CsrfViewMiddleware
        ("WEB304", "shop/views.py", 6),  # csrf_exempt on a login-protected view; not on the webhook at 19
        ("WEB304", "web.py", 10),  # WTF_CSRF_ENABLED=False
        ("WEB305", "prod/settings.py", 9),
        ("WEB305", "web.py", 36),  # "session" cookie without httponly
        ("WEB305", "web.py", 39),  # secure=False
        ("WEB305", "web.py", 45),  # ProductionConfig.SESSION_COOKIE_SECURE = False, at its line
        # not 69: a cookie named for nothing secret, readable by the page's script on purpose (rdmo's storeid)
        ("WEB305", "web.py", 70),
        ("WEB305", "web.py", 71),
        ("WEB306", "prod/settings.py", 11),
        ("WEB306", "web.py", 11),  # flask-cors, credentials, every origin
        ("WEB306", "web.py", 14),  # CORSMiddleware ["*"] + credentials
        ("WEB307", "prod/settings.py", 3),
        ("WEB307", "web.py", 10),  # config.update(SECRET_KEY=...)
        ("WEB307", "web.py", 44),  # ProductionConfig.SECRET_KEY, at its line (not the class line)
        ("WEB308", "web.py", 27),
        ("WEB309", "web.py", 16),
        ("WEB309", "web.py", 22),  # aiohttp_jinja2.setup(..., autoescape=False)
    ]


def test_evidence_never_holds_the_key_and_names_the_route() -> None:
    found = _findings()
    keys = [f for f in found if f.rule == "WEB307"]
    assert all("k3y-committed" not in f.message + str(f.evidence) for f in keys)
    assert next(f for f in keys if f.location.path == "prod/settings.py").evidence["length"] == "34"
    markup = next(f for f in found if f.rule == "WEB308")
    assert (markup.evidence["route"], markup.evidence["flow"]) == ("GET /bio", "flask.request.args -> Markup(arg 0)")
    exempt = next(f for f in found if f.location.path == "shop/views.py")
    assert exempt.evidence["route"] == "ANY /transfer/" and "login_required" in exempt.message
    assert all(f.remediation for f in found)
