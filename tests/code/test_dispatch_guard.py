"""A view class's own ``dispatch`` that tests the caller and refuses (nautobot's ``NautobotViewSetMixin``, fourteen
classes up a UI viewset's lineage) guards every view built on it; a ``dispatch`` that reads the login state to
pick a template, or refuses on a switch, guards nothing. A view a urls module imports is the one it names, even
when another module defines a class of the same name."""

from __future__ import annotations

from pathlib import Path

import pytest

from audit_helpers import findings_of
from redline.checks.code.routes import RouteAuthenticationCheck
from redline.core.workspace import SourceFile, read_file
from redline.sources.code.routes import extract_routes
from redline.sources.code.routes.settings import ENTRYPOINTS_SECTION
from redline.sources.code.source import CodeIndexSource

FIXTURES = Path(__file__).parent / "fixtures" / "dispatch_guard"


@pytest.fixture(autouse=True)
def _cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("REDLINE_CACHE_DIR", str(tmp_path / "cache"))


def test_dispatch_that_tests_and_refuses_guards_the_views_built_on_it() -> None:
    indexes = [
        CodeIndexSource().parse(
            read_file(SourceFile(p.relative_to(FIXTURES).as_posix(), str(p), "python", p.stat().st_size))
        )
        for p in sorted(FIXTURES.rglob("*.py"))
    ]
    routes = extract_routes(indexes, ENTRYPOINTS_SECTION.defaults()).routes
    assert [(r.path, f"{r.file}:{r.line}", r.authenticated, r.authorized, r.auth_evidence) for r in routes] == [
        ("/providers/", "netapp/urls.py:7", "yes", "yes", ("BaseViewSetMixin.dispatch[permission_required]",)),
        ("/orders/cancel/", "netapp/urls.py:10", "no", "no", ()),
        ("/refund/", "netapp/urls.py:11", "no", "no", ()),
        ("/notes/", "netapp/urls.py:12", "yes", "unknown", ("SignedInView.dispatch[login_required]",)),
        ("/render/", "netapp/urls.py:13", "yes", "unknown", ("LoginRequiredMixin",)),
    ]


def test_web101_fires_only_where_no_dispatch_refuses() -> None:
    found = findings_of(FIXTURES, RouteAuthenticationCheck())
    assert [(f.rule, f.location.path, f.location.start_line) for f in found] == [
        ("WEB101", "netapp/urls.py", 10),
        ("WEB101", "netapp/urls.py", 11),
    ]
