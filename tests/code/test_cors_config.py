"""Flask-CORS without ``origins`` takes the app's ``CORS_ORIGINS`` (alerta's settings list its origins and its
``@cross_origin(supports_credentials=True)`` views answer those only); ``*`` only when nothing sets it. A call that
says ``origins="*"`` itself, and a project whose only listed origins are development settings', still fire."""

from __future__ import annotations

from pathlib import Path

from audit_helpers import findings_of
from redline.checks.code.settings import SettingsCheck

FIXTURES = Path(__file__).parent / "fixtures" / "cors_config"


def test_listed_origins_answer_the_call_without_its_own() -> None:
    found = findings_of(FIXTURES / "listed", SettingsCheck())
    assert [(f.rule, f.location.path, f.location.start_line) for f in found] == [
        ("WEB306", "alerta/views.py", 16),  # origins="*" on the call itself
    ]


def test_any_origin_in_the_settings_or_only_in_development_settings_still_fires() -> None:
    for root in ("any", "devonly"):  # CORS_ORIGINS = "*"; a list in settings_dev.py only
        found = findings_of(FIXTURES / root, SettingsCheck())
        assert [(f.rule, f.location.path, f.location.start_line, f.evidence.text("origins")) for f in found] == [
            ("WEB306", "relay/views.py", 8, "app config CORS_ORIGINS, else *"),
        ]
