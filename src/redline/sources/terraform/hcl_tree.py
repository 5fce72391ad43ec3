"""The walk of python-hcl2's Lark parse tree into ``Block`` facts and expression nodes (lines included).

Split from ``hcl.py`` so that python-hcl2 and Lark (~30 ms of imports) load only when a run reads HCL:
``hcl.parse_hcl`` imports this module the first time it is called.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from hcl2.api import parses_to_tree
from hcl2.utils import process_escape_sequences
from lark import Token, Tree

from redline.sources.terraform.hcl import HclSyntaxError, join_template, template_from_text
from redline.sources.terraform.syntax import (
    BinOp,
    Block,
    Call,
    Cond,
    ForExpr,
    GetAttr,
    Index,
    Opaque,
    Ref,
    Splat,
    UnOp,
)

_NL = "new_line_or_comment"


def convert(text: str) -> tuple[dict[str, Any], dict[str, int], tuple[Block, ...]]:
    """HCL text's top-level attributes (``name = value``), their lines, and its blocks."""
    return _Converter(text).body(_body_of(_parse(text)))


def _parse(text: str) -> Tree[Token]:
    try:
        return parses_to_tree(text)
    except RecursionError:
        raise HclSyntaxError("invalid HCL: nested too deeply") from None
    except Exception as exc:  # noqa: BLE001 - lark raises many types; all mean "not HCL"
        raise HclSyntaxError(_describe(exc)) from None


def _body_of(start: Tree[Token]) -> Tree[Token]:
    body = next((c for c in start.children if isinstance(c, Tree) and c.data == "body"), None)
    if body is None:
        raise HclSyntaxError("invalid HCL: no body")
    return body


def _describe(exc: Exception) -> str:
    line = getattr(exc, "line", None)
    col = getattr(exc, "column", None)
    kind = type(exc).__name__
    if isinstance(line, int) and line > 0:
        token = getattr(exc, "token", None)
        near = f" near {str(token)[:30]!r}" if token is not None else ""
        return f"invalid HCL at line {line}, column {col}{near} ({kind})"
    first = str(exc).strip().splitlines()[0][:160] if str(exc).strip() else kind
    return f"invalid HCL: {first}"


def _trees(node: Tree[Token]) -> list[Tree[Token]]:
    return [c for c in node.children if isinstance(c, Tree) and c.data != _NL]


def _name(node: Any) -> str:
    """identifier / keyword / literal_value used as a name, or a plain token."""
    if isinstance(node, Token):
        return str(node)
    tokens = [c for c in node.children if isinstance(c, Token)]
    return str(tokens[0]) if tokens else ""


