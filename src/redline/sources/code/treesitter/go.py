"""The code index of a Go file from its tree-sitter tree: imports (with the package name a path binds),
functions and methods (``Type.Method``), call sites with resolved targets, URL/DSN/SQL strings, ``for``
loops, and the request data flow (``r.URL.Query()``, ``r.FormValue``, ``c.Param``/``c.Query``,
``mux.Vars(r)``, ``chi.URLParam(r, ...)``). One iterative walk in source order."""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace

from redline.sources.code.build import classify_string
from redline.sources.code.flow import AFTER_PREFIX
from redline.sources.code.model import (
    INT_RANGE,
    Arg,
    Assignment,
    CallSite,
    CodeIndex,
    Composite,
    Definition,
    EnvDefault,
    StringFact,
    Tainted,
)
from redline.sources.code.treesitter.goenv import tag_defaults
from redline.sources.code.treesitter.goloops import GO_GRAMMAR, go_loop, mark_receives
from redline.sources.code.treesitter.loopscope import LoopScopes, reads
from redline.sources.code.treesitter.nodes import Node, chain_end, end_line, line, named, string_value, text, walk
from redline.sources.code.treesitter.walk import RequestFlow, TreeWalk, request_taint

#: a literal start that fixes where a URL points: a scheme with its host and a path/query after it
_FIXED_ORIGIN = re.compile(r"^[a-z][a-z0-9+.-]*://[^/?#]+[/?#]", re.IGNORECASE)

#: parameter types that carry the request -> the name the flow calls it by
_REQUEST_TYPES = ("http.Request", "gin.Context", "echo.Context", "fiber.Ctx")
#: methods on the request object -> the part of the request they read
_READS = {
    "Query": "query",
    "QueryParam": "query",
    "QueryParams": "query",
    "DefaultQuery": "query",
    "FormValue": "form",
    "PostFormValue": "form",
    "PostForm": "form",
    "DefaultPostForm": "form",
    "Param": "params",
    "Params": "params",
    "PathValue": "params",
    "GetHeader": "headers",
    "Header": "headers",
    "Cookie": "cookies",
    "Cookies": "cookies",
    "Body": "body",
    "Bind": "body",
    "BindJSON": "body",
    "ShouldBind": "body",
    "ShouldBindJSON": "body",
    "GetRawData": "body",
    "URL": "query",
    "Form": "form",
}
#: the request's URL path (``r.URL.Path``, ``r.URL.EscapedPath()``): a source of its own, ``path``
_URL_PATH = (["URL", "Path"], ["URL", "RawPath"], ["URL", "EscapedPath"])
#: package functions that read the request they are given
_PACKAGE_READS = {"mux.Vars": "params", "chi.URLParam": "params"}
#: what a Go call node is (a fluent chain climbs through these)
_CALL = frozenset({"call_expression"})


def package_name(path: str) -> str:
    """The name an import path binds: ``github.com/labstack/echo/v4`` -> ``echo``, ``gopkg.in/yaml.v3`` -> ``yaml``."""
    parts = [p for p in path.split("/") if p]
    last = parts[-1] if parts else path
    if len(parts) > 1 and last.startswith("v") and last[1:].isdigit():
        last = parts[-2]
    return (
        last.split(".")[0].replace("-", "_") if "." in last and path.startswith("gopkg.in") else last.replace("-", "")
    )


def dotted(node: Node) -> str | None:
    parts: list[str] = []
    while node.type == "selector_expression":
        field_node = node.child_by_field_name("field")
        parts.append(text(field_node) if field_node is not None else "")
        node = node.child_by_field_name("operand")
        if node is None:
            return None
    if node.type in {"identifier", "package_identifier", "field_identifier", "type_identifier"}:
        return ".".join([text(node), *reversed(parts)])
    return None


