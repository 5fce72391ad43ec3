"""Loop scopes for the tree-sitter walkers (JavaScript/TypeScript, Go): which loop a node runs in, the
names a call reads, and whether a loop's body leaves it early. The walk visits parents before children, so
a loop is registered before anything in its body asks for it."""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace

from redline.sources.code.model import Loop
from redline.sources.code.treesitter.nodes import Node, named, text

_MAX_ITEMS = 64


def node_key(node: Node) -> tuple[int, int, str]:
    return (node.start_byte, node.end_byte, node.type)


@dataclass(frozen=True)
class Grammar:
    """What the scope walk needs to know of a language's node types."""

    functions: frozenset[str]
    #: statements a ``break`` leaves instead of the loop (``switch``, Go ``select``)
    breakable: frozenset[str]
    catches: frozenset[str]
    ifs: frozenset[str]
    names: frozenset[str]  # identifier node types a read is made of
    skip_reads: frozenset[str]  # the field/property side of a member or selector expression
    #: a ``return`` that reports a failure (``return nil, err``, ``return res.status(404)...``): validation,
    #: not a search that stops at its hit
    error_return: re.Pattern[str] = re.compile(r"\berr\b")
    #: an ``if`` condition that tests for a failure (``err != nil``, ``if (err)``); ``err == nil`` is success
    error_condition: re.Pattern[str] = re.compile(r"\berr\s*!=\s*nil")


@dataclass
class LoopScopes:
    """Body nodes (a loop statement's block, an iteration callback) -> the loop they run once per item."""

    grammar: Grammar
    bodies: dict[tuple[int, int, str], int] = field(default_factory=dict)
    callbacks: set[int] = field(default_factory=set)
    exits: set[int] = field(default_factory=set)

    def add(self, body: Node | None, index: int, *, callback: bool = False) -> None:
        if body is not None:
            self.bodies[node_key(body)] = index
        if callback:
            self.callbacks.add(index)

    def innermost(self, node: Node) -> int:
        """The loop whose body ``node`` runs in, not crossing a function that is not an iteration callback."""
        current = node.parent
        while current is not None:
            found = self.bodies.get(node_key(current))
            if found is not None:
                return found
            if current.type in self.grammar.functions:
                return -1
            current = current.parent
        return -1

    def see_exit(self, node: Node, loops: list[Loop]) -> None:
        """A ``break`` leaves the innermost loop (not a ``switch``); a ``return`` every loop of its function.
        An error path (a ``catch`` block, ``if err != nil``) is not a search that stops at its hit."""
        if _error_path(node, self.grammar):
            return
        current = node.parent
        while current is not None:
            if node.type.startswith("break") and current.type in self.grammar.breakable:
                return
            found = self.bodies.get(node_key(current))
            if found is not None:
                if found in self.callbacks:
                    return  # a return in a callback ends that item only
                self.exits.add(found)
                if node.type.startswith("break"):
                    return
            if current.type in self.grammar.functions:
                return
            current = current.parent

    def finish(self, loops: list[Loop]) -> list[Loop]:
        return [replace(lp, exits=lp.exits or i in self.exits) for i, lp in enumerate(loops)]


def _error_path(node: Node, grammar: Grammar) -> bool:
    if node.type.startswith("return") and grammar.error_return.search(text(node)):
        return True
    current = node.parent
    while current is not None and current.type not in grammar.functions:
        if current.type in grammar.catches:
            return True
        if current.type in grammar.ifs:
            condition = current.child_by_field_name("condition")
            if condition is not None and grammar.error_condition.search(text(condition)):
                return True
        current = current.parent
    return False


def reads(roots: list[Node], grammar: Grammar) -> tuple[str, ...]:
    """The local names the given expressions read, first-seen order (property names left out)."""
    found: dict[str, None] = {}
    stack = list(reversed(roots))
    while stack:
        current = stack.pop()
        if current.type in grammar.names:
            found[text(current)] = None
            continue
        children = current.children
        if current.type in grammar.skip_reads:
            children = [c for c in children if c.type not in {"property_identifier", "field_identifier"}]
        stack.extend(reversed(children))
    return tuple(found)[:_MAX_ITEMS]


def bound(pattern: Node | None, names: frozenset[str]) -> tuple[str, ...]:
    """The identifiers a binding pattern introduces (``{a, b: c}``, ``[i, x]``, ``k, v``), ``_`` dropped."""
    if pattern is None:
        return ()
    found: list[str] = []
    stack = [pattern]
    while stack:
        current = stack.pop()
        if current.type in names or current.type == "shorthand_property_identifier_pattern":
            if text(current) != "_":
                found.append(text(current))
            continue
        if current.type == "pair_pattern":  # ``{key: alias}`` binds the alias
            value = current.child_by_field_name("value")
            stack.extend([value] if value is not None else [])
            continue
        stack.extend(reversed(named(current)))
    return tuple(found)[:_MAX_ITEMS]
