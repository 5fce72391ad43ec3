"""Spring functional routes (WebFlux and WebMvc.fn ``RouterFunctions``) from a Java tree: the builder
(``route().GET("/x", h::get).POST(...)``, ``.path("/api", b -> b.GET(...))``, ``.nest(path("/v1"), b -> …)``)
and the static form (``route(GET("/x").and(accept(JSON)), h::get).andRoute(POST("/x"), h::create)``,
``nest(path("/api"), route(...))``, ``.andNest``, ``.and(route(...))``), prefixes joined. Each route is kept with
the handler as written and the declared type of its receiver (``PersonHandler handler`` -> ``PersonHandler``),
looked up among the enclosing method's parameters and locals and the class's fields."""

from __future__ import annotations

from dataclasses import dataclass, field, replace

from redline.sources.code.model import DeclaredRoute
from redline.sources.code.treesitter.nodes import Node, line, named, text

VERBS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})
#: calls that start a route chain (the builder, the static forms)
_STARTS = frozenset({"route", "nest"})
_PREDICATE_ONLY = frozenset({"accept", "contentType", "headers", "queryParam", "param", "all", "pathExtension"})
_COMMENTS = frozenset({"line_comment", "block_comment"})
#: how deep nested ``nest``/``path`` lambdas are followed
MAX_NESTING = 16


def _string(node: Node | None) -> str | None:
    if node is None or node.type != "string_literal":
        return None
    return "".join(text(c) for c in node.children if c.type in {"string_fragment", "escape_sequence"})


def _join(prefix: str, path: str) -> str:
    if not path:
        return prefix or "/"
    return "/" + "/".join(p.strip("/") for p in (prefix, path) if p.strip("/")) if prefix else path


def _steps(node: Node) -> tuple[Node | None, list[tuple[str, list[Node], Node]]]:
    """A call chain innermost first: (the receiver it starts at or None, [(method name, args, call node)])."""
    steps: list[tuple[str, list[Node], Node]] = []
    current: Node | None = node
    while current is not None and current.type == "method_invocation":
        name = current.child_by_field_name("name")
        args = current.child_by_field_name("arguments")
        values = [a for a in named(args) if a.type not in _COMMENTS] if args is not None else []
        steps.append((text(name) if name is not None else "", values, current))
        current = current.child_by_field_name("object")
    return current, steps[::-1]


@dataclass
class FunctionalRoutes:
    """Collects the routes of every route chain, each chain once (inner chains are read with their outer one)."""

    found: list[DeclaredRoute] = field(default_factory=list)
    seen: set[int] = field(default_factory=set)

    def visit(self, node: Node, scope: str) -> None:
        if node.start_byte in self.seen or node.type != "method_invocation":
            return
        parent = node.parent
        if parent is not None and parent.type == "method_invocation" and parent.child_by_field_name("object") == node:
            return  # the outermost call of the chain is read
        receiver, steps = _steps(node)
        if not steps or not _is_start(receiver, steps[0][0]):
            return
        self._chain(steps, "", scope, depth=0, builder=False)

    def _chain(
        self, steps: list[tuple[str, list[Node], Node]], prefix: str, scope: str, *, depth: int, builder: bool
    ) -> None:
        first = len(self.found)
        filters: list[str] = []
        for name, args, call in steps:
            self.seen.add(call.start_byte)
            if depth > MAX_NESTING:
                return
            if name == "route" and not args:
                builder = True
            elif name in VERBS and builder and args:
                path = _string(args[0]) if len(args) > 1 else None
                self._add((name,), _join(prefix, path or ""), args[-1], call, scope)
            elif name in {"route", "andRoute"} and len(args) == 2:
                methods, path = _predicate(args[0])
                self._add(methods, _join(prefix, path), args[1], call, scope)
            elif name in {"nest", "andNest"} and len(args) == 2:
                self._nested(args[1], _join(prefix, _predicate(args[0])[1]), scope, depth)
            elif name == "path" and builder and len(args) == 2:
                self._nested(args[1], _join(prefix, _string(args[0]) or ""), scope, depth)
            elif name in {"and", "add"} and len(args) == 1:
                self._nested(args[0], prefix, scope, depth)
            elif name in {"filter", "before"} and len(args) == 1:
                filters.append("<lambda>" if args[0].type == "lambda_expression" else text(args[0])[:80])
        for position in range(first, len(self.found)) if filters else ():
            route = self.found[position]
            self.found[position] = replace(route, filters=(*route.filters, *filters))

    def _nested(self, node: Node, prefix: str, scope: str, depth: int) -> None:
        """A nested router: a ``builder -> builder.GET(...)`` consumer, a ``() -> route()...build()``
        supplier, or a route chain written in place."""
        if node.type == "lambda_expression":
            params = node.child_by_field_name("parameters")
            param = text(params).strip("() ") if params is not None else ""
            body = node.child_by_field_name("body")
            chains = _statement_chains(body) if body is not None else []
            for chain in chains:
                receiver, steps = _steps(chain)
                rooted = receiver is not None and receiver.type == "identifier" and text(receiver) == param and param
                if rooted or (steps and _is_start(receiver, steps[0][0])):
                    self._chain(steps, prefix, scope, depth=depth + 1, builder=bool(rooted))
        elif node.type == "method_invocation":
            receiver, steps = _steps(node)
            if steps and _is_start(receiver, steps[0][0]):
                self._chain(steps, prefix, scope, depth=depth + 1, builder=False)

    def _add(self, methods: tuple[str, ...], path: str, handler: Node, call: Node, scope: str) -> None:
        written = text(handler)[:120] if handler.type != "lambda_expression" else "<lambda>"
        name = call.child_by_field_name("name")
        self.found.append(
            DeclaredRoute(
                methods=methods or ("ANY",),
                path=path or "/",
                handler=written,
                handler_type=_receiver_type(handler),
                line=line(name) if name is not None else line(call),
                function=scope,
            )
        )