def chain(node: Node) -> list[str]:
    """``r.PathPrefix("/api").Subrouter`` -> ["r", "PathPrefix", "Subrouter"] (calls looked through)."""
    parts: list[str] = []
    while node is not None:
        if node.type == "selector_expression":
            field_node = node.child_by_field_name("field")
            parts.append(text(field_node) if field_node is not None else "")
            node = node.child_by_field_name("operand")
        elif node.type in {"call_expression", "parenthesized_expression", "unary_expression", "index_expression"}:
            node = (
                node.child_by_field_name("function")
                or node.child_by_field_name("operand")
                or (named(node) or [None])[0]
            )
        elif node.type == "identifier":
            parts.append(text(node))
            return parts[::-1]
        elif node.type == "composite_literal" and (kind := node.child_by_field_name("type")) is not None:
            parts.append(text(kind))  # ``todosResource{}.Routes()`` -> todosResource.Routes
            return parts[::-1]
        else:
            return []
    return []


@dataclass
class GoWalk(TreeWalk):
    language: str = "go"
    flows: dict[str, RequestFlow] = field(default_factory=dict)
    composites: list[Composite] = field(default_factory=list)
    #: per function, the local names holding one of its parameters' values (source ``arg:<name>``)
    param_flows: dict[str, list[RequestFlow]] = field(default_factory=dict)
    param_tainted: list[Tainted] = field(default_factory=list)
    scopes: LoopScopes = field(default_factory=lambda: LoopScopes(GO_GRAMMAR))
    string_bindings: list[tuple[str, str, str]] = field(default_factory=list)
    slice_bindings: list[tuple[str, str, tuple[str, ...]]] = field(default_factory=list)
    returned_statuses: list[tuple[str, int]] = field(default_factory=list)
    blank_imports: list[str] = field(default_factory=list)
    #: ``register := func(r fiber.Router) {...}``: ``function|name`` -> the function literal's qualified name
    literal_bindings: list[Assignment] = field(default_factory=list)
    #: configuration fields an environment library fills with their struct tag's default (``treesitter/goenv.py``)
    env_defaults: list[EnvDefault] = field(default_factory=list)

    def run(self, root: Node) -> CodeIndex:
        self.walk(root)
        self.loops = mark_receives(self.scopes.finish(self.loops), root)
        return replace(
            self.index(assignments=tuple(self.literal_bindings), composites=tuple(self.composites)),
            param_tainted=tuple(self.param_tainted),
            string_bindings=tuple(self.string_bindings),
            slice_bindings=tuple(self.slice_bindings),
            returned_statuses=tuple(self.returned_statuses),
            build_constraint=_build_constraint(root),
            blank_imports=tuple(self.blank_imports),
            env_defaults=tuple(self.env_defaults),
        )

    def resolve(self, node: Node) -> str | None:
        parts = chain(node)
        if not parts or parts[0] not in self.imports:
            return None
        return ".".join([self.imports[parts[0]], *parts[1:]])

    def _visit(self, node: Node, scope: str) -> str:
        kind = node.type if node.is_named else ""
        if kind == "import_spec":
            self._import(node)
        elif kind in {"function_declaration", "method_declaration", "func_literal"}:
            return self._function(node, scope)
        elif kind == "call_expression":
            self.calls.append(self._call(node, scope))
        elif kind in {"short_var_declaration", "assignment_statement", "var_spec"}:
            self._writes(node, scope)
            self._binding(node, scope)
            self._string_binding(node, scope)
            self._literal_binding(node, scope)
            self._slice_binding(node, scope)
        elif kind == "const_spec":
            self._string_binding(node, scope)
        elif kind == "composite_literal":
            self._composite(node, scope)
        elif kind == "field_declaration" and self.imports:
            self.env_defaults += tag_defaults(node, self.imports)
        elif kind in {"interpreted_string_literal", "raw_string_literal"}:
            value = string_value(node) or ""
            found = classify_string(value)
            if found:
                self.strings.append(StringFact(found, value[:200], line(node)))
        elif kind == "for_statement":
            go_loop(node, scope, self.scopes, self.loops)
        elif kind in {"break_statement", "return_statement"}:
            self._exit(node, scope)
        return scope

    def _exit(self, node: Node, scope: str) -> None:
        """A ``break``/``return``: where a loop stops, and the 401/403 a return refuses with."""
        self.scopes.see_exit(node, self.loops)
        if node.type == "return_statement" and (status := _refusing_status(node)) is not None:
            self.returned_statuses.append((scope, status))

    def _import(self, node: Node) -> None:
        path_node = node.child_by_field_name("path")
        name_node = node.child_by_field_name("name")
        path = string_value(path_node) if path_node is not None else None
        if not path:
            return
        local = text(name_node) if name_node is not None else package_name(path)
        if local not in {"_", "."}:
            self.imports[local] = path
        elif local == "_":
            self.blank_imports.append(path)

    def _function(self, node: Node, scope: str) -> str:
        name_node = node.child_by_field_name("name")
        name = text(name_node) if name_node is not None else f"<anonymous:{line(node)}>"
        receiver = node.child_by_field_name("receiver")
        owner = ""
        if receiver is not None:
            named_types = [t for t in walk(receiver) if t.type == "type_identifier"]
            owner = text(named_types[0]) if named_types else ""
        qualname = f"{owner}.{name}" if owner else f"{scope}.{name}" if scope and name_node is None else name
        params: list[str] = []
        types: list[tuple[str, Arg]] = []
        flow = RequestFlow()
        holder = node.child_by_field_name("parameters")
        for decl in named(holder) if holder is not None else []:
            type_node = decl.child_by_field_name("type")
            type_text = text(type_node).lstrip("*") if type_node is not None else ""
            names = [text(n) for n in decl.children if n.type == "identifier"]
            params.extend(names)
            types.extend((n, Arg(n, name=type_text)) for n in names)  # like Python annotations
            if any(type_text.endswith(t) for t in _REQUEST_TYPES):
                flow.request_names.update(names)
        self.flows[qualname] = flow
        seeds = [n for n in params if n != "_" and n not in flow.request_names]
        if seeds:
            # one flow per parameter: a name holds one source in a flow, and ``Sprintf(q, a, b)`` carries both
            self.param_flows[qualname] = [RequestFlow(tainted={n: (f"arg:{n}", ())}) for n in seeds]
        bases = (owner,) if owner else ()
        self.definitions.append(
            Definition(
                name,
                qualname,
                "function",
                line(node),
                end_line(node),
                bases=bases,
                params=tuple(params),
                param_defaults=tuple(types),
                returns=_result_type(node),
            )
        )
        return qualname

    def _source(self, node: Node, flow: RequestFlow) -> str | None:
        """The request part an expression reads, or None."""
        if node.type not in {"call_expression", "selector_expression"}:
            return None
        parts = chain(node)
        if len(parts) >= 3 and parts[0] in flow.request_names and parts[1:3] in _URL_PATH:
            return f"{parts[0]}.path"  # since index format 40 (was ``query``): what ``http.ServeFile`` vets itself
        if len(parts) >= 2 and parts[0] in flow.request_names and parts[1] in _READS:
            return f"{parts[0]}.{_READS[parts[1]]}"
        if node.type == "call_expression":
            callee = node.child_by_field_name("function")
            name = dotted(callee) if callee is not None else None
            args = node.child_by_field_name("arguments")
            first = named(args)[0] if args is not None and named(args) else None
            if name in _PACKAGE_READS and first is not None and text(first) in flow.request_names:
                return f"{text(first)}.{_PACKAGE_READS[name]}"
        return None

    def _taint(self, node: Node, flow: RequestFlow) -> tuple[str, tuple[str, ...]] | None:
        """The request data an expression carries; the URL path only when nothing else does (the taint keeps one
        source, and ``http.ServeFile`` vets that one itself: ``Join(base, r.URL.Path, name)`` is ``name``'s)."""
        found = request_taint(node, flow, self._source, "func_literal")
        if found is None or not found[0].endswith(".path"):
            return found
        others = RequestFlow(flow.request_names, {k: v for k, v in flow.tainted.items() if not v[0].endswith(".path")})
        return request_taint(node, others, self._beyond_path, "func_literal") or found

    def _beyond_path(self, node: Node, flow: RequestFlow) -> str | None:
        """``_source`` with the URL path and the ``r.URL`` inside it read as nothing."""
        source = self._source(node, flow)
        if source is None or source.endswith(".path"):
            return None
        above = node.parent  # ``r.URL`` in ``r.URL.Path``
        if above is not None and above.type == "selector_expression":
            return None if (self._source(above, flow) or "").endswith(".path") else source
        return source

    def _writes(self, node: Node, scope: str) -> None:
        """``c.Timeout = 5 * time.Second``: an attribute set after construction."""
        left = node.child_by_field_name("left")
        if node.type != "assignment_statement" or left is None:
            return
        for target in [left] if left.type != "expression_list" else named(left):
            name = dotted(target) if target.type == "selector_expression" else None
            if name:
                self.writes.append((scope, name, line(node)))

    def _string_binding(self, node: Node, scope: str) -> None:
        """``const q = `INSERT ...```: one name bound to one string literal."""
        bound = _single_binding(node)
        value = string_value(bound[1]) if bound else None
        if bound and value is not None:
            self.string_bindings.append((scope, text(bound[0]), value[:200]))

    def _slice_binding(self, node: Node, scope: str) -> None:
        """``userMW := []errchain.Middleware{a.mwAuthToken, a.mwRoles(...)}``: one name bound to a slice literal of
        names and calls, each element as written; what a route's ``userMW...`` hands on."""
        bound = _single_binding(node)
        if bound is None or bound[1].type != "composite_literal":
            return
        kind, body = bound[1].child_by_field_name("type"), bound[1].child_by_field_name("body")
        if kind is None or kind.type != "slice_type" or body is None:
            return
        values = [named(e)[0] if e.type == "literal_element" and len(named(e)) == 1 else e for e in named(body)]
        rendered = [_render(v) if v.type in _SLICE_ELEMENTS else "" for v in values]
        if rendered and all(rendered):
            self.slice_bindings.append((scope, text(bound[0]), tuple(rendered)))

    def _literal_binding(self, node: Node, scope: str) -> None:
        """``register := func(r fiber.Router) {...}``: one name bound to one function literal, recorded as the
        assignment ``scope|register`` of the literal's qualified name (what ``go_arg`` names a literal argument),
        so a call of the name can be followed into the literal."""
        bound = _single_binding(node)
        if bound and bound[1].type == "func_literal":
            literal = f"<anonymous:{line(bound[1])}>"
            qualname = f"{scope}.{literal}" if scope else literal
            self.literal_bindings.append(Assignment(f"{scope}|{text(bound[0])}", line(node), (qualname,)))

    def _composite(self, node: Node, scope: str) -> None:
        kind = node.child_by_field_name("type")
        body = node.child_by_field_name("body")
        if kind is None or kind.type not in {"qualified_type", "type_identifier"}:
            return
        keys: list[str] = []
        for element in named(body) if body is not None else []:
            key = element.child_by_field_name("key") if element.type == "keyed_element" else None
            if key is None and element.type == "keyed_element" and named(element):
                key = named(element)[0]
            if key is not None:
                keys.append(text(key).strip())
        written = text(kind)
        head, _, rest = written.partition(".")
        target = f"{self.imports[head]}.{rest}" if rest and head in self.imports else None
        holder = node.parent if node.parent is not None and node.parent.type == "unary_expression" else node
        self.composites.append(Composite(written, target, line(node), scope, tuple(keys), _assigned_to(holder)))

    def _binding(self, node: Node, scope: str) -> None:
        left = node.child_by_field_name("left") or node.child_by_field_name("name")
        right = node.child_by_field_name("right") or node.child_by_field_name("value")
        if left is None or right is None:
            return
        pairs = [
            (self.flows.get(scope), self.tainted),
            *((f, self.param_tainted) for f in self.param_flows.get(scope, ())),
        ]
        for flow, records in pairs:
            hit = self._taint(right, flow) if flow is not None else None
            if flow is None or hit is None:
                continue
            if self._after_fixed_start(right, flow):
                hit = (hit[0], (*hit[1], AFTER_PREFIX))
            names = [text(n) for n in ([left] if left.type == "identifier" else named(left)) if n.type == "identifier"]
            for name in names:
                if name not in {"_", "err"}:
                    flow.tainted[name] = hit
                    records.append(Tainted(scope, name, hit[0], line(node)))

    def _after_fixed_start(self, right: Node, flow: RequestFlow) -> bool:
        """``base + "/" + id``: request data placed after a start it does not choose (a configured base, a
        path, a scheme with its host), so it cannot pick where a URL built this way points."""
        node = named(right)[0] if right.type == "expression_list" and len(named(right)) == 1 else right
        if node.type != "binary_expression":
            return False
        start = node
        while start.type == "binary_expression" and (first := start.child_by_field_name("left")) is not None:
            start = first
        if start is node or self._taint(start, flow) is not None:
            return False
        value = string_value(start)
        return value is None or value.startswith("/") or _FIXED_ORIGIN.match(value) is not None

    def _call(self, node: Node, scope: str) -> CallSite:
        callee = node.child_by_field_name("function")
        args_node = node.child_by_field_name("arguments")
        args = named(args_node) if args_node is not None else []
        tainted = self._arg_taint(args, self.flows.get(scope))
        raw = ""
        if callee is not None:
            raw = dotted(callee) or ".".join(chain(callee))
        loop = self.scopes.innermost(node)
        operand = (
            callee.child_by_field_name("operand")
            if callee is not None and callee.type == "selector_expression"
            else None
        )
        param_tainted = tuple(t for f in self.param_flows.get(scope, ()) for t in self._arg_taint(args, f))
        # names read: for calls in a loop (per-item work) and calls that take request or parameter data (every
        # value in a SQL text, where the taint keeps only the first one, since index format 26)
        keep_reads = loop >= 0 or bool(tainted) or bool(param_tainted)
        return CallSite(
            raw=raw,
            target=self.resolve(callee) if callee is not None else None,
            line=_call_line(node, callee),
            end_line=end_line(node),
            function=scope,
            args=tuple(go_arg(a, scope) for a in args),
            assigned_to=_assigned_to(node),
            first_assigned=_first_assigned(node),
            tainted=tainted,
            built_by=_building(args[0]) if args else None,
            param_tainted=param_tainted,
            loop=loop,
            reads=reads([*([operand] if operand is not None else []), *args], GO_GRAMMAR) if keep_reads else (),
        )

    def _arg_taint(self, args: list[Node], flow: RequestFlow | None) -> tuple[tuple[str, str, tuple[str, ...]], ...]:
        if flow is None:
            return ()
        return tuple((str(position), *hit) for position, arg in enumerate(args) if (hit := self._taint(arg, flow)))


