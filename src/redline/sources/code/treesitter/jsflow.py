"""Request data flow inside one JavaScript/TypeScript function: which local names hold values read
from the request (``req.query``, ``req.params``, ``req.body``, ``req.headers``, ``req.cookies``, Koa's
``ctx.request.body``, NestJS ``@Body()``/``@Query()``/``@Param()`` parameters, and the Fetch API ``Request`` a
Next.js route handler is given: ``await request.json()``, ``request.nextUrl.searchParams``)."""

from __future__ import annotations

from dataclasses import dataclass, field

from redline.sources.code.treesitter.jsnames import chain
from redline.sources.code.treesitter.nodes import Node, named, text

#: parameter names that hold the request object (Express/Fastify ``req``/``request``, Koa ``ctx``)
REQUEST_OBJECTS = frozenset({"req", "request", "ctx", "context"})
REQUEST_FIELDS = frozenset({"query", "params", "body", "headers", "cookies", "signedCookies", "files", "file"})
#: ``req.get("x-token")``, ``req.header(...)``, ``ctx.get(...)``, ``ctx.cookies.get(...)``
_HEADER_GETTERS = frozenset({"get", "header"})
#: the Fetch API ``Request``'s body readers (Next.js route handlers, Hono, Remix, Deno): ``await request.json()``
_BODY_READERS = frozenset({"json", "formData", "text"})
#: NestJS parameter decorators -> the request part they bind
NEST_PARAMS = {"Body": "body", "Query": "query", "Param": "params", "Headers": "headers", "Req": "request"}


@dataclass
class JsFlow:
    request_names: set[str] = field(default_factory=set)
    tainted: dict[str, tuple[str, tuple[str, ...]]] = field(default_factory=dict)
    lines: dict[str, int] = field(default_factory=dict)
    #: names bound to a template literal or concatenation with substitutions -> how it was built
    formatted: dict[str, str] = field(default_factory=dict)
    #: names bound to an environment variable's value (``const expected = `Bearer ${process.env.KEY}```) -> it
    env: dict[str, str] = field(default_factory=dict)


def request_source(node: Node, flow: JsFlow) -> str | None:
    """``req.query`` for ``req.query.id``/``req.query["id"]``, ``req.headers`` for ``req.get("x")``."""
    parts, root = chain(node)
    if root is None or len(parts) < 2 or parts[0] not in flow.request_names:
        return None
    head, rest = parts[0], parts[1:]
    if rest[0] == "request" and len(rest) > 1:  # Koa ctx.request.body, Fastify/Nest request wrappers
        rest = rest[1:]
    if rest[0] in REQUEST_FIELDS:
        return f"{head}.{rest[0]}"
    if node.type == "call_expression" and rest[0] in _HEADER_GETTERS and len(rest) == 1:
        return f"{head}.headers"
    if node.type == "call_expression" and rest[0] in _BODY_READERS and len(rest) == 1:
        return f"{head}.body"
    if rest[:2] == ["nextUrl", "searchParams"]:  # Next.js ``request.nextUrl.searchParams.get("q")``
        return f"{head}.query"
    if rest[0] == "cookies":
        return f"{head}.cookies"
    return None


def expr_taint(node: Node, flow: JsFlow) -> tuple[str, tuple[str, ...]] | None:
    """(source, via names) when the expression reads the request or a tainted local name."""
    if not flow.request_names and not flow.tainted:
        return None
    stack = [node]
    while stack:
        current = stack.pop()
        if current.type in {"arrow_function", "function_expression", "function"}:
            continue
        if current.type in {"member_expression", "call_expression", "subscript_expression"}:
            source = request_source(current, flow)
            if source is not None:
                return source, ()
        elif current.type in {"identifier", "shorthand_property_identifier"}:
            hit = flow.tainted.get(text(current))
            if hit is not None:
                return hit[0], (text(current), *hit[1])
        stack.extend(reversed(current.children))
    return None


def building(node: Node, flow: JsFlow) -> str | None:
    """template / concat when a string expression was built from substituted parts, else None."""
    if node.type == "template_string":
        return "template" if any(c.type == "template_substitution" for c in node.children) else None
    if node.type == "binary_expression":
        operator = node.child_by_field_name("operator")
        sides = [node.child_by_field_name("left"), node.child_by_field_name("right")]
        if operator is not None and text(operator) == "+" and any(_stringy(s) for s in sides if s is not None):
            return "concat"
    if node.type == "identifier":
        return flow.formatted.get(text(node))
    return None


def _stringy(node: Node) -> bool:
    """A string literal, or a sum with one among its terms (walked without recursion)."""
    stack = [node]
    while stack:
        current = stack.pop()
        if current.type in {"string", "template_string"}:
            return True
        if current.type == "binary_expression":
            stack.extend(named(current))
    return False


def bound_names(pattern: Node) -> list[str]:
    """The local names a declarator's pattern binds (``{ id, name: n }`` -> id, n)."""
    if pattern.type == "identifier":
        return [text(pattern)]
    names: list[str] = []
    stack = [pattern]
    while stack:
        current = stack.pop()
        if current.type in {"shorthand_property_identifier_pattern", "identifier"}:
            names.append(text(current))
        elif current.type == "pair_pattern":
            value = current.child_by_field_name("value")
            if value is not None:
                stack.append(value)
        elif current.type in {"assignment_pattern", "object_assignment_pattern"}:
            left = current.child_by_field_name("left")
            if left is not None:
                stack.append(left)
        else:
            stack.extend(named(current))
    return names
