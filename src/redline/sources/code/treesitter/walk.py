"""What every tree-sitter language walker shares: the facts it collects, the depth-first walk that hands
each node its enclosing scope, and the CodeIndex it ends with. A language supplies only ``_visit``."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from redline.sources.code.model import Assignment, CallSite, CodeIndex, Composite, Definition, Loop, StringFact, Tainted
from redline.sources.code.treesitter.nodes import Node, text


@dataclass
class RequestFlow:
    """One function's request data flow: the names that hold the request, and each local holding request
    data with (its source, the names it came through)."""

    request_names: set[str] = field(default_factory=set)
    tainted: dict[str, tuple[str, tuple[str, ...]]] = field(default_factory=dict)


def request_taint(
    node: Node, flow: RequestFlow, source: Callable[[Node, RequestFlow], str | None], nested_function: str
) -> tuple[str, tuple[str, ...]] | None:
    """The request data an expression carries: (source, names it came through), else None. A read of the
    request (``source``) or a tainted local anywhere inside it, not looking into nested functions."""
    if not flow.request_names and not flow.tainted:
        return None
    stack = [node]
    while stack:
        current = stack.pop()
        if current.type == nested_function:
            continue
        read = source(current, flow)
        if read is not None:
            return read, ()
        if current.type == "identifier" and (hit := flow.tainted.get(text(current))):
            return hit[0], (text(current), *hit[1])
        held = current.child_by_field_name(_LOOKED_UP[current.type]) if current.type in _LOOKED_UP else None
        stack.extend([held] if held is not None else reversed(current.children))
    return None


#: a Go lookup by key or position -> the field holding the collection: ``providers[id]`` is a value the server
#: holds, chosen by the caller but not written by them (semaphore's ``util.Config.OidcProviders[id]``), so
#: only the collection itself carries request data into it (``mux.Vars(r)["name"]``, ``parts[0]``)
_LOOKED_UP = {"index_expression": "operand"}


@dataclass
class TreeWalk:
    path: str
    language: str
    imports: dict[str, str] = field(default_factory=dict)
    definitions: list[Definition] = field(default_factory=list)
    calls: list[CallSite] = field(default_factory=list)
    strings: list[StringFact] = field(default_factory=list)
    loops: list[Loop] = field(default_factory=list)
    tainted: list[Tainted] = field(default_factory=list)
    writes: list[tuple[str, str, int]] = field(default_factory=list)

    def _visit(self, node: Node, scope: str) -> str:
        """Record what this node says; return the scope its children are in."""
        raise NotImplementedError

    def walk(self, root: Node) -> None:
        """Every node, parents before children in source order (iterative: deep trees exceed recursion)."""
        stack: list[tuple[Node, str]] = [(root, "")]
        while stack:
            node, scope = stack.pop()
            inner = self._visit(node, scope)
            stack.extend((child, inner) for child in reversed(node.children))

    def index(self, assignments: tuple[Assignment, ...] = (), composites: tuple[Composite, ...] = ()) -> CodeIndex:
        return CodeIndex(
            path=self.path,
            language=self.language,
            imports=tuple(sorted(self.imports.items())),
            definitions=tuple(self.definitions),
            calls=tuple(sorted(self.calls, key=lambda c: (c.line, c.raw))),
            strings=tuple(self.strings),
            loops=tuple(self.loops),
            tainted=tuple(self.tainted),
            assignments=assignments,
            parser="tree-sitter",
            writes=tuple(self.writes),
            composites=composites,
        )