def _result_type(node: Node) -> str:
    """The first result type of a function, pointer and package kept as written (``*Profile`` -> ``Profile``)."""
    result = node.child_by_field_name("result")
    if result is None:
        return ""
    if result.type == "parameter_list":
        first = named(result)[0] if named(result) else None
        kind = first.child_by_field_name("type") if first is not None else None
        result = kind if kind is not None else first
    return text(result).lstrip("*") if result is not None else ""


def _call_line(node: Node, callee: Node | None) -> int:
    if callee is not None and callee.type == "selector_expression":
        operand, field_node = callee.child_by_field_name("operand"), callee.child_by_field_name("field")
        if operand is not None and field_node is not None and operand.type == "call_expression":
            return line(field_node)
    return line(node)


def _left_names(node: Node) -> list[Node]:
    """The left-hand side of the declaration or assignment whose value ``node`` is: ``[r]`` for ``r :=
    gin.Default()`` or ``var r = ...``, ``[stmt, err]`` for ``stmt, err := tx.Prepare(q)``; empty when
    ``node`` is not an assigned value."""
    parent = node.parent
    if parent is not None and parent.type == "expression_list":
        parent = parent.parent
    if parent is None or parent.type not in {"short_var_declaration", "assignment_statement", "var_spec"}:
        return []
    left = parent.child_by_field_name("left") or parent.child_by_field_name("name")
    return [left] if left is not None and left.type == "identifier" else named(left) if left is not None else []