class _Converter:
    def __init__(self, text: str) -> None:
        self.text = text

    def body(self, body: Tree[Token]) -> tuple[dict[str, Any], dict[str, int], tuple[Block, ...]]:
        attrs: dict[str, Any] = {}
        lines: dict[str, int] = {}
        blocks: list[Block] = []
        for child in body.children:
            if not isinstance(child, Tree):
                continue
            if child.data == "attribute":
                parts = _trees(child)
                name = _name(parts[0])
                attrs[name] = self.expr(parts[-1])
                lines[name] = _line(child)
            elif child.data == "block":
                blocks.append(self.block(child))
        return attrs, lines, tuple(blocks)

    def block(self, node: Tree[Token]) -> Block:
        parts = _trees(node)
        *label_nodes, body = parts
        labels = [self.label(n) for n in label_nodes]
        attrs, lines, blocks = self.body(body)
        start = _line(node)
        end = int(getattr(node.meta, "end_line", start) or start) if not node.meta.empty else start
        return Block(labels[0], tuple(labels[1:]), attrs, blocks, start, end, lines)

    def label(self, node: Tree[Token]) -> str:
        if node.data == "string":
            value = self.string(node)
            return value if isinstance(value, str) else self.source(node).strip('"')
        return _name(node)

    def source(self, node: Tree[Token]) -> str:
        meta = node.meta
        if meta.empty:
            return node.data
        return self.text[meta.start_pos : meta.end_pos]

    def opaque(self, node: Tree[Token]) -> Opaque:
        return Opaque(self.source(node))

    def expr(self, node: Any) -> Any:
        """The syntax node of an expression; a kind this module does not model stays ``Opaque`` source."""
        if isinstance(node, Token):
            return Opaque(str(node))
        convert = _EXPRESSIONS.get(node.data)
        return convert(self, node) if convert is not None else self.opaque(node)

    def expr_term(self, node: Tree[Token]) -> Any:
        inner = _trees(node)
        return self.expr(inner[0]) if len(inner) == 1 else self.opaque(node)

    def heredoc(self, node: Tree[Token]) -> Any:
        return template_from_text(_heredoc_body(_name(node)))

    def tuple_expr(self, node: Tree[Token]) -> list[Any]:
        return [self.expr(c) for c in _trees(node)]

    def object_expr(self, node: Tree[Token]) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for elem in _trees(node):
            if elem.data == "object_elem":
                key, value = self.object_elem(elem)
                out[key] = value
        return out

    def get_attr(self, node: Tree[Token]) -> Any:
        """``a.b``: a longer reference while the base is one, else an attribute of a computed value."""
        base_node, attr = _trees(node)
        base = self.expr(base_node)
        name = _name(_trees(attr)[-1]) if _trees(attr) else ""
        if not name:
            return self.opaque(node)
        return Ref((*base.parts, name)) if isinstance(base, Ref) else GetAttr(base, name)

    def index_term(self, node: Tree[Token]) -> Any:
        """``a[0]`` / ``a["k"]``: part of the reference, except a key on a resource (an instance, ``Index``)."""
        base_node, index_node = _trees(node)
        base = self.expr(base_node)
        index = self.index(index_node)
        if isinstance(base, Ref) and isinstance(index, int) and not isinstance(index, bool):
            return Ref((*base.parts, index))
        if isinstance(base, Ref) and isinstance(index, str) and not _is_resource_address(base):
            return Ref((*base.parts, index))
        return Index(base, index)

    def splat(self, node: Tree[Token]) -> Splat:
        base_node, splat = _trees(node)
        path: list[Any] = []
        for step in _trees(splat):
            if step.data == "get_attr":
                path.append(_name(_trees(step)[-1]))
            else:
                path.append(Index(None, self.index(step)))
        return Splat(self.expr(base_node), tuple(path), node.data == "full_splat_expr_term")

    def call(self, node: Tree[Token]) -> Any:
        """``f(a, b)`` / ``provider::ns::f(a)``; an expanded ``f(list...)`` stays opaque."""
        names = [_name(c) for c in _trees(node) if c.data == "identifier"]
        args = next((c for c in _trees(node) if c.data == "arguments"), None)
        if args is not None and any(isinstance(t, Token) and str(t) == "..." for t in args.children):
            return self.opaque(node)
        return Call("::".join(names), tuple(self.expr(a) for a in _trees(args)) if args is not None else ())

    def conditional(self, node: Tree[Token]) -> Any:
        parts = _trees(node)
        if len(parts) == 3:
            return Cond(self.expr(parts[0]), self.expr(parts[1]), self.expr(parts[2]))
        return self.opaque(node)

    def binary(self, node: Tree[Token]) -> Any:
        parts = _trees(node)
        if len(parts) == 2 and parts[1].data == "binary_term":
            op_node, right = _trees(parts[1])
            return BinOp(_name(op_node), self.expr(parts[0]), self.expr(right))
        return self.opaque(node)

    def unary(self, node: Tree[Token]) -> UnOp:
        op = next((str(t) for t in node.children if isinstance(t, Token)), "?")
        return UnOp(op, self.expr(_trees(node)[-1]))

    def for_expr(self, node: Tree[Token], is_object: bool) -> Any:
        intro, *rest = _trees(node)
        cond = next((c for c in rest if c.data == "for_cond"), None)
        exprs = [c for c in rest if c.data != "for_cond"]
        names = [_name(c) for c in _trees(intro) if c.data == "identifier"]
        collection = _trees(intro)[-1]
        if len(names) not in (1, 2) or len(exprs) != (2 if is_object else 1):
            return self.opaque(node)
        key_var, value_var = (names[0], names[1]) if len(names) == 2 else (None, names[0])
        group = any(isinstance(t, Token) and str(t) == "..." for t in node.children)
        return ForExpr(
            key_var,
            value_var,
            self.expr(collection),
            self.expr(exprs[0]) if is_object else None,
            self.expr(exprs[-1]),
            self.expr(_trees(cond)[-1]) if cond is not None else None,
            group,
            is_object,
        )

    def object_elem(self, elem: Tree[Token]) -> tuple[str, Any]:
        key_node, value_node = _trees(elem)[0], _trees(elem)[-1]
        key: Any = None
        if key_node.data == "object_elem_key":
            inner = _trees(key_node)
            target = inner[0] if inner else key_node
            while (
                target.data == "expr_term"
                and len(_trees(target)) == 1
                and not any(isinstance(t, Token) for t in target.children)
            ):
                target = _trees(target)[0]
            if target.data in ("identifier", "keyword", "literal_value", "int_lit", "float_lit"):
                key = _name(target)
            elif target.data == "string":
                key = self.string(target)
        if not isinstance(key, str):
            key = "${" + self.source(key_node) + "}"
        return key, self.expr(value_node)

    def index(self, node: Tree[Token]) -> Any:
        if node.data == "braces_index":
            inner = _trees(node)
            return self.expr(inner[0]) if inner else None
        if node.data == "short_index":
            digits = [str(t) for t in node.children if isinstance(t, Token) and str(t).isdigit()]
            return int(digits[0]) if digits else None
        return None

    def string(self, node: Tree[Token]) -> Any:
        parts: list[Any] = []
        for part in node.children:
            if isinstance(part, Token):
                continue  # the quotes
            content = part.children[0] if part.children else ""
            if isinstance(content, Token):
                parts.append(_literal(content))
            elif isinstance(content, Tree) and content.data == "interpolation":
                parts.append(self.expr(_trees(content)[0]))
            else:  # %{ if } / %{ for } directives: not evaluated
                return self.opaque(node)
        return join_template(parts)


