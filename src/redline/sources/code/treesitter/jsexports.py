"""The names an ES module exports under another binding, recorded as ``exports.<name>`` assignments (the
CommonJS ``exports.x = y`` convention the index already has): ``export { handler as GET }`` (the local name),
``export { POST } from "../route"`` (the module's name, dotted as imports are), ``export const GET = handler``
(an alias). What a framework reading exported names by convention needs: Next.js route handlers."""

from __future__ import annotations

from collections.abc import Iterator

from redline.sources.code.model import Assignment
from redline.sources.code.treesitter.jsnames import dotted
from redline.sources.code.treesitter.nodes import Node, line, named, string_value, text


def named_exports(node: Node) -> Iterator[Assignment]:
    """The ``exports.<name>`` bindings of an ``export`` statement that is not ``export default``."""
    source = node.child_by_field_name("source")
    module = string_value(source) if source is not None else None
    for child in named(node):
        if child.type == "export_clause":
            yield from _clause(child, module)
        elif child.type == "lexical_declaration" and module is None:
            yield from _aliases(child)


def _clause(clause: Node, module: str | None) -> Iterator[Assignment]:
    for spec in named(clause):
        if spec.type != "export_specifier":
            continue
        name = spec.child_by_field_name("name")
        alias = spec.child_by_field_name("alias")
        if name is None:
            continue
        local = text(name)
        value = f"{module}.{local}" if module else local
        yield Assignment(f"exports.{text(alias) if alias is not None else local}", line(spec), (value,))


def _aliases(declaration: Node) -> Iterator[Assignment]:
    """``export const GET = handler``: a name bound to another name (a call or function is indexed as such)."""
    for declarator in named(declaration):
        name = declarator.child_by_field_name("name")
        value = declarator.child_by_field_name("value")
        if name is None or value is None or name.type != "identifier":
            continue
        if value.type in {"identifier", "member_expression"} and (target := dotted(value)):
            yield Assignment(f"exports.{text(name)}", line(declarator), (target,))
