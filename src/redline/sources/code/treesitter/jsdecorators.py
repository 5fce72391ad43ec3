"""Where a JavaScript/TypeScript declaration's decorators are, and what each one calls: one reader for the
definitions' decorators (NestJS routes and guards), parameter bindings and the TypeORM entity facts.

The grammars place them differently: a class's decorators are its children or its ``export`` statement's;
a field's and (in JavaScript) a method's are the member's children; TypeScript puts a method's decorators
before it in the class body, as siblings, with any comments between.
"""

from __future__ import annotations

from redline.sources.code.treesitter.jsnames import dotted
from redline.sources.code.treesitter.nodes import Node, named

_BETWEEN = frozenset({"decorator", "comment"})


def decorators_of(node: Node) -> list[Node]:
    """The decorator nodes of a class, class member or parameter, in source order."""
    found = [c for c in node.children if c.type == "decorator"]
    parent = node.parent
    if parent is not None and parent.type == "export_statement":
        found = [c for c in parent.children if c.type == "decorator"] + found
    if parent is not None and parent.type == "class_body":
        sibling, before = node.prev_named_sibling, []
        while sibling is not None and sibling.type in _BETWEEN:
            if sibling.type == "decorator":
                before.append(sibling)
            sibling = sibling.prev_named_sibling
        found = before[::-1] + found
    return found


def decorator_call(decorator: Node) -> tuple[Node | None, Node | None, bool]:
    """(the decorator's callee expression, its argument list, whether it is called): ``@Get(':id')`` gives
    ``Get``, ``(':id')``, True; ``@Injectable`` gives ``Injectable``, None, False."""
    inner = named(decorator)
    expr = inner[0] if inner else decorator
    if expr.type == "call_expression":
        return expr.child_by_field_name("function"), expr.child_by_field_name("arguments"), True
    return expr, None, False


def decorator_name(decorator: Node) -> str:
    """The decorator's own name, without its module: ``ManyToOne`` for ``@typeorm.ManyToOne(...)``."""
    callee, _, _ = decorator_call(decorator)
    return (dotted(callee) or "").rsplit(".", 1)[-1] if callee is not None else ""
