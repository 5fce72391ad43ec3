"""Small readers over tree-sitter nodes shared by the language walkers: text, dotted names, literals."""

from __future__ import annotations

from typing import Any

from redline.sources.code.model import INT_RANGE, LITERAL_DEPTH, Literal

Node = Any  # tree_sitter.Node (the package is imported only where a grammar is loaded)


#: JavaScript/TypeScript expressions that only wrap the value inside: ``(x)``, ``x as T``, ``x satisfies T``,
#: ``x!``, ``<T>x``
TS_WRAPPERS = frozenset(
    {"parenthesized_expression", "as_expression", "satisfies_expression", "non_null_expression", "type_assertion"}
)


def unwrapped(node: Node) -> Node:
    """The expression inside ``TS_WRAPPERS`` (``(token as string)!`` -> ``token``)."""
    while node.type in TS_WRAPPERS and named(node):
        node = named(node)[0]
    return node


def text(node: Node) -> str:
    raw: bytes = node.text or b""
    return raw.decode("utf-8", "replace")


def line(node: Node) -> int:
    return int(node.start_point[0]) + 1


def end_line(node: Node) -> int:
    return int(node.end_point[0]) + 1


def named(node: Node) -> list[Node]:
    return [c for c in node.children if c.is_named and c.type != "comment"]


def walk(node: Node) -> list[Node]:
    """The node and everything below it, in source order (pre-order)."""
    found, stack = [], [node]
    while stack:
        current = stack.pop()
        found.append(current)
        stack.extend(reversed(current.children))
    return found


def chain_end(node: Node, member: str, calls: frozenset[str]) -> Node:
    """The outermost call of a fluent chain a call starts (``Router().use(a).use(b)``, ``r.Group(…).Use(m)``):
    climb while the node is the receiver of a ``member`` node that is itself called (one of ``calls``)."""
    while (
        node.parent is not None
        and node.parent.type == member
        and node.parent.parent is not None
        and node.parent.parent.type in calls
    ):
        node = node.parent.parent
    return node


def string_value(node: Node) -> str | None:
    """The value of a string literal (or a template literal without substitutions), else None."""
    if node.type in {"string", "interpreted_string_literal", "raw_string_literal", "string_literal"}:
        body = text(node)
        return body[1:-1] if len(body) >= 2 else ""
    if node.type == "template_string" and not any(c.type == "template_substitution" for c in node.children):
        return text(node)[1:-1]
    return None


def literal(node: Node, depth: int = 0) -> Literal:
    """The value of a constant (strings, numbers, booleans, arrays of those three levels deep), else None."""
    value = string_value(node)
    if value is not None:
        return value
    kind = node.type
    if kind in {"number", "int_literal", "decimal_integer_literal"}:
        try:
            number = int(text(node))
        except ValueError:
            return text(node)
        return number if number in INT_RANGE else None
    if kind in {"true", "false"}:
        return bool(kind == "true")
    if kind == "array" and depth < LITERAL_DEPTH:
        return tuple(literal(e, depth + 1) for e in named(node))  # type: ignore[misc]  # depth bounds the nesting
    return None
