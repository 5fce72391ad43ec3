"""DRF permissions composed with ``&``, ``|`` and ``~`` (tandoor writes ``[CustomIsUser & HasScope]`` on every
API view): read as DRF evaluates them, so a view guarded that way is not reported as open, and one an
``|`` or ``~`` opens still is."""

from __future__ import annotations

from pathlib import Path

from audit_helpers import findings_of
from redline.checks.code.routes import RouteAuthenticationCheck
from redline.core.workspace import SourceFile, read_file
from redline.sources.code.routes import extract_routes
from redline.sources.code.routes.drf_permissions import guarding
from redline.sources.code.routes.settings import ENTRYPOINTS_SECTION
from redline.sources.code.source import CodeIndexSource

FIXTURES = Path(__file__).parent / "fixtures" / "drf_composed"


def _routes() -> list[tuple[str, str, str, str]]:
    indexes = [
        CodeIndexSource().parse(
            read_file(SourceFile(p.relative_to(FIXTURES).as_posix(), str(p), "python", p.stat().st_size))
        )
        for p in sorted(FIXTURES.rglob("*.py"))
    ]
    routes = extract_routes(indexes, ENTRYPOINTS_SECTION.defaults()).routes
    return [(r.path, f"{r.file}:{r.line}", r.authenticated, r.authorized) for r in routes]


def test_composed_permission_classes_guard_as_drf_evaluates_them() -> None:
    assert _routes() == [
        # ``&``: either side guarding is enough (the project's CustomIsUser asks who the caller is)
        ("/api/import/", "urls.py:44", "yes", "yes"),
        # ``|`` of two guards still guards
        ("/api/either/", "urls.py:45", "yes", "yes"),
        ("/api/admin-task/", "urls.py:46", "yes", "yes"),
        # ``|`` with a class that lets anyone read does not, nor does the token check beside it
        ("/api/share/", "urls.py:47", "no", "no"),
        # ``~`` inverts a guard: no guard
        ("/api/not-user/", "urls.py:48", "no", "no"),
    ]


def test_the_index_keeps_a_composed_entry_as_written() -> None:
    path = FIXTURES / "urls.py"
    index = CodeIndexSource().parse(read_file(SourceFile("urls.py", str(path), "python", path.stat().st_size)))
    attrs = {d.name: dict(d.class_attrs) for d in index.definitions if d.kind == "class"}
    assert attrs["EitherView"]["permission_classes"] == ("(CustomIsUser | CustomIsGuest) & ReadWriteToken",)
    assert attrs["NotUserView"]["permission_classes"] == ()


def test_guarding_reads_and_or_not() -> None:
    guards = {"A": ["A"], "B": ["B"]}

    def judge(name: str) -> list[str]:
        return guards.get(name, [])

    assert guarding(["A & X"], judge) == ["A"]
    assert guarding(["A | X"], judge) == []
    assert guarding(["(A | B) & X"], judge) == ["A", "B"]
    assert guarding(["~A & X", "Plain", "A |"], judge) == []


def test_web101_fires_where_the_expression_lets_anyone_in() -> None:
    found = findings_of(FIXTURES, RouteAuthenticationCheck())
    assert [(f.rule, f.location.path, f.location.start_line) for f in found] == [
        ("WEB101", "urls.py", 47),
        ("WEB101", "urls.py", 48),
    ]
