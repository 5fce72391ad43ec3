"""Taint across functions (Python and Go): a handler passing request data to a helper in another module (or
a method of its own class, or a Go package function or method) that carries it to a sink fires the sink's
rule at the handler's call, citing the sink. Look-alikes: bound parameters in the callee, a cast to int, a
parameter that is not the one in the SQL, a helper of the same name in an unrelated module or package."""

from __future__ import annotations

from pathlib import Path, PurePosixPath

import pytest

from audit_helpers import findings_of
from redline.checks.code.across import TaintAcrossFunctionsCheck
from redline.checks.code.flaws import CodeFlawCheck
from redline.checks.code.injection import InjectionCheck
from redline.checks.code.jsgo_flaws import JsGoFlawCheck
from redline.core.model import Finding
from redline.sources.code import callees

FIXTURES = Path(__file__).parent / "fixtures" / "across"


def _across(root: Path) -> list[Finding]:
    """Only the findings made through a call (the owners run too: a borrowed rule is enabled by its owner)."""
    found = findings_of(root, TaintAcrossFunctionsCheck(), CodeFlawCheck(), InjectionCheck(), JsGoFlawCheck())
    return [f for f in found if "callee" in f.evidence]


def _where(findings: list[Finding]) -> list[tuple[str, str, int, str]]:
    return sorted((f.rule, f.location.path, f.location.start_line, str(f.evidence["sink"])) for f in findings)


def test_python_helpers_in_other_modules_fire_at_the_handler_call() -> None:
    assert _where(_across(FIXTURES / "py")) == [
        ("WEB201", "app/views.py", 20, "app/dao/users.py:6"),  # from app.dao.users import find_by_name
        ("WEB201", "app/views.py", 24, "app/dao/users.py:19"),  # order= is the formatted parameter
        ("WEB201", "app/views.py", 25, "app/dao/users.py:29"),  # staticmethod through the imported class
        ("WEB201", "app/views.py", 26, "app/dao/users.py:33"),  # classmethod: cls is not an argument
        ("WEB201", "app/views.py", 34, "app/dao/users.py:23"),  # two calls deep: service -> dao
        ("WEB201", "app/views.py", 50, "app/views.py:53"),  # self._search in the same class
        # a branch of ``x if c else "id"`` is the caller's text; not lines 64-66: there the request value only
        # picks one of two constants (``"READ ONLY" if read_only else …``) or is a test (startswith, ==)
        ("WEB201", "app/views.py", 67, "app/dao/users.py:45"),
        ("WEB202", "app/views.py", 41, "app/helpers.py:5"),  # relative import (from .helpers import ping)
        ("WEB203", "app/files.py", 15, "app/helpers.py:9"),  # {name:path}; not {name} (line 10): one segment
        ("WEB203", "app/views.py", 42, "app/helpers.py:9"),
        # the caller's ``next`` reaches redirect(); not line 17: a value stored on the request (pretalx's
        # ``request.access_code = code``) does not make the request object passed on caller data
        ("WEB207", "app/jobs.py", 16, "app/jobs.py:19"),  # not 13: the handler checks the URL before passing it
        ("WEB207", "app/wizard.py", 18, "app/wizard.py:28"),
    ]


def test_python_finding_cites_the_call_the_callee_and_the_sink() -> None:
    by_line = {f.location.start_line: f for f in _across(FIXTURES / "py")}
    first = by_line[20]
    assert first.evidence["call"] == "app/views.py:20"
    assert first.evidence["callee"] == "app/dao/users.py:4 find_by_name"
    assert first.evidence["route"] == "GET /users"
    assert first.evidence["flow"] == (
        "flask.request.args -> name -> find_by_name() => arg:name -> name -> [after prefix] -> sql -> db.execute(arg 0)"
    )
    assert "find_by_name (app/dao/users.py:6)" in first.message and first.remediation
    assert first.group == "app/dao/users.py:6"
    deep = by_line[34]
    assert deep.evidence["depth"] == 2
    assert deep.evidence["through"] == ("app/service.py:5 users.raw_report -> app/dao/users.py:22 raw_report",)


def test_go_package_functions_and_methods_fire_at_the_handler_call() -> None:
    found = _across(FIXTURES / "go")
    assert _where(found) == [
        ("WEB210", "cmd/web/main.go", 11, "internal/models/user.go:19"),  # models.GetUser via the import path
        ("WEB210", "cmd/web/main.go", 16, "internal/models/user.go:39"),  # store := models.NewStore(); store.Find
        # TruncateWhere validates the table name, not the condition; Truncate (line 33) validates all it writes and
        # ResetSequence (line 35) a name made from the checked one
        ("WEB210", "cmd/web/main.go", 34, "internal/models/user.go:65"),
        ("WEB211", "cmd/web/main.go", 17, "cmd/web/lookup.go:12"),  # same package, another file
        ("WEB213", "cmd/web/main.go", 19, "cmd/web/lookup.go:24"),  # the caller's value starts the URL
    ]  # not packaging(name) at line 18: after the configured base it cannot pick the host
    assert {f.evidence["route"] for f in found} == {"ANY /users", "ANY /cursor"}


def test_a_summary_is_not_a_finding_without_request_data() -> None:
    """The helpers alone (no handler passes them request data) stay silent, as the intra-function rules do."""
    owners = findings_of(FIXTURES / "py" / "app" / "dao", CodeFlawCheck(), TaintAcrossFunctionsCheck())
    assert owners == []


@pytest.mark.parametrize(
    "path",
    [
        "app/dao/user.py",
        "app/__init__.py",
        "__init__.py",
        "a.b.py",
        "./app/x.py",
        "app//x.py",
        ".hidden",
        "a.",
        "x/..py",
    ],
)
def test_module_names_from_strings_match_the_path_objects(path: str) -> None:
    """Callees names modules by splitting the path string; the parts are those the path object gives."""
    parts = list(PurePosixPath(path).with_suffix("").parts)
    expected = ".".join(parts[:-1] if parts and parts[-1] == "__init__" else parts)
    assert callees.module_name(path) == expected
