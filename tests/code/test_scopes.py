"""Name resolution through nested function scopes of the code index."""

from __future__ import annotations

from redline.sources.code.scopes import nearest, outward


def test_outward_lists_the_enclosing_scopes_innermost_first() -> None:
    assert list(outward("A.b.<anonymous:3>")) == ["A.b.<anonymous:3>", "A.b", "A", ""]
    assert list(outward("")) == [""]


def test_nearest_prefers_the_innermost_binding_and_falls_back_to_the_module() -> None:
    table = {("A.b", "db"): "inner", ("", "db"): "module", ("A", "q"): "outer"}
    assert nearest(table, "A.b.<anonymous:3>", "db") == "inner"
    assert nearest(table, "A.c", "db") == "module"
    assert nearest(table, "A.b", "q") == "outer"
    assert nearest(table, "B", "q") is None