def _assigned_to(node: Node) -> str | None:
    """The single name a call (or the fluent chain it starts) is bound to: ``r := gin.Default()``."""
    names = _left_names(chain_end(node, "selector_expression", _CALL))
    return text(names[0]) if len(names) == 1 and names[0].type == "identifier" else None


def _first_assigned(node: Node) -> str | None:
    """``stmt, err := tx.Prepare(q)``: the value's name when the call binds a value and an error."""
    names = _left_names(node)
    if len(names) != 2 or names[0].type != "identifier" or text(names[0]) == "_" or text(names[1]) not in {"err", "_"}:
        return None
    return text(names[0])


def _building(node: Node) -> str | None:
    if node.type == "binary_expression":
        operator = node.child_by_field_name("operator")
        if operator is not None and text(operator) == "+":
            stack = [node]
            while stack:
                current = stack.pop()
                if current.type in {"interpreted_string_literal", "raw_string_literal"}:
                    return "concat"
                if current.type == "binary_expression":
                    stack.extend(named(current))
    if node.type == "call_expression":
        callee = node.child_by_field_name("function")
        if callee is not None and dotted(callee) in {"fmt.Sprintf", "fmt.Sprint"}:
            return "format"
    return None


#: slice-literal elements kept as written: names and calls (a literal or a struct is no middleware)
_SLICE_ELEMENTS = frozenset({"call_expression", "identifier", "selector_expression"})


