"""The code index of a Java file from its tree-sitter tree: imports, classes and methods with their
annotations (as decorators, arguments included), parameter annotations (``@RequestParam``, ``@PathParam``),
call sites (``a.b().c``) with targets resolved through imports, strings, loops and the request data flow
(``request.getParameter``, annotated parameters). One iterative walk in source order."""

from __future__ import annotations

from dataclasses import dataclass, field, replace

from redline.sources.code.build import classify_string
from redline.sources.code.model import Arg, CallSite, CodeIndex, Decorator, Definition, Loop, StringFact, Tainted
from redline.sources.code.treesitter.javafn import FunctionalRoutes
from redline.sources.code.treesitter.nodes import Node, end_line, line, named, text, walk
from redline.sources.code.treesitter.walk import RequestFlow, TreeWalk, request_taint

#: parameter annotations that bind a part of the request
PARAM_SOURCES = {
    "RequestParam": "query",
    "PathVariable": "params",
    "RequestBody": "body",
    "RequestHeader": "headers",
    "CookieValue": "cookies",
    "ModelAttribute": "form",
    "QueryParam": "query",
    "PathParam": "params",
    "FormParam": "form",
    "HeaderParam": "headers",
    "CookieParam": "cookies",
}
_SERVLET_READS = {
    "getParameter": "query",
    "getParameterValues": "query",
    "getParameterMap": "query",
    "getQueryString": "query",
    "getHeader": "headers",
    "getHeaders": "headers",
    "getCookies": "cookies",
    "getInputStream": "body",
    "getReader": "body",
    "getPathInfo": "params",
    "getRequestURI": "params",
}
_LOOPS = {"for_statement": "for", "enhanced_for_statement": "for", "while_statement": "while", "do_statement": "while"}
_SCOPES = {"class_declaration", "interface_declaration", "enum_declaration", "record_declaration"}


def _string(node: Node) -> str | None:
    if node.type == "string_literal":
        return "".join(text(c) for c in node.children if c.type in {"string_fragment", "escape_sequence"})
    return None


def chain(node: Node) -> list[str]:
    """``http.authorizeHttpRequests().anyRequest`` -> ["http", "authorizeHttpRequests", "anyRequest"]."""
    parts: list[str] = []
    while node is not None:
        if node.type == "method_invocation":
            name = node.child_by_field_name("name")
            parts.append(text(name) if name is not None else "")
            node = node.child_by_field_name("object")
            if node is None:
                break
        elif node.type == "field_access":
            field_node = node.child_by_field_name("field")
            parts.append(text(field_node) if field_node is not None else "")
            node = node.child_by_field_name("object")
        elif node.type in {"identifier", "this", "type_identifier", "scoped_identifier"}:
            parts.append(text(node))
            break
        else:
            return parts[::-1]
    return parts[::-1]


def value_of(node: Node) -> Arg:
    """An annotation or call argument: a string, an array of strings, a name, or a call."""
    value = _string(node)
    if value is not None:
        return Arg(None, literal=value)
    if node.type in {"element_value_array_initializer", "array_initializer"}:
        items = [v for v in (_string(e) or text(e) for e in named(node))]
        return Arg(None, literal=tuple(items), items=tuple(items))
    if node.type in {"method_invocation", "object_creation_expression"}:
        raw = ".".join(chain(node)) if node.type == "method_invocation" else text(node.child_by_field_name("type"))
        return Arg(None, call=raw, items=(text(node)[:120],))
    if node.type in {"true", "false"}:
        return Arg(None, literal=node.type == "true")
    return Arg(
        None, name=text(node)[:120] if node.type in {"identifier", "field_access", "scoped_identifier"} else None
    )


