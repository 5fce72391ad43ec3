"""A handler that refuses the request unless a value the caller sent equals a secret from the environment:
``if (req.headers.authorization !== `Bearer ${process.env.INTERNAL_API_KEY}`) return res.status(401)…``,
``if (token !== process.env.CRON_SECRET) return …``, ``if (!timingSafeEqual(a, Buffer.from(env.KEY))) throw …``.

Kept only where the check guards the whole function: an ``if`` among the function's own statements (not inside
another branch or loop) whose condition is the mismatch alone or joined by ``||`` (``&&`` would make it apply only
sometimes), and whose branch returns or throws. The environment value must name a secret (``KEY``, ``SECRET``,
``TOKEN``…) and not be one a bundler ships to the browser (``NEXT_PUBLIC_…``); the other side must carry request
data. A comparison with a literal, or between two request values, is no shared secret."""

from __future__ import annotations

import re

from redline.core.secret_names import secret_name
from redline.sources.code.treesitter.jsflow import JsFlow, expr_taint
from redline.sources.code.treesitter.jsnames import chain, dotted
from redline.sources.code.treesitter.nodes import Node, named, string_value, text

#: last words that make a name the shared secret when the request's value must equal it (``CRON_KEY``,
#: ``BASIC_AUTH``): in that comparison a bare key is the key, whatever else it might name elsewhere
_GUARD_LAST = frozenset({"KEY", "AUTH", "CREDENTIAL", "CREDENTIALS"})
#: constant-time comparison helpers (``crypto.timingSafeEqual``, ``tsscmp``, ``safeCompare``)
_CONSTANT_TIME = re.compile(r"(timingsafe|safecompare|securecompare|constanttime|tsscmp|safeequal|secureequal)", re.I)
#: calls whose result is their input kept, re-encoded or signed with it
_CARRIERS = frozenset(
    {
        "from",
        "String",
        "Buffer",
        "TextEncoder",
        "encode",
        "trim",
        "toString",
        "concat",
        "createHmac",
        "createHash",
        "update",
        "digest",
    }
)
#: expressions that hand on what they are made of
_THROUGH = frozenset(
    {
        "template_string",
        "template_substitution",
        "binary_expression",
        "parenthesized_expression",
        "await_expression",
        "as_expression",
        "non_null_expression",
        "satisfies_expression",
    }
)
_FUNCTIONS = frozenset({"arrow_function", "function_expression", "function", "function_declaration"})
#: statements an ``if`` may sit in and still run on every call of the function
_STRAIGHT = frozenset({"statement_block", "try_statement", "program"})


def guard_secret_name(name: str) -> bool:
    """Whether an environment variable's name reads as a secret the server keeps to itself (the shared vocabulary
    already refuses what a bundler ships to the browser: ``NEXT_PUBLIC_``, ``VITE_``, ``REACT_APP_``)."""
    return secret_name(name, last=_GUARD_LAST)


def env_read(node: Node, bound: dict[str, str]) -> str | None:
    """The environment variable an expression's value is made of: read directly (``process.env.X``,
    ``process.env["X"]``, ``env.X``), put in a template (`` `Bearer ${process.env.X}` ``) or a sum, passed
    through a call that keeps or signs it (``Buffer.from``, ``createHmac(…, secret).update(body).digest()``), or
    through a name bound to one (``bound``). Another call's result (``getUser(process.env.KEY)``) is not it."""
    stack = [node]
    while stack:
        current = stack.pop()
        kind = current.type
        if kind == "identifier" and text(current) in bound:
            return bound[text(current)]
        if kind in {"member_expression", "subscript_expression"}:
            name = _env_member(current)
            if name is not None:
                return name
            if kind == "member_expression" and (holder := current.child_by_field_name("object")) is not None:
                stack.append(holder)  # ``(...).digest``'s receiver
        elif kind in {"call_expression", "new_expression"}:
            stack.extend(_carried(current))
        elif kind in _THROUGH:
            stack.extend(named(current))
    return None


def _carried(call: Node) -> list[Node]:
    """What a call that keeps or signs its input hands on: its arguments and its receiver."""
    callee = call.child_by_field_name("function") or call.child_by_field_name("constructor")
    if callee is None or _last(callee) not in _CARRIERS:
        return []
    args = call.child_by_field_name("arguments")
    receiver = callee.child_by_field_name("object") if callee.type == "member_expression" else None
    return [*(named(args) if args is not None else []), *([receiver] if receiver is not None else [])]


