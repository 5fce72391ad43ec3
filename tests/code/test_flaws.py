"""WEB201-303: exact lines of the true positives; look-alikes (bound parameters, constant commands, argument
lists, digests of non-secrets, verified tokens, development settings) stay silent."""

from __future__ import annotations

import ast
from pathlib import Path

from audit_helpers import findings_of
from redline.checks.code.flaws import CodeFlawCheck
from redline.core.context import is_in_context
from redline.core.model import Finding
from redline.core.result import GATE_EXEMPT_TAG
from redline.sources.code.build import main_guard

FIXTURES = Path(__file__).parent / "fixtures" / "flaws"


def _findings() -> list[Finding]:
    return list(findings_of(FIXTURES, CodeFlawCheck()))


def test_each_rule_fires_exactly_at_its_lines() -> None:
    assert sorted((f.rule, f.location.path, f.location.start_line) for f in _findings()) == [
        ("WEB201", "app.py", 15),
        ("WEB201", "app.py", 18),
        ("WEB202", "app.py", 28),
        ("WEB202", "app.py", 30),
        ("WEB301", "aio.py", 3),
        ("WEB301", "app.py", 51),
        ("WEB301", "site/settings.py", 2),
        ("WEB302", "app.py", 36),
        ("WEB302", "app.py", 37),
        # pwned.py: the SHA-1 prefixes Have I Been Pwned's range API takes (lines 8 and 17) are not flagged
        ("WEB302", "pwned.py", 22),
        ("WEB303", "app.py", 44),
        ("WEB303", "app.py", 45),
        # exchange() (line 65) reads only the issuer, then decodes with the key: not flagged; exchange_and_trust()
        # goes on with the unverified subject
        ("WEB303", "app.py", 72),
        # the project's own get_launch_data verifies nothing
        ("WEB303", "launch_check.py", 6),
        # lti.py: line 7's iss/aud read picks the platform and pylti1p3's get_launch_data verifies; peek() does not
        ("WEB303", "lti.py", 13),
        # publishers.py: not line 13, in a null object (NullOIDCPublisherService, development only)
        ("WEB303", "publishers.py", 18),
    ]


def test_findings_name_the_route_and_the_source_to_sink_path() -> None:
    by_line = {(f.rule, f.location.start_line): f for f in _findings()}
    sql = by_line[("WEB201", 18)]
    assert sql.evidence["route"] == "GET /users"
    assert sql.evidence["flow"] == "flask.request.args -> [after prefix] -> query -> db.execute(arg 0)"
    assert "reachable from GET /users" in sql.message
    shell = by_line[("WEB202", 28)]
    assert (shell.evidence["route"], shell.evidence["source"]) == ("POST /convert", "flask.request.form")
    assert "route" not in by_line[("WEB302", 36)].evidence  # not in a handler
    assert all(f.remediation for f in by_line.values())


DEBUG_ENTRY = Path(__file__).parent / "fixtures" / "debug_entry"


def test_a_debug_run_under_main_is_lowered_when_the_image_serves_the_app_with_a_server() -> None:
    """``app.run(debug=True)`` under ``__main__`` where the final stage starts gunicorn (the dev stage's
    ``python app.py`` is not what ships): kept in the context section, low and not gating. Kept high where the
    image runs the file (``python app.py``, ``python -m web.app``), where no image is seen, and outside the guard.
    A compose service's ``command:`` and a Procfile's ``web:`` line count like the image's CMD: gunicorn there
    lowers (``composed``, ``heroku``); ``python app.py`` there keeps it high even over an image that runs gunicorn
    (``overridden``, ``procdirect``); a development compose service (its source bind-mounted) is not read
    (``devbox``)."""
    found = {f.location.path: f for f in findings_of(DEBUG_ENTRY, CodeFlawCheck()) if f.rule == "WEB301"}
    assert sorted((p, f.location.start_line, f.severity.name) for p, f in found.items()) == [
        ("alone/app.py", 12, "HIGH"),
        ("composed/app.py", 12, "LOW"),
        ("devbox/app.py", 12, "HIGH"),
        ("direct/app.py", 12, "HIGH"),
        ("heroku/app.py", 12, "LOW"),
        ("module/web/app.py", 12, "HIGH"),
        ("overridden/app.py", 12, "HIGH"),
        ("procdirect/app.py", 12, "HIGH"),
        ("served/app.py", 12, "LOW"),
        ("served/unguarded.py", 4, "HIGH"),
    ]
    lowered = found["served/app.py"]
    assert is_in_context(lowered) and GATE_EXEMPT_TAG in lowered.tags
    assert lowered.evidence["context"] == (
        "development entry point: the deployment serves the app with gunicorn, started by the image (served/Dockerfile)"
    )
    assert not any(is_in_context(f) for p, f in found.items() if p not in LOWERED)
    assert (
        found["composed/app.py"]
        .evidence["context"]
        .endswith("gunicorn, started by compose service composed (docker-compose.yml)")
    )
    assert found["heroku/app.py"].evidence["context"].endswith("gunicorn, started by the Procfile (heroku/Procfile)")


LOWERED = ("served/app.py", "composed/app.py", "heroku/app.py")


def test_the_main_guard_is_recorded_in_the_index() -> None:
    source = 'import x\nif __name__ == "__main__":\n    x.run()\n    x.stop()\nif name == "__main__":\n    pass\n'
    assert main_guard(ast.parse(source)) == (2, 4)
    assert main_guard(ast.parse('if "__main__" == __name__:\n    pass\n')) == (1, 2)
    assert main_guard(ast.parse('def f():\n    if __name__ == "__main__":\n        pass\n')) == (0, 0)


CLI_TOOLS = Path(__file__).parent / "fixtures" / "cli_tools"


def test_an_unverified_token_read_in_a_command_line_tool_is_not_judged_like_a_server() -> None:
    """A click command, an argparse tool in a ``*_cli`` package and a Django management command decode the user's
    own token to show it: the server verifies it. A Flask handler does the same and fires; so does a module in a
    CLI-named folder that is a FastAPI app."""
    found = [f for f in findings_of(CLI_TOOLS, CodeFlawCheck()) if f.rule == "WEB303"]
    assert sorted((f.location.path, f.location.start_line) for f in found) == [
        ("gateway_cli/server.py", 14),
        ("service/auth.py", 9),
    ]