def _render(node: Node, depth: int = 0) -> str:
    """``requireAuth(http.HandlerFunc(deleteItem))`` as written, nested calls three levels deep at most."""
    value = string_value(node)
    if value is not None:
        return value
    if node.type == "call_expression" and depth < 3:
        callee = node.child_by_field_name("function")
        inner = node.child_by_field_name("arguments")
        raw = (dotted(callee) or ".".join(chain(callee))) if callee is not None else ""
        parts = [_render(a, depth + 1) for a in named(inner)] if inner is not None else []
        return f"{raw}({', '.join(p for p in parts if p)})"
    if node.type in {"true", "false", "int_literal", "nil"}:
        return text(node)
    if node.type == "func_literal":  # kept in its place among the arguments (since index format 42)
        return f"<anonymous:{line(node)}>"
    if node.type == "variadic_argument" and len(named(node)) == 1:  # ``userMW...`` (since index format 42)
        inner = _render(named(node)[0], depth)
        return f"{inner}..." if inner else ""
    return dotted(node) or ""


def _int_literal(node: Node) -> int | None:
    """``401``, ``0x191``, ``1_000`` as a number (a status a middleware refuses with); None past msgpack's range."""
    try:
        number = int(text(node), 0)
    except ValueError:
        return None
    return number if number in INT_RANGE else None


