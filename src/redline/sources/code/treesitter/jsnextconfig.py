"""The paths a Next.js middleware runs on: ``export const config = { matcher: … }`` read exactly (the general
object rendering joins list items with commas, which a matcher's regex may hold)."""

from __future__ import annotations

from redline.sources.code.model import Assignment
from redline.sources.code.treesitter.nodes import Node, line, named, string_value, text

#: what a matcher entry that is no plain path pattern is recorded as: an object with ``has``/``missing``
#: conditions (a caller chooses whether they hold, so the middleware may not run), or an expression
UNRELIABLE = "?"


def matcher(config: Node) -> Assignment | None:
    """``config.matcher`` -> its patterns in order, for a module-level ``config`` object literal with one (one
    UNRELIABLE entry when the object may hold a matcher this cannot read: ``{ matcher }``, ``{ ...base }``)."""
    for member in named(config):
        shorthand = member.type == "shorthand_property_identifier" and text(member) == "matcher"
        if member.type == "spread_element" or shorthand:
            return Assignment("config.matcher", line(member), (UNRELIABLE,))
    for pair in (p for p in named(config) if p.type == "pair"):
        key = pair.child_by_field_name("key")
        value = pair.child_by_field_name("value")
        if key is None or value is None or (string_value(key) or text(key)) != "matcher":
            continue
        items = named(value) if value.type == "array" else [value]
        return Assignment("config.matcher", line(pair), tuple(_pattern(i) for i in items))
    return None


_ESCAPES = {"n": "\n", "r": "\r", "t": "\t", "b": "\b", "f": "\f", "v": "\v", "0": "\0"}


def unescaped(raw: str) -> str:
    """A JavaScript string literal's value from its text between the quotes (``"favicon\\\\.ico"`` is
    ``favicon\\.ico``; an unneeded escape such as ``\\.`` is the character itself)."""
    out: list[str] = []
    chars = iter(raw)
    for char in chars:
        if char == "\\":
            following = next(chars, "")
            out.append(_ESCAPES.get(following, following))
        else:
            out.append(char)
    return "".join(out)


def _string(node: Node) -> str | None:
    value = string_value(node)
    return unescaped(value) if value is not None else None


def _pattern(node: Node) -> str:
    """A string as written; ``{ source: "/api/:path*" }`` without conditions as its source; else UNRELIABLE."""
    value = _string(node)
    if value is not None:
        return value
    if node.type != "object":
        return UNRELIABLE
    source = UNRELIABLE
    for pair in named(node):
        key = pair.child_by_field_name("key") if pair.type == "pair" else None
        value_node = pair.child_by_field_name("value") if pair.type == "pair" else None
        name = (string_value(key) or text(key)) if key is not None else ""
        if name in {"has", "missing"} or key is None or value_node is None:
            return UNRELIABLE
        if name == "source":
            source = _string(value_node) or UNRELIABLE
    return source
