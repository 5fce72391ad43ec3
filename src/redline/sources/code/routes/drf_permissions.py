"""DRF's composed permissions (``permission_classes = [(IsOwner | IsShared) & HasScope]``): which of the
names in such an expression guard the view, read as DRF evaluates it. ``A & B`` guards when either side
does (both must pass); ``A | B`` only when both sides do (either lets the caller in); ``~A`` never does."""

from __future__ import annotations

import ast
from collections.abc import Callable, Iterable

#: a permission class name -> the guard names it stands for (empty when it does not guard)
Judge = Callable[[str], list[str]]


def composed(entry: str) -> bool:
    """Whether a ``permission_classes`` entry is an ``&``/``|`` expression rather than one class."""
    return "&" in entry or "|" in entry


def guarding(entries: Iterable[str], judge: Judge) -> list[str]:
    """The guard names the composed entries among ``entries`` stand for: each expression's deciding names
    when it guards, nothing when it lets an unguarded caller through."""
    found: list[str] = []
    for entry in entries:
        if not composed(entry):
            continue
        try:
            tree = ast.parse(entry, mode="eval")
        except SyntaxError:
            continue
        found += _witnesses(tree.body, judge)
    return found


def _witnesses(node: ast.expr, judge: Judge) -> list[str]:
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.BitAnd):
        return _witnesses(node.left, judge) + _witnesses(node.right, judge)
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.BitOr):
        left, right = _witnesses(node.left, judge), _witnesses(node.right, judge)
        return left + right if left and right else []
    name = _dotted(node)
    return judge(name) if name else []  # ``~A`` and anything else: no guard


def _dotted(node: ast.expr) -> str | None:
    parts: list[str] = []
    while isinstance(node, ast.Attribute):
        parts.append(node.attr)
        node = node.value
    return ".".join([node.id, *reversed(parts)]) if isinstance(node, ast.Name) else None