#: how each Lark expression kind becomes a syntax node (``_Converter.expr`` dispatches on the node kind)
_EXPRESSIONS: dict[str, Callable[[_Converter, Tree[Token]], Any]] = {
    "expr_term": _Converter.expr_term,
    "int_lit": lambda _c, node: int(_name(node)),
    "float_lit": lambda _c, node: float(_name(node)),
    "literal_value": lambda _c, node: {"true": True, "false": False, "null": None}.get(_name(node)),
    "identifier": lambda _c, node: Ref((_name(node),)),
    "keyword": lambda _c, node: Ref((_name(node),)),
    "string": _Converter.string,
    "heredoc_template": _Converter.heredoc,
    "heredoc_template_trim": _Converter.heredoc,
    "tuple": _Converter.tuple_expr,
    "object": _Converter.object_expr,
    "get_attr_expr_term": _Converter.get_attr,
    "index_expr_term": _Converter.index_term,
    "full_splat_expr_term": _Converter.splat,
    "attr_splat_expr_term": _Converter.splat,
    "for_tuple_expr": lambda c, node: c.for_expr(node, False),
    "for_object_expr": lambda c, node: c.for_expr(node, True),
    "function_call": _Converter.call,
    "conditional": _Converter.conditional,
    "binary_op": _Converter.binary,
    "unary_op": _Converter.unary,
}


_NAMESPACES = frozenset({"var", "local", "module", "path", "each", "count", "self", "terraform"})


def _is_resource_address(ref: Ref) -> bool:
    """``aws_s3_bucket.b`` / ``data.x.y``: a following ``["key"]`` picks an instance, not an attribute."""
    head = ref.parts[0]
    if head == "data":
        return len(ref.parts) == 3
    return len(ref.parts) == 2 and isinstance(head, str) and head not in _NAMESPACES and "_" in head


def _literal(token: Token) -> str:
    text = str(token)
    if token.type in ("ESCAPED_INTERPOLATION", "ESCAPED_DIRECTIVE"):
        return text[1:]
    return process_escape_sequences(text)


def _line(node: Tree[Token]) -> int:
    return 0 if node.meta.empty else int(node.meta.line)


_HEREDOC = re.compile(r"^<<(-?)([A-Za-z][A-Za-z0-9._-]*)\r?\n(.*?)(?:\r?\n)?[ \t]*\2\s*$", re.S)


def _heredoc_body(token: str) -> str:
    """The text of ``<<EOT``/``<<-EOT`` heredocs (``<<-`` strips the common indentation)."""
    m = _HEREDOC.match(token)
    if not m:
        return token
    body = m.group(3)
    if m.group(1):
        lines = body.split("\n")
        indents = [len(ln) - len(ln.lstrip()) for ln in lines if ln.strip()]
        cut = min(indents) if indents else 0
        body = "\n".join(ln[cut:] for ln in lines)
    return body + "\n"
