"""Name resolution through nested function scopes of the code index."""

from __future__ import annotations

from redline.sources.code.scopes import nearest, outward, within


def test_outward_lists_the_enclosing_scopes_innermost_first() -> None:
    assert list(outward("A.b.<anonymous:3>")) == ["A.b.<anonymous:3>", "A.b", "A", ""]
    assert list(outward("")) == [""]


def test_nearest_prefers_the_innermost_binding_and_falls_back_to_the_module() -> None:
    table = {("A.b", "db"): "inner", ("", "db"): "module", ("A", "q"): "outer"}
    assert nearest(table, "A.b.<anonymous:3>", "db") == "inner"
    assert nearest(table, "A.c", "db") == "module"
    assert nearest(table, "A.b", "q") == "outer"
    assert nearest(table, "B", "q") is None


def test_within_is_the_scope_itself_or_a_function_nested_in_it() -> None:
    assert within("f", "f")
    assert within("f.g", "f")
    assert within("A.b.<anonymous:3>", "A.b")
    assert within("A.b.<anonymous:3>.c", "A")


def test_within_does_not_match_a_name_that_only_starts_the_same() -> None:
    assert not within("fx", "f")
    assert not within("fx.g", "f")
    assert not within("f", "f.g")  # the enclosing function is not within what it encloses
    assert not within("A.bc", "A.b")


def test_within_the_module_scope_is_only_its_top_level_code() -> None:
    assert within("", "")
    assert not within("f", "")