def _strings(node: Node) -> tuple[str, ...] | None:
    """The values of a slice literal of strings only (gin's ``Match([]string{"GET", "HEAD"}, ...)``), else None."""
    kind, body = node.child_by_field_name("type"), node.child_by_field_name("body")
    if kind is None or kind.type != "slice_type" or body is None:
        return None
    values = [string_value(named(e)[0]) if len(named(e)) == 1 else None for e in named(body)]
    return tuple(v for v in values if v is not None) if None not in values else None


def go_arg(node: Node, scope: str) -> Arg:
    value = string_value(node)
    if value is not None:
        return Arg(None, literal=value)
    if node.type == "int_literal":  # since index format 40: a status code (``c.AbortWithStatus(401)``)
        return Arg(None, literal=_int_literal(node))
    if node.type == "composite_literal" and (values := _strings(node)) is not None:  # since index format 40
        return Arg(None, literal=values)
    if node.type == "func_literal":
        name = f"<anonymous:{line(node)}>"
        return Arg(None, name=f"{scope}.{name}" if scope else name)
    if node.type == "call_expression":
        callee = node.child_by_field_name("function")
        inner = node.child_by_field_name("arguments")
        raw = (dotted(callee) or ".".join(chain(callee))) if callee is not None else ""
        plain = [string_value(a) or dotted(a) or "" for a in named(inner)] if inner is not None else []
        return Arg(
            None,
            call=raw,
            call_args=tuple(p for p in plain if p),
            items=(_render(node),),
        )
    if node.type == "unary_expression":  # ``&server{}`` -> server
        types = [t for t in walk(node) if t.type == "type_identifier"]
        return Arg(None, name=text(types[0]) if types else None)
    if node.type == "binary_expression" and (parts := _concatenated(node)) is not None:
        return Arg(None, items=parts)  # since index format 50: ``prefix+"/v1"``, resolved by the route reader
    return Arg(None, name=dotted(node))


