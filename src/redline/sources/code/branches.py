"""What a call's enclosing ``if`` tests require for it to run (``CallSite.branch``): the positive conditions of
each test whose body holds the call, as written. A rule reads them to tell a switch that is on only when a
setting says so (``if settings.debug: app.run(debug=True)``) from one that is always on. Kept for the few calls
that switch something on with a literal, so the index does not grow with every call in an ``if``."""

from __future__ import annotations

import ast
from collections.abc import Iterable, Iterator

#: an entry longer than this is left out (a test that long is not a switch)
MAX_CONDITION = 120


def switches_on(call: ast.Call) -> bool:
    """Whether the call passes a keyword a literal ``True`` (``debug=True``, ``use_reloader=True``)."""
    if not call.keywords:  # most calls: asked of every call of a module
        return False
    return any(k.arg and isinstance(k.value, ast.Constant) and k.value.value is True for k in call.keywords)


def branch_conditions(call: ast.Call, ifs: Iterable[ast.If]) -> tuple[str, ...]:
    """The positive conditions of the tests of ``ifs`` (those of the call's own function or of module level, in
    walk order) whose body holds it, outermost first. A call in an ``else``/``elif`` branch gets nothing from the
    test it is the else of."""
    line = call.lineno
    found: list[str] = []
    for node in ifs:
        first, last = node.body[0].lineno, node.body[-1].end_lineno or node.body[-1].lineno
        if first <= line <= last:
            found.extend(positive_atoms(node.test))
    return tuple(dict.fromkeys(found))


def positive_atoms(test: ast.expr) -> Iterator[str]:
    """The conditions that are each true whenever the test is: ``a and b`` gives both, ``a or b`` gives itself
    when every alternative is one condition (never a negation), ``not a`` gives nothing (it holds when ``a`` is
    off)."""
    if isinstance(test, ast.BoolOp) and isinstance(test.op, ast.And):
        for value in test.values:
            yield from positive_atoms(value)
        return
    if isinstance(test, ast.BoolOp):  # ``or``: one entry, only when no alternative is a negation or a compound
        if all(_atom(v) for v in test.values):
            yield from _bounded(ast.unparse(test))
        return
    if _atom(test):
        yield from _bounded(ast.unparse(test))


def _atom(node: ast.expr) -> bool:
    """A single positive condition: a name, an attribute, a call, a subscript or a comparison."""
    return isinstance(node, ast.Name | ast.Attribute | ast.Call | ast.Subscript | ast.Compare)


def _bounded(text: str) -> Iterator[str]:
    if len(text) <= MAX_CONDITION:
        yield text
