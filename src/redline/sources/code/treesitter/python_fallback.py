"""Python newer than the running interpreter: tree-sitter-python reads the module, and the few constructs
3.11's ``ast`` does not know are rewritten in place into their 3.11 equivalent for indexing, line for line,
so every ast-based reader (code index, data flow, rules) sees the same module with the same line numbers:

- ``type Alias[T] = value`` (PEP 695) becomes ``Alias = value``;
- type parameter lists of ``def f[T](...)`` / ``class C[T](...)`` (PEP 695) are dropped;
- ``except A, B:`` (PEP 758) gets its parentheses;
- f-strings that only 3.12 reads (PEP 701: the outer quote reused inside, backslashes, comments) are
  re-quoted with triple quotes, the strings inside them re-quoted with the other quote character.

What cannot be carried over (a nested string holding both quote characters or a backslash) becomes
``None``: the expression's names, calls and request reads stay, one literal is lost."""

from __future__ import annotations

import ast
import warnings
from typing import Any

from redline.sources.code.treesitter.nodes import walk
from redline.sources.code.treesitter.parser import first_error, parser

_QUOTES = (b'"', b"'")


class FallbackError(ValueError):
    """Neither the interpreter nor tree-sitter-python can read the module; the message says why."""


def rewrite_newer_syntax(source: str) -> str:
    """The module rewritten into syntax this interpreter's ``ast`` parses (same lines)."""
    data = source.encode("utf-8", "surrogateescape")
    tree = parser("python").parse(data)
    line = first_error(tree.root_node)
    if line is not None:
        raise FallbackError(f"tree-sitter-python finds a syntax error at line {line} too")
    edits: list[tuple[int, int, bytes]] = []
    stack: list[Any] = [tree.root_node]
    while stack:
        node = stack.pop()
        if node.type == "type_alias_statement":
            edits.extend(_type_alias(node, data))
            continue
        if node.type == "except_clause" and any(c.type == "," for c in node.children):
            edits.extend(_except_group(node))
        if node.type in {"function_definition", "class_definition"}:
            params = node.child_by_field_name("type_parameters")
            if params is not None:
                edits.append((params.start_byte, params.end_byte, b""))
        if node.type == "string" and _is_fstring(node, data) and not _parses(data[node.start_byte : node.end_byte]):
            try:
                edits.append((node.start_byte, node.end_byte, _fstring(node, data)))
            except RecursionError:
                raise FallbackError("an f-string nested too deeply to rewrite") from None
            continue
        stack.extend(node.children)
    out = bytearray(data)
    for start, end, text in sorted(edits, reverse=True):
        out[start:end] = text
    return out.decode("utf-8", "surrogateescape")


def _parses(text: bytes) -> bool:
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            ast.parse(b"(" + text + b"\n)", mode="eval")
    except (SyntaxError, ValueError):
        return False
    return True


def _is_fstring(node: Any, data: bytes) -> bool:
    start = node.children[0] if node.children else None
    return (
        start is not None and start.type == "string_start" and b"f" in data[start.start_byte : start.end_byte].lower()
    )


def _type_alias(node: Any, data: bytes) -> list[tuple[int, int, bytes]]:
    """``type Name[T] = value`` -> ``Name = value``: the keyword and the parameters go."""
    equals = next((c for c in node.children if c.type == "="), None)
    names = [n for n in walk(node.children[1]) if n.type == "identifier"] if len(node.children) > 1 else []
    if equals is None or not names:
        raise FallbackError(f"a type alias at line {node.start_point[0] + 1} redline cannot read")
    name = data[names[0].start_byte : names[0].end_byte]
    return [(node.start_byte, equals.start_byte, name + b" ")]


def _except_group(node: Any) -> list[tuple[int, int, bytes]]:
    """``except A, B:`` (PEP 758, 3.14) -> ``except (A, B):``."""
    types = [c for c in node.children if c.is_named and c.type not in {"block", "comment"}]
    if not types:
        return []
    return [(types[0].start_byte, types[0].start_byte, b"("), (types[-1].end_byte, types[-1].end_byte, b")")]


def _fstring(node: Any, data: bytes) -> bytes:
    """A top-level f-string in triple quotes; what is inside its replacement fields uses the other quote."""
    start = node.children[0]
    prefix = bytes(c for c in data[start.start_byte : start.end_byte] if c not in b"\"'")
    literal = b"".join(data[c.start_byte : c.end_byte] for c in node.children if c.type == "string_content")
    for quote in _QUOTES:
        if quote * 3 not in literal and not literal.endswith(quote) and b"\\" + quote not in literal:
            inner = _QUOTES[1] if quote == _QUOTES[0] else _QUOTES[0]
            body = b"".join(_piece(c, data, inner) for c in node.children[1:-1])
            return prefix + quote * 3 + body + quote * 3
    raise FallbackError(f"an f-string at line {node.start_point[0] + 1} redline cannot rewrite")


def _piece(node: Any, data: bytes, quote: bytes | None) -> bytes:
    if node.type != "interpolation":
        return data[node.start_byte : node.end_byte]
    return _splice(node, data, quote)


def _splice(node: Any, data: bytes, quote: bytes | None) -> bytes:
    """The node's text with comments dropped and nested strings re-quoted with ``quote`` (None: none left)."""
    pieces: list[bytes] = []
    pos = node.start_byte
    for child in node.children:
        if child.type == "comment":
            replacement = b""
        elif child.type == "line_continuation":
            replacement = b" "
        elif child.type == "string":
            replacement = _nested_string(child, data, quote)
        elif child.child_count:
            replacement = _splice(child, data, quote)
        else:
            continue
        pieces += [data[pos : child.start_byte], replacement]
        pos = child.end_byte
    pieces.append(data[pos : node.end_byte])
    return b"".join(pieces)


def _nested_string(node: Any, data: bytes, quote: bytes | None) -> bytes:
    start = node.children[0]
    prefix = bytes(c for c in data[start.start_byte : start.end_byte] if c not in b"\"'")
    content = [c for c in node.children[1:-1]]
    plain = b"".join(data[c.start_byte : c.end_byte] for c in content if c.type == "string_content")
    text = data[node.start_byte : node.end_byte]
    if quote is None or b"\\" in text or quote in plain or b"\n" in plain:
        return b"None"
    if b"f" in prefix.lower():  # a nested f-string: its own fields have no quote character left
        return prefix + quote + b"".join(_piece(c, data, None) for c in content) + quote
    return prefix + quote + plain + quote
