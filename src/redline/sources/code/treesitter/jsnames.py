"""JavaScript/TypeScript names: dotted text of an expression, what an import binds, module identity."""

from __future__ import annotations

import posixpath

from redline.sources.code.treesitter.nodes import Node, named, string_value, text

_MEMBER = {"member_expression", "subscript_expression", "non_null_expression", "parenthesized_expression"}
_THROUGH = {"call_expression", "new_expression", "await_expression", *_MEMBER}
_NAMES = {"identifier", "this", "property_identifier", "type_identifier", "shorthand_property_identifier"}
_EXTENSIONS = (".d.ts", ".tsx", ".ts", ".jsx", ".mjs", ".cjs", ".js", ".mts", ".cts")


def module_id(path: str) -> str:
    """``src/routes/users.js`` and ``src/routes/users/index.ts`` -> ``src/routes/users``."""
    for ext in _EXTENSIONS:
        if path.endswith(ext):
            path = path[: -len(ext)]
            break
    return path.removesuffix("/index")


def import_target(importer: str, spec: str) -> str:
    """What ``require(spec)``/``from spec`` names: a package as written, a relative file by its module id."""
    if not spec.startswith("."):
        return spec
    return module_id(posixpath.normpath(posixpath.join(posixpath.dirname(importer), spec)))


def dotted(node: Node) -> str | None:
    """``a.b.c`` / ``this.x`` as written, None when the expression is not a plain dotted name."""
    parts: list[str] = []
    while node.type in {"member_expression", "non_null_expression"}:
        if node.type == "member_expression":
            prop = node.child_by_field_name("property")
            if prop is None:
                return None
            parts.append(text(prop))
            node = node.child_by_field_name("object")
        else:
            node = named(node)[0] if named(node) else None
        if node is None:
            return None
    if node.type in _NAMES:
        return ".".join([text(node), *reversed(parts)])
    return None


def chain(node: Node) -> tuple[list[str], Node | None]:
    """``router.route('/x').get`` -> (["router", "route", "get"], the root node); calls, awaits and
    subscripts are looked through; the root is what the chain starts at (a name or a ``require(...)``)."""
    parts: list[str] = []
    while node is not None and node.type in _THROUGH:
        if node.type == "member_expression":
            prop = node.child_by_field_name("property")
            parts.append(text(prop) if prop is not None else "")
            node = node.child_by_field_name("object")
        elif node.type in {"call_expression", "new_expression"}:
            if require_spec(node) is not None:
                return parts[::-1], node
            node = node.child_by_field_name("function") or node.child_by_field_name("constructor")
        elif node.type == "subscript_expression":
            node = node.child_by_field_name("object")
        else:
            inner = named(node)
            node = inner[-1] if inner else None
    if node is not None and node.type in _NAMES:
        return [text(node), *reversed(parts)], node
    return parts[::-1], None


def require_spec(node: Node) -> str | None:
    """The module of ``require("m")``, else None."""
    if node.type != "call_expression":
        return None
    function = node.child_by_field_name("function")
    args = node.child_by_field_name("arguments")
    if function is None or args is None or text(function) != "require":
        return None
    first = named(args)
    return string_value(first[0]) if first else None
