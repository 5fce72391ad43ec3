"""WEB201-303: exact lines of the true positives; look-alikes (bound parameters, constant commands, argument
lists, digests of non-secrets, verified tokens, development settings) stay silent."""

from __future__ import annotations

from pathlib import Path

from code_audit import findings_of
from redline.checks.code.flaws import CodeFlawCheck
from redline.core.model import Finding

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
        ("WEB303", "app.py", 44),
        ("WEB303", "app.py", 45),
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
