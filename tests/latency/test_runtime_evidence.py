"""The static N+1 rules agree with what the database sees: the fixture application is served (Flask test
client, SQLAlchemy on SQLite), every route is requested with 5 and then 20 books in the database, the
statements each request executes are counted, and the routes whose count grows with the data must be
exactly the routes the static rules flag, at the lines of the per-item access (one of them a call of a
helper function that queries)."""

from __future__ import annotations

import importlib.util
import sys
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
from sqlalchemy import Engine, create_engine, event
from sqlalchemy.pool import StaticPool

from audit_helpers import findings_of
from redline.checks.latency.check import LatencyCheck

APP_DIR = Path(__file__).parent / "fixtures" / "runtime"


@pytest.fixture
def bookshop() -> Iterator[ModuleType]:
    spec = importlib.util.spec_from_file_location("redline_test_bookshop", APP_DIR / "bookshop.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # the ORM resolves the models' annotations through the module
    try:
        spec.loader.exec_module(module)
        yield module
    finally:
        sys.modules.pop(spec.name, None)


def _engine(shop: Any, books: int) -> Engine:
    engine = create_engine("sqlite://", poolclass=StaticPool, connect_args={"check_same_thread": False})
    shop.Base.metadata.create_all(engine)
    shop.Session.configure(bind=engine)
    with shop.Session() as session:
        for i in range(books):  # one author per book: the identity map cannot hide a per-row load
            session.add(shop.Book(title=f"book {i}", author=shop.Author(name=f"author {i}")))
        session.commit()
    return engine


def _statements_per_route(shop: Any, books: int) -> dict[str, int]:
    engine = _engine(shop, books)
    executed: list[str] = []

    def count(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        executed.append(statement)

    event.listen(engine, "before_cursor_execute", count)
    client = shop.app.test_client()
    counts: dict[str, int] = {}
    for path in ("/books", "/books/loaded", "/authors", "/shelf", "/shelf/loaded"):
        executed.clear()
        response = client.get(path)
        assert response.status_code == 200
        assert len(next(iter(response.get_json().values()))) == books
        counts[path] = len(executed)
    engine.dispose()
    return counts


def test_the_rule_fires_exactly_on_the_views_that_issue_n_plus_one_queries(bookshop: ModuleType) -> None:
    small, large = _statements_per_route(bookshop, 5), _statements_per_route(bookshop, 20)
    n_plus_one = {path for path in small if large[path] > small[path]}
    assert n_plus_one == {"/books", "/authors", "/shelf"}
    assert (small["/books"], large["/books"]) == (6, 21)  # 1 + N
    assert (small["/shelf"], large["/shelf"]) == (6, 21)  # 1 + N, through the helper
    assert small["/books/loaded"] == large["/books/loaded"] == 2  # the books, then the authors in one IN
    assert small["/shelf/loaded"] == large["/shelf/loaded"] == 2  # the helper reads a mapping fetched once

    lines = {(f.rule, f.location.path, f.location.start_line) for f in findings_of(APP_DIR, LatencyCheck())}
    source = (APP_DIR / "bookshop.py").read_text().splitlines()
    assert lines == {
        ("LAT102", "bookshop.py", _line(source, "b.author.name} for b in session.scalars(select(Book))")),
        ("LAT101", "bookshop.py", _line(source, "session.get(Author, author_id)")),
        ("LAT101", "bookshop.py", _line(source, "[author_of(session, b).name for b in books]")),
    }
    assert {_route_of(source, line) for _, _, line in lines} == n_plus_one  # static and runtime agree


def _line(source: list[str], text: str) -> int:
    return next(i for i, line in enumerate(source, 1) if text in line)


def _route_of(source: list[str], line: int) -> str:
    """The route of the view a line is in (the ``@app.get("...")`` above its ``def``)."""
    for i in range(line - 1, 0, -1):
        if source[i].startswith("def "):
            return source[i - 1].split('"')[1]
    raise AssertionError(line)
