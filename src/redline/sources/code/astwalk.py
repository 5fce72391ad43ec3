"""The children of a Python syntax-tree node, without the leaves no rule reads as nodes.

``ast.iter_child_nodes`` yields every ``Load``/``Store`` context of every name and every operator of every
expression (a third of a module's nodes) through two generator layers; the index builder and the data
flow walk each node's children once, so on the Django sdist that was most of the index's build time. Here
each node class's fields are looked up once, the context and operator fields (``ctx``, ``op``, ``ops``: a
rule reads them as attributes, ``node.ctx``, never as nodes of the walk) and the scalar ones are skipped.
The order is ``iter_child_nodes``'s without those leaves.
"""

from __future__ import annotations

import ast

#: fields that hold a context or an operator node (read as attributes, never walked) or only scalars
_SKIPPED = frozenset(
    {
        "ctx",
        "op",
        "ops",
        "id",
        "attr",
        "arg",
        "asname",
        "module",
        "level",
        "kind",
        "type_comment",
        "conversion",
        "is_async",
        "simple",
        "lineno",
        "col_offset",
        "end_lineno",
        "end_col_offset",
    }
)
_FIELDS: dict[type, tuple[str, ...]] = {}


def _fields(cls: type[ast.AST]) -> tuple[str, ...]:
    found = _FIELDS.get(cls)
    if found is None:
        found = _FIELDS[cls] = tuple(f for f in cls._fields if f not in _SKIPPED)
    return found


def child_nodes(node: ast.AST) -> list[ast.AST]:
    """The node's child nodes in field order, contexts and operators left out."""
    out: list[ast.AST] = []
    for name in _FIELDS.get(node.__class__) or _fields(node.__class__):
        value = getattr(node, name, None)
        if value.__class__ is list:
            out.extend(item for item in value if isinstance(item, ast.AST))
        elif isinstance(value, ast.AST):
            out.append(value)
    return out


def walk_nodes(node: ast.AST) -> list[ast.AST]:
    """Every node under ``node`` (itself first) in ``ast.walk``'s breadth-first order, contexts and operators
    left out: for the small expressions the data flow reads names from, without ``ast.walk``'s generators."""
    out = [node]
    for current in out:  # the list grows while it is read: a queue without a deque
        out.extend(child_nodes(current))
    return out


def dotted(node: ast.AST) -> str | None:
    """``a.b.c`` as written, or None when the expression is not a dotted name."""
    parts: list[str] = []
    while isinstance(node, ast.Attribute):
        parts.append(node.attr)
        node = node.value
    if isinstance(node, ast.Name):
        return ".".join([node.id, *reversed(parts)])
    return None
