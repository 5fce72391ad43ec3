"""The names an ES module exports under another binding, recorded as ``exports.<name>`` assignments (the
CommonJS ``exports.x = y`` convention the index already has): ``export { handler as GET }`` (the local name),
``export { POST } from "../route"`` (the module's name, dotted as imports are), ``export const GET = handler``
(an alias), ``export const { GET, POST } = handlers`` (members). What a framework reading exported names by
convention needs: Next.js route handlers."""

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
    """``export const GET = handler``: a name bound to another name (a call or function is indexed as such);
    ``export const { GET, POST } = handlers``: each name bound to that member (NextAuth v5's route file)."""
    for declarator in named(declaration):
        name = declarator.child_by_field_name("name")
        value = declarator.child_by_field_name("value")
        if name is None or value is None or value.type not in {"identifier", "member_expression"}:
            continue
        target = dotted(value)
        if not target:
            continue
        if name.type == "identifier":
            yield Assignment(f"exports.{text(name)}", line(declarator), (target,))
        elif name.type == "object_pattern":
            yield from _members(name, target)


def _members(pattern: Node, target: str) -> Iterator[Assignment]:
    for part in named(pattern):
        if part.type == "shorthand_property_identifier_pattern":
            yield Assignment(f"exports.{text(part)}", line(part), (f"{target}.{text(part)}",))
        elif part.type == "pair_pattern":
            key, alias = part.child_by_field_name("key"), part.child_by_field_name("value")
            if key is not None and alias is not None and alias.type == "identifier":
                yield Assignment(f"exports.{text(alias)}", line(part), (f"{target}.{text(key)}",))