@dataclass
class JavaWalk(TreeWalk):
    language: str = "java"
    flows: dict[str, RequestFlow] = field(default_factory=dict)
    #: Spring functional routes; only for a file that mentions ``RouterFunction``
    functional: FunctionalRoutes | None = None

    def run(self, root: Node) -> CodeIndex:
        if b"RouterFunction" in (root.text or b""):
            self.functional = FunctionalRoutes()
        self.walk(root)
        index = self.index()
        return replace(index, declared_routes=tuple(self.functional.found)) if self.functional else index

    def _visit(self, node: Node, scope: str) -> str:
        kind = node.type if node.is_named else ""
        if kind == "import_declaration" and not any(c.type == "asterisk" for c in node.children):
            names = [c for c in node.children if c.type in {"scoped_identifier", "identifier"}]
            if names:
                qualified = text(names[0])
                self.imports[qualified.rsplit(".", 1)[-1]] = qualified
        elif kind in _SCOPES:
            return self._class(node, scope)
        elif kind in {"method_declaration", "constructor_declaration"}:
            return self._method(node, scope)
        elif kind in {"method_invocation", "object_creation_expression"}:
            self.calls.append(self._call(node, scope))
            if self.functional is not None:
                self.functional.visit(node, scope)
        elif kind in {"variable_declarator", "assignment_expression"}:
            self._binding(node, scope)
        elif kind == "string_literal":
            value = _string(node) or ""
            found = classify_string(value)
            if found:
                self.strings.append(StringFact(found, value[:200], line(node)))
        elif kind in _LOOPS:
            self.loops.append(Loop(_LOOPS[kind], line(node), scope))
        return scope

    def _annotations(self, node: Node) -> tuple[Decorator, ...]:
        modifiers = next((c for c in node.children if c.type == "modifiers"), None)
        found: list[Decorator] = []
        for ann in (
            (c for c in modifiers.children if c.type in {"annotation", "marker_annotation"}) if modifiers else ()
        ):
            name_node = ann.child_by_field_name("name")
            name = text(name_node) if name_node is not None else ""
            args: list[Arg] = []
            holder = ann.child_by_field_name("arguments")
            for item in named(holder) if holder is not None else []:
                if item.type == "element_value_pair":
                    key, value = item.child_by_field_name("key"), item.child_by_field_name("value")
                    if key is not None and value is not None:
                        made = value_of(value)
                        args.append(Arg(text(key), made.literal, made.name, made.call, made.call_args, made.items))
                else:
                    args.append(value_of(item))
            target = self.imports.get(name.split(".")[0], name if "." in name else None)
            found.append(Decorator(name, target, line(ann), tuple(args), ann.type == "annotation"))
        return tuple(found)

    def _class(self, node: Node, scope: str) -> str:
        name_node = node.child_by_field_name("name")
        name = text(name_node) if name_node is not None else f"<anonymous:{line(node)}>"
        qualname = f"{scope}.{name}" if scope else name
        bases: list[str] = []
        for part in (node.child_by_field_name("superclass"), node.child_by_field_name("interfaces")):
            if part is not None:
                bases.extend(text(t) for t in walk(part) if t.type == "type_identifier")
        decorators = self._annotations(node)
        self.definitions.append(
            Definition(name, qualname, "class", line(node), end_line(node), decorators, bases=tuple(bases))
        )
        return qualname

    def _method(self, node: Node, scope: str) -> str:
        name_node = node.child_by_field_name("name")
        name = text(name_node) if name_node is not None else "<init>"
        qualname = f"{scope}.{name}" if scope else name
        flow = RequestFlow()
        params: list[str] = []
        binds: list[tuple[str, Arg]] = []
        holder = node.child_by_field_name("parameters")
        for param in (p for p in named(holder) if p.type == "formal_parameter") if holder is not None else ():
            pname = param.child_by_field_name("name")
            ptype = param.child_by_field_name("type")
            if pname is None:
                continue
            params.append(text(pname))
            for ann in self._annotations(param):
                binds.append((text(pname), Arg(text(pname), call=ann.raw, call_args=_texts(ann.args))))
                part = PARAM_SOURCES.get(ann.raw.rsplit(".", 1)[-1])
                if part is not None:
                    flow.tainted[text(pname)] = (f"param:{part}", ())
                    self.tainted.append(Tainted(qualname, text(pname), f"param:{part}", line(param)))
            if ptype is not None and text(ptype).endswith(("HttpServletRequest", "ServerHttpRequest")):
                flow.request_names.add(text(pname))
        self.flows[qualname] = flow
        self.definitions.append(
            Definition(
                name,
                qualname,
                "function",
                line(node),
                end_line(node),
                self._annotations(node),
                params=tuple(params),
                param_defaults=tuple(binds),
            )
        )
        return qualname

    def _source(self, node: Node, flow: RequestFlow) -> str | None:
        if node.type != "method_invocation":
            return None
        parts = chain(node)
        if len(parts) >= 2 and parts[0] in flow.request_names and parts[1] in _SERVLET_READS:
            return f"{parts[0]}.{_SERVLET_READS[parts[1]]}"
        return None

    def _taint(self, node: Node, flow: RequestFlow) -> tuple[str, tuple[str, ...]] | None:
        return request_taint(node, flow, self._source, "lambda_expression")

    def _binding(self, node: Node, scope: str) -> None:
        flow = self.flows.get(scope)
        left = node.child_by_field_name("name") or node.child_by_field_name("left")
        right = node.child_by_field_name("value") or node.child_by_field_name("right")
        if flow is None or left is None or right is None or left.type != "identifier":
            return
        hit = self._taint(right, flow)
        if hit is not None:
            flow.tainted[text(left)] = hit
            self.tainted.append(Tainted(scope, text(left), hit[0], line(node)))

    def _call(self, node: Node, scope: str) -> CallSite:
        if node.type == "object_creation_expression":
            type_node = node.child_by_field_name("type")
            parts = [text(type_node)] if type_node is not None else []
        else:
            parts = chain(node)
        args_node = node.child_by_field_name("arguments")
        args = named(args_node) if args_node is not None else []
        flow = self.flows.get(scope)
        tainted: list[tuple[str, str, tuple[str, ...]]] = []
        for position, arg in enumerate(args if flow is not None else ()):
            hit = self._taint(arg, flow) if flow is not None else None
            if hit:
                tainted.append((str(position), *hit))
        head = self.imports.get(parts[0]) if parts else None
        name_node = node.child_by_field_name("name")
        return CallSite(
            raw=".".join(parts),
            target=".".join([head, *parts[1:]]) if head else None,
            line=line(name_node) if name_node is not None else line(node),
            end_line=end_line(node),
            function=scope,
            args=tuple(value_of(a) for a in args),
            tainted=tuple(tainted),
            built_by="concat" if args and args[0].type == "binary_expression" and _concat(args[0]) else None,
        )


def _concat(node: Node) -> bool:
    return any(t.type == "string_literal" for t in walk(node)) and "+" in (text(c) for c in node.children)


def _texts(args: tuple[Arg, ...]) -> tuple[str, ...]:
    return tuple(a.literal if isinstance(a.literal, str) else a.name or "" for a in args)