def _last(callee: Node) -> str:
    if callee.type == "member_expression" and (prop := callee.child_by_field_name("property")) is not None:
        return text(prop)
    return text(callee)


def _env_member(node: Node) -> str | None:
    """``X`` of ``process.env.X`` / ``process.env["X"]`` / ``env.X`` (an object named ``env``)."""
    holder = node.child_by_field_name("object")
    if holder is None:
        return None
    owner = dotted(holder)
    if owner not in {"process.env", "env", "Deno.env", "import.meta.env", "Bun.env"}:
        return None
    if node.type == "member_expression":
        prop = node.child_by_field_name("property")
        return text(prop) if prop is not None else None
    index = node.child_by_field_name("index")
    return string_value(index) if index is not None else None


def secret_check(node: Node, flow: JsFlow, bound: dict[str, str]) -> str | None:
    """The secret's variable name when ``node`` (an ``if_statement``) refuses every call whose request value
    differs from an environment secret, else None."""
    if not _straight(node) or not _refuses(node.child_by_field_name("consequence")):
        return None
    condition = node.child_by_field_name("condition")
    stack = [condition] if condition is not None else []
    while stack:
        current = stack.pop()
        if current.type == "parenthesized_expression":
            stack.extend(named(current))
            continue
        operator = current.child_by_field_name("operator") if current.type == "binary_expression" else None
        if operator is not None and text(operator) == "||":
            stack.extend(s for s in (current.child_by_field_name("left"), current.child_by_field_name("right")) if s)
            continue
        found = _mismatch(current, flow, bound)
        if found is not None:
            return found
    return None


def _mismatch(node: Node, flow: JsFlow, bound: dict[str, str]) -> str | None:
    """``a !== env``, ``!(a === env)``, ``!timingSafeEqual(a, env)``: the secret's name when one side is the
    environment secret and the other the request."""
    if node.type == "binary_expression":
        operator = node.child_by_field_name("operator")
        if operator is not None and text(operator) in {"!==", "!="}:
            return _sides(node.child_by_field_name("left"), node.child_by_field_name("right"), flow, bound)
        return None
    if node.type != "unary_expression" or text(node)[:1] != "!":
        return None
    inner = named(node)[0] if named(node) else None
    while inner is not None and inner.type in {"parenthesized_expression", "await_expression"}:
        inner = named(inner)[0] if named(inner) else None
    if inner is None:
        return None
    if inner.type == "binary_expression":
        operator = inner.child_by_field_name("operator")
        if operator is not None and text(operator) in {"===", "=="}:
            return _sides(inner.child_by_field_name("left"), inner.child_by_field_name("right"), flow, bound)
    if inner.type == "call_expression" and _CONSTANT_TIME.search("".join(chain(inner)[0][-1:])):
        args = inner.child_by_field_name("arguments")
        parts = named(args) if args is not None else []
        if len(parts) == 2:
            return _sides(parts[0], parts[1], flow, bound)
    return None


def _sides(left: Node | None, right: Node | None, flow: JsFlow, bound: dict[str, str]) -> str | None:
    if left is None or right is None:
        return None
    if _length(left) or _length(right):  # ``token.length !== key.length``: a size, not the secret
        return None
    for env_side, other in ((left, right), (right, left)):
        name = env_read(env_side, bound)
        if name is not None and guard_secret_name(name) and env_read(other, bound) is None and expr_taint(other, flow):
            return name
    return None


def _length(node: Node) -> bool:
    prop = node.child_by_field_name("property") if node.type == "member_expression" else None
    return prop is not None and text(prop) == "length"


def _straight(node: Node) -> bool:
    """Whether the statement runs on every call of its function: only blocks and ``try`` lie between them."""
    parent = node.parent
    while parent is not None and parent.type not in _FUNCTIONS and parent.type != "method_definition":
        if parent.type not in _STRAIGHT:
            return False
        parent = parent.parent
    return parent is not None


def _refuses(branch: Node | None) -> bool:
    """The branch ends the call: it is, or holds among its own statements, a ``return`` or a ``throw``."""
    if branch is None:
        return False
    if branch.type in {"return_statement", "throw_statement"}:
        return True
    return branch.type == "statement_block" and any(
        s.type in {"return_statement", "throw_statement"} for s in named(branch)
    )
