"""Go loop facts: ``for k, v := range xs``, ``for i := 0; i < n; i++`` and condition-only ``for`` loops
(kept as ``while``), with the names each iteration binds and what is iterated."""

from __future__ import annotations

import re
from dataclasses import replace

from redline.sources.code.model import Loop
from redline.sources.code.treesitter.loopscope import Grammar, LoopScopes, bound
from redline.sources.code.treesitter.nodes import Node, end_line, line, named, text

GO_GRAMMAR = Grammar(
    functions=frozenset({"function_declaration", "method_declaration", "func_literal"}),
    breakable=frozenset({"expression_switch_statement", "type_switch_statement", "select_statement"}),
    catches=frozenset(),
    ifs=frozenset({"if_statement"}),
    names=frozenset({"identifier"}),
    skip_reads=frozenset(),
    error_return=re.compile(r"\b(err|Err\w*|errors\.\w+|fmt\.Errorf)\b"),
    error_condition=re.compile(r"\b\w*[eE]rr\w*\s*!=\s*nil|errors\.(Is|As)\("),
)
_BINDS = frozenset({"identifier"})


def go_loop(node: Node, scope: str, scopes: LoopScopes, loops: list[Loop]) -> None:
    """Register a ``for`` statement (its body runs once per item)."""
    parent = scopes.innermost(node)
    clause = next((c for c in named(node) if c.type in {"range_clause", "for_clause"}), None)
    at, end = line(node), end_line(node)
    if clause is not None and clause.type == "range_clause":
        right = clause.child_by_field_name("right")
        loop = Loop(
            "for", at, scope, end, bound(clause.child_by_field_name("left"), _BINDS), _chain_text(right),
            parent=parent, iter_size=_size(right),
        )  # fmt: skip
    elif clause is not None:
        init = clause.child_by_field_name("initializer")
        left = init.child_by_field_name("left") if init is not None else None
        loop = Loop("for", at, scope, end, bound(left, _BINDS), parent=parent, iter_size=_counted_size(clause))
    else:
        loop = Loop("while", at, scope, end, parent=parent)
    scopes.add(node.child_by_field_name("body"), len(loops))
    loops.append(loop)


def mark_receives(loops: list[Loop], root: Node) -> list[Loop]:
    """``for m := range ch`` over a channel of this file (``make(chan T)``, ``var ch chan T``, a ``chan``
    parameter) is a consumer loop: it waits for each message as it comes, so a call per message is the
    work, not a round trip per item of data the caller already holds."""
    if b"chan" not in (root.text or b""):
        return loops
    channels = _channel_names(root)
    return [replace(x, kind="receive") if x.kind == "for" and x.iter in channels else x for x in loops]


def _channel_names(root: Node) -> frozenset[str]:
    names: set[str] = set()
    stack = [root]
    while stack:
        node = stack.pop()
        kind = node.type
        if kind in {"parameter_declaration", "var_spec", "field_declaration"}:
            typed = node.child_by_field_name("type")
            value = node.child_by_field_name("value")
            if (typed is not None and typed.type == "channel_type") or (value is not None and _makes_channel(value)):
                names.update(text(n) for n in node.children_by_field_name("name"))
        elif kind in {"short_var_declaration", "assignment_statement"}:
            left, right = node.child_by_field_name("left"), node.child_by_field_name("right")
            if left is not None and right is not None and _makes_channel(right):
                names.update(text(n) for n in named(left) if n.type == "identifier")
        stack.extend(named(node))
    return frozenset(names)


def _makes_channel(values: Node) -> bool:
    """``make(chan T, n)`` (alone or first of an expression list)."""
    value = named(values)[0] if values.type == "expression_list" and named(values) else values
    if value.type != "call_expression" or text(value.child_by_field_name("function") or value) != "make":
        return False
    args = value.child_by_field_name("arguments")
    first = named(args)[0] if args is not None and named(args) else None
    return first is not None and first.type == "channel_type"


def _chain_text(node: Node | None) -> str:
    parts: list[str] = []
    while node is not None:
        if node.type == "selector_expression":
            field = node.child_by_field_name("field")
            parts.append(text(field) if field is not None else "")
            node = node.child_by_field_name("operand")
        elif node.type in {"call_expression", "parenthesized_expression", "unary_expression"}:
            node = node.child_by_field_name("function") or node.child_by_field_name("operand") or named(node)[0]
        elif node.type == "identifier":
            parts.append(text(node))
            return ".".join(reversed(parts))
        else:
            return ""
    return ""


def _size(node: Node | None) -> int:
    """``[]string{"a", "b"}`` -> 2, ``range 3`` -> 3; -1 when the data decides."""
    if node is None:
        return -1
    if node.type == "int_literal" and text(node).isdigit():
        return int(text(node))
    if node.type == "composite_literal":
        body = node.child_by_field_name("body")
        return len(named(body)) if body is not None else -1
    return -1


def _counted_size(clause: Node) -> int:
    """``for i := 0; i < 3; i++`` -> 3."""
    condition = clause.child_by_field_name("condition")
    init = clause.child_by_field_name("initializer")
    start = init.child_by_field_name("right") if init is not None else None
    if condition is None or condition.type != "binary_expression" or start is None or text(start) != "0":
        return -1
    right = condition.child_by_field_name("right")
    return int(text(right)) if right is not None and right.type == "int_literal" and text(right).isdigit() else -1