def _concatenated(node: Node) -> tuple[str, ...] | None:
    """The parts of a string concatenation of literals and names (``prefix+"/v1"`` -> ("prefix", '"/v1"'), literals
    kept quoted), None for any other expression."""
    if node.type == "binary_expression":
        operator = node.child_by_field_name("operator")
        left, right = node.child_by_field_name("left"), node.child_by_field_name("right")
        if operator is None or text(operator) != "+" or left is None or right is None:
            return None
        before, after = _concatenated(left), _concatenated(right)
        return (*before, *after) if before is not None and after is not None else None
    value = string_value(node)
    if value is not None:
        return (f'"{value}"',)
    return (text(node),) if node.type == "identifier" else None


def _build_constraint(root: Node) -> str:
    """The file's ``//go:build`` expression (``e2etest``, ``linux && !cgo``), written before its package clause."""
    for child in root.children:
        if child.type == "package_clause":
            break
        written = text(child).strip() if child.type == "comment" else ""
        if written.startswith("//go:build "):
            return written.removeprefix("//go:build ").strip()[:200]
    return ""


#: the statuses a handler returns to refuse a caller, as written in Go
_REFUSING_STATUSES = {"http.StatusUnauthorized": 401, "http.StatusForbidden": 403, "401": 401, "403": 403}


def _refusing_status(node: Node) -> int | None:
    """``return http.StatusUnauthorized, nil`` (filebrowser's ``handleFunc`` returns its status): the 401/403 a return
    statement's first value is, else None (since index format 42)."""
    values = named(node)
    first = named(values[0])[0] if values and values[0].type == "expression_list" and named(values[0]) else None
    first = first if first is not None else (values[0] if values else None)
    return _REFUSING_STATUSES.get(text(first).strip()) if first is not None else None


def _single_binding(node: Node) -> tuple[Node, Node] | None:
    """(the name, the value) of an assignment or declaration binding one identifier to one value
    (``q := "..."``, ``var q = "..."``), else None."""
    left = node.child_by_field_name("left") or node.child_by_field_name("name")
    right = node.child_by_field_name("right") or node.child_by_field_name("value")
    if left is None or right is None:
        return None
    names = [left] if left.type == "identifier" else named(left)
    values = named(right) if right.type == "expression_list" else [right]
    if len(names) == 1 == len(values) and names[0].type == "identifier":
        return names[0], values[0]
    return None