def _is_start(receiver: Node | None, first: str) -> bool:
    """``route()``/``route(pred, h)``/``nest(...)`` called bare or on ``RouterFunctions``."""
    return first in _STARTS and (receiver is None or text(receiver).rsplit(".", 1)[-1] == "RouterFunctions")


def _predicate(node: Node) -> tuple[tuple[str, ...], str]:
    """(methods, path) a request predicate matches: ``GET("/x")``, ``path("/x")``, ``method(HttpMethod.GET)``,
    combined with ``.and(...)``; other predicates (``accept(JSON)``) narrow neither."""
    if node.type != "method_invocation":
        return (), ""
    _, steps = _steps(node)
    methods: tuple[str, ...] = ()
    path = ""
    for name, args, _ in steps:
        first = args[0] if args else None
        if name in VERBS:
            methods, path = (name,), _string(first) or path
        elif name == "path":
            path = _string(first) or path
        elif name == "method" and first is not None:
            methods = (text(first).rsplit(".", 1)[-1].upper(),)
        elif first is not None and (name == "and" or (name not in _PREDICATE_ONLY and len(args) == 1)):
            # ``GET(..).and(accept(..))``, or a project's own wrapper ``i(POST("/x"))``
            inner_methods, inner_path = _predicate(first)
            methods, path = methods or inner_methods, path or inner_path
    return methods, path


def _statement_chains(body: Node) -> list[Node]:
    if body.type != "block":
        return [body]
    return [named(s)[0] for s in named(body) if s.type in {"expression_statement", "return_statement"} and named(s)]


def _receiver_type(handler: Node) -> str:
    """The declared type of ``h`` in ``h::get`` (a parameter, local or field), the type itself for
    ``PersonHandler::get``, the enclosing class for ``this::get``; "" when unknown."""
    if handler.type != "method_reference" or not named(handler):
        return ""
    target = named(handler)[0]
    name = text(target)
    if target.type == "this":
        return _enclosing_class(handler)
    if target.type != "identifier" or name[:1].isupper():
        return name.rsplit(".", 1)[-1] if name[:1].isupper() else ""
    node: Node | None = handler
    while node is not None:
        if node.type in {"method_declaration", "constructor_declaration", "class_body", "block"}:
            found = _declared(node, name)
            if found:
                return found
        node = node.parent
    return ""


def _declared(holder: Node, name: str) -> str:
    """The type ``name`` is declared with directly in this method (parameters), block (locals) or class body."""
    if holder.type in {"method_declaration", "constructor_declaration"}:
        params = holder.child_by_field_name("parameters")
        for param in named(params) if params is not None else []:
            pname, ptype = param.child_by_field_name("name"), param.child_by_field_name("type")
            if pname is not None and ptype is not None and text(pname) == name:
                return _simple(text(ptype))
        return ""
    for declaration in named(holder):
        if declaration.type not in {"local_variable_declaration", "field_declaration"}:
            continue
        dtype = declaration.child_by_field_name("type")
        for declarator in (d for d in named(declaration) if d.type == "variable_declarator"):
            dname = declarator.child_by_field_name("name")
            if dname is not None and dtype is not None and text(dname) == name:
                return _simple(text(dtype))
    return ""


def _simple(type_text: str) -> str:
    return type_text.split("<", 1)[0].rsplit(".", 1)[-1]


def _enclosing_class(node: Node) -> str:
    current = node.parent
    while current is not None and current.type not in {"class_declaration", "record_declaration"}:
        current = current.parent
    name = current.child_by_field_name("name") if current is not None else None
    return text(name) if name is not None else ""
