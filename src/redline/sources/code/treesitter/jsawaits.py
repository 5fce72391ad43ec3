"""Await statements of a JavaScript/TypeScript module: for each call awaited as a whole statement (``await
f()``, ``const x = await f()``, ``const { a } = await f()``, ``x = await f()``, ``return await f()``), the
statement list it is in, its position there and the names the statement binds. What serial awaits are judged
on: consecutive statements of one list whose calls do not read what an earlier one bound."""

from __future__ import annotations

from dataclasses import dataclass, field

from redline.sources.code.treesitter.jsflow import bound_names
from redline.sources.code.treesitter.loopscope import node_key
from redline.sources.code.treesitter.nodes import TS_WRAPPERS, Node, named

#: nodes whose children are a statement list
BLOCKS = frozenset({"statement_block", "program", "switch_case", "switch_default", "class_static_block"})
#: wrappers an awaited value is looked through (``await f() as User``, ``(await f())!``)
_MEMBERS = frozenset({"member_expression", "subscript_expression"})
_DECLARATIONS = frozenset({"lexical_declaration", "variable_declaration"})


@dataclass(frozen=True)
class AwaitStatement:
    block: int  # a number unique in the module for the statement list
    position: int  # the statement's position in that list (comments not counted)
    binds: tuple[str, ...]  # the local names the statement binds (``x`` of ``x = await f()`` included)


@dataclass
class AwaitStatements:
    """Filled as the walk meets each statement list (parents come before children), read for each call."""

    blocks: int = 0
    found: dict[tuple[int, int, str], AwaitStatement] = field(default_factory=dict)

    def see(self, node: Node) -> None:
        """Number a statement list and remember the calls awaited as one of its statements."""
        if node.type not in BLOCKS:
            return
        self.blocks += 1
        for position, stmt in enumerate(_statements(node)):
            made = awaited_call(stmt)
            if made is not None:
                call, binds = made
                self.found[node_key(call)] = AwaitStatement(self.blocks, position, binds)

    def of(self, call: Node) -> AwaitStatement | None:
        return self.found.get(node_key(call))


def _statements(node: Node) -> list[Node]:
    if node.type in {"switch_case", "switch_default"}:
        return [c for c in node.children_by_field_name("body") if c.type != "comment"]
    return named(node)


def awaited_call(stmt: Node) -> tuple[Node, tuple[str, ...]] | None:
    """(the awaited call, the names bound) when the statement is one awaited call, else None."""
    value: Node | None = None
    binds: tuple[str, ...] = ()
    if stmt.type in {"expression_statement", "return_statement"}:
        inner = named(stmt)
        value = inner[0] if len(inner) == 1 else None
        if value is not None and value.type == "assignment_expression":
            left = value.child_by_field_name("left")
            binds = tuple(bound_names(left)) if left is not None and left.type != "member_expression" else ()
            value = value.child_by_field_name("right")
    elif stmt.type in _DECLARATIONS:
        declarators = [c for c in named(stmt) if c.type == "variable_declarator"]
        if len(declarators) != 1:
            return None
        pattern = declarators[0].child_by_field_name("name")
        value = declarators[0].child_by_field_name("value")
        binds = tuple(bound_names(pattern)) if pattern is not None else ()
    call = _await_target(value) if value is not None else None
    return (call, binds) if call is not None else None


def _await_target(value: Node) -> Node | None:
    """The call of ``await call``, ``(await call).data``, ``await call as T``; None when the value is no await."""
    node: Node | None = value
    while node is not None and node.type != "await_expression":
        if node.type in _MEMBERS:
            node = node.child_by_field_name("object")
        elif node.type in TS_WRAPPERS:
            node = _inner(node)
        else:
            return None
    inner = _inner(node) if node is not None else None
    while inner is not None and inner.type in TS_WRAPPERS:
        inner = _inner(inner)
    return inner if inner is not None and inner.type in {"call_expression", "new_expression"} else None


def _inner(node: Node) -> Node | None:
    inner = named(node)
    return inner[0] if inner else None
