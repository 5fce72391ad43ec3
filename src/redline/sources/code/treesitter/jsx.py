"""JSX HTML sinks for the code index: each ``dangerouslySetInnerHTML`` with what its ``__html`` value is built
from, followed through the component's local names (``const clean = DOMPurify.sanitize(raw)``,
``useMemo(() => marked(text), [text])``, ``useState`` and the values its setter is called with), so a rule can
tell a sanitised, constant or translated value from one read from the URL, the network or props. Only what a
file says is followed; an imported name is recorded as such, not chased into its module."""

from __future__ import annotations

from dataclasses import dataclass, field

from redline.sources.code.model import JsxAttribute
from redline.sources.code.scopes import outward
from redline.sources.code.treesitter.jsflow import bound_names
from redline.sources.code.treesitter.jsloops import FUNCTION_TYPES, JS_GRAMMAR
from redline.sources.code.treesitter.jsnames import chain, dotted
from redline.sources.code.treesitter.nodes import Node, line, named, string_value, text

#: the attributes that write HTML into the page
HTML_SINKS = frozenset({"dangerouslySetInnerHTML"})
#: how far a value is followed through local names, and how many alternatives are kept
MAX_DEPTH = 6
MAX_BRANCHES = 8
MAX_READS = 40
_WRAPPERS = frozenset(
    {"parenthesized_expression", "await_expression", "as_expression", "non_null_expression", "satisfies_expression"}
)
_CONSTANTS = frozenset({"string", "number", "true", "false", "null", "undefined", "regex"})
#: hooks whose value is what their callback returns
_MEMO = frozenset({"useMemo", "React.useMemo", "computed"})
_STATE = frozenset({"useState", "React.useState"})
#: calls that hand their argument back as text: the argument is what counts
_CARRIERS = frozenset({"String", "toString", "trim", "valueOf", "decodeURIComponent", "decodeURI", "atob", "unescape"})
#: hooks that read the URL itself, and calls that load data from elsewhere
_URL_HOOKS = frozenset({"useParams", "useSearchParams", "useLocation", "useRouter", "useQueryParams", "useRoute"})
_LOADERS = frozenset({"axios", "request", "post", "put", "ky", "got", "$fetch"})
#: properties that hold a number
_NUMERIC = frozenset({"length", "size", "byteLength"})


def _unwrap(node: Node) -> Node:
    """``(x)``, ``await x``, ``x!``, ``x as string``, ``x satisfies T`` -> ``x``."""
    while node.type in _WRAPPERS and named(node):
        node = named(node)[0]
    return node


def _callee(node: Node) -> str:
    """``DOMPurify.sanitize``, ``JSON.stringify.replace`` (a fluent chain joined), ``marked``."""
    callee = node.child_by_field_name("function")
    if callee is None:
        return ""
    return dotted(callee) or ".".join(chain(callee)[0])


@dataclass
class _Trace:
    branches: list[tuple[str, ...]] = field(default_factory=list)
    reads: set[str] = field(default_factory=set)


@dataclass
class JsxSinks:
    """Local bindings per function scope, and the sinks found; fed by the JavaScript walk in source order."""

    imports: dict[str, str]
    #: scope -> local name -> the values it may hold, each with the scope its expression is written in
    values: dict[str, dict[str, list[tuple[Node, str]]]] = field(default_factory=dict)
    params: dict[str, set[str]] = field(default_factory=dict)
    setters: dict[str, dict[str, str]] = field(default_factory=dict)
    #: functions and methods by name, with their scope: ``createMarkup()``/``this.rawMarkup()`` return the object
    functions: dict[str, tuple[Node, str]] = field(default_factory=dict)
    found: list[JsxAttribute] = field(default_factory=list)

    # bindings --------------------------------------------------------------------------------------

    def parameters(self, scope: str, names: list[str], function: Node) -> None:
        self.params[scope] = set(names)
        self.functions.setdefault(scope.rsplit(".", 1)[-1], (function, scope))

    def declare(self, node: Node, scope: str) -> None:
        """``const x = v``; ``const [s, setS] = useState(init)`` binds ``s`` to ``init`` and remembers the setter."""
        pattern, value = node.child_by_field_name("name"), node.child_by_field_name("value")
        if pattern is None or value is None:
            return
        if pattern.type == "identifier":
            self._bind(scope, text(pattern), value, scope)
            return
        if pattern.type == "object_pattern":  # ``const { body } = this.props``: each name holds part of it
            for name in bound_names(pattern):
                self._bind(scope, name, value, scope)
            return
        inner = _unwrap(value)
        if pattern.type == "array_pattern" and inner.type == "call_expression" and _callee(inner) in _STATE:
            names = [n for n in named(pattern) if n.type == "identifier"]
            args = inner.child_by_field_name("arguments")
            initial = named(args) if args is not None else []
            if names:
                self.values.setdefault(scope, {}).setdefault(text(names[0]), [])
                if initial:
                    self._bind(scope, text(names[0]), initial[0], scope)
            if len(names) > 1:
                self.setters.setdefault(scope, {})[text(names[1])] = text(names[0])

    def assign(self, node: Node, scope: str) -> None:
        left, right = node.child_by_field_name("left"), node.child_by_field_name("right")
        if left is not None and right is not None and left.type == "identifier":
            owner = self._owner(scope, text(left))
            self._bind(owner if owner is not None else scope, text(left), right, scope)

    def call(self, node: Node, scope: str) -> None:
        """``setPreview(svg)``: the state variable may hold ``svg``."""
        callee = node.child_by_field_name("function")
        args = node.child_by_field_name("arguments")
        if callee is None or callee.type != "identifier" or args is None or not named(args):
            return
        for owner in outward(scope):
            state = self.setters.get(owner, {}).get(text(callee))
            if state is not None:
                self._bind(owner, state, named(args)[0], scope)
                return

    def _bind(self, owner: str, name: str, value: Node, written_in: str) -> None:
        self.values.setdefault(owner, {}).setdefault(name, []).append((value, written_in))

    def _owner(self, scope: str, name: str) -> str | None:
        return next((s for s in outward(scope) if name in self.values.get(s, {})), None)

    # sinks -----------------------------------------------------------------------------------------

    def attribute(self, node: Node, scope: str) -> None:
        parts = named(node)
        if len(parts) < 2 or text(parts[0]) not in HTML_SINKS:
            return
        element = node.parent
        name_node = element.child_by_field_name("name") if element is not None else None
        expr = _unwrap(named(parts[1])[0]) if parts[1].type == "jsx_expression" and named(parts[1]) else parts[1]
        value, where = self._html_value(expr, scope)
        trace = _Trace()
        if value is None:
            trace.branches.append(("object",))
        else:
            self._trace(value, where, (), 0, trace)
            self._reads(value, where, 0, trace.reads)
        self.found.append(
            JsxAttribute(
                element=text(name_node) if name_node is not None else "",
                name=text(parts[0]),
                line=line(node),
                function=scope,
                value=text(value)[:120] if value is not None else text(expr)[:120],
                branches=tuple(trace.branches),
                reads=tuple(sorted(trace.reads))[:MAX_READS],
                attrs=_string_attrs(element),
            )
        )

    def _html_value(self, expr: Node, scope: str) -> tuple[Node | None, str]:
        """The ``__html`` value of ``{{ __html: X }}``, of a local name bound to such an object, or of the object
        a function of this file returns (``createMarkup()``, ``this.rawMarkup()``), with the scope it is in."""
        if expr.type == "identifier":
            owner = self._owner(scope, text(expr))
            bound = self.values.get(owner, {}).get(text(expr), []) if owner is not None else []
            expr, scope = (_unwrap(bound[-1][0]), bound[-1][1]) if bound else (expr, scope)
        elif expr.type == "call_expression" and (called := self._called(expr)) is not None:
            function, scope = called
            objects = [r for r in map(_unwrap, _returned(function)) if r.type == "object"]
            expr = objects[0] if objects else expr
        if expr.type != "object":
            return None, scope
        for pair in (p for p in named(expr) if p.type == "pair"):
            key, value = pair.child_by_field_name("key"), pair.child_by_field_name("value")
            if key is not None and value is not None and (string_value(key) or text(key)) == "__html":
                return value, scope
        return None, scope

    def _called(self, call: Node) -> tuple[Node, str] | None:
        """The function of this file a call without arguments names (``createMarkup()``, ``this.rawMarkup()``)."""
        callee = call.child_by_field_name("function")
        args = call.child_by_field_name("arguments")
        if callee is None or (args is not None and named(args)):
            return None
        name = dotted(callee) or ""
        if name.count(".") > 1 or (name.count(".") == 1 and not name.startswith("this.")):
            return None
        return self.functions.get(name.rsplit(".", 1)[-1])

    def _trace(self, node: Node, scope: str, prefix: tuple[str, ...], depth: int, out: _Trace) -> None:
        if len(out.branches) >= MAX_BRANCHES:
            return
        node = _unwrap(node)
        kind = node.type
        if depth > MAX_DEPTH:
            out.branches.append((*prefix, f"other:{kind}"))
        elif kind in _CONSTANTS or (kind == "template_string" and not _substitutions(node)):
            out.branches.append((*prefix, "constant"))
        elif kind in {"ternary_expression", "template_string"}:
            for part, steps in _parts(node):
                self._trace(part, scope, (*prefix, *steps), depth + 1, out)
        elif kind == "binary_expression":
            self._binary(node, scope, prefix, depth, out)
        elif kind == "call_expression":
            self._call(node, scope, prefix, depth, out)
        elif kind == "identifier":
            self._name(text(node), scope, prefix, depth, out)
        elif kind in {"member_expression", "subscript_expression"}:
            out.branches.append((*prefix, _member(node)))
        else:
            out.branches.append((*prefix, f"other:{kind}"))

    def _binary(self, node: Node, scope: str, prefix: tuple[str, ...], depth: int, out: _Trace) -> None:
        operator = node.child_by_field_name("operator")
        op = text(operator) if operator is not None else ""
        sides = [s for s in (node.child_by_field_name("left"), node.child_by_field_name("right")) if s is not None]
        if op == "&&":
            sides = sides[1:]
        step = (*prefix, "concat") if op == "+" else prefix
        if op not in {"+", "||", "??", "&&"}:
            out.branches.append((*prefix, "constant"))  # a comparison or arithmetic: no text of anyone's
            return
        for side in sides:
            self._trace(side, scope, step, depth + 1, out)

    def _call(self, node: Node, scope: str, prefix: tuple[str, ...], depth: int, out: _Trace) -> None:
        callee = _callee(node)
        args = node.child_by_field_name("arguments")
        first = named(args)[0] if args is not None and named(args) else None
        if callee in _MEMO and first is not None and first.type in FUNCTION_TYPES:
            for result in _returned(first):
                self._trace(result, scope, (*prefix, f"call:{callee}"), depth + 1, out)
            return
        if callee.rsplit(".", 1)[-1] in _CARRIERS:
            receiver = node.child_by_field_name("function")
            inner = first if callee in _CARRIERS or receiver is None else receiver.child_by_field_name("object")
            if inner is not None:
                self._trace(inner, scope, prefix, depth + 1, out)
                return
        options = "+sanitize" if args is not None and any(_sanitize_option(a) for a in named(args)) else ""
        out.branches.append((*prefix, f"call:{callee or text(node)[:60]}{options}"))

    def _name(self, name: str, scope: str, prefix: tuple[str, ...], depth: int, out: _Trace) -> None:
        owner = self._owner(scope, name)
        if owner is not None:
            bound = self.values[owner][name]
            if not bound:
                out.branches.append((*prefix, f"state:{name}"))
            for value, written_in in bound:
                self._trace(value, written_in, (*prefix, f"name:{name}"), depth + 1, out)
            return
        if any(name in self.params.get(s, ()) for s in outward(scope)):
            out.branches.append((*prefix, f"param:{name}"))
        elif name in self.imports:
            out.branches.append((*prefix, f"import:{name}"))
        else:
            out.branches.append((*prefix, f"other:{name}"))

    def _reads(self, node: Node, scope: str, depth: int, into: set[str]) -> None:
        """Dotted names and callees read by the expression and by the local values it names."""
        stack = [node]
        while stack and len(into) < MAX_READS:
            current = stack.pop()
            if current.type in {"member_expression", "call_expression"}:
                parts, root = chain(current)
                if root is not None and parts:
                    into.add(".".join(parts))
                if current.type == "call_expression" and _loads(parts):
                    callee = current.child_by_field_name("function")
                    stack.extend([callee] if callee is not None else [])
                    continue  # ``useQuery(id)``, ``fetch(url)``: the arguments choose what is loaded, not its text
            elif current.type == "subscript_expression":
                held = current.child_by_field_name("object")
                stack.extend([held] if held is not None else [])
                continue  # logto's ``customContent?.[pathname]``: the key chooses an entry, not its text
            elif current.type in {"identifier", "shorthand_property_identifier"}:
                name = text(current)
                into.add(name)
                owner = self._owner(scope, name)
                if owner is not None and depth < MAX_DEPTH:
                    for value, written_in in self.values[owner][name]:
                        self._reads(value, written_in, depth + 1, into)
            stack.extend(current.children)


def _member(node: Node) -> str:
    """``member:props.body``; ``call:hljs.highlight.value`` when the chain reads a call's result; ``constant``
    for ``items.length`` (a number, no one's text)."""
    parts, root = chain(node)
    if parts and parts[-1] in _NUMERIC:
        return "constant"
    step = "call:" if any(c.type == "call_expression" for c in _objects(node)) else "member:"
    return step + (".".join(parts) if root is not None else text(node)[:80])


def _sanitize_option(node: Node) -> bool:
    """An options object with ``sanitize: true`` (``marked(text, { sanitize: true })``, marked before v8)."""
    if node.type != "object":
        return False
    for pair in (p for p in named(node) if p.type == "pair"):
        key, value = pair.child_by_field_name("key"), pair.child_by_field_name("value")
        if key is not None and value is not None and text(key).strip("'\"") == "sanitize" and value.type == "true":
            return True
    return False


def _loads(parts: list[str]) -> bool:
    """A call that loads data (a hook other than the URL's own, ``fetch``, ``axios.get``, ``getTag``)."""
    name = parts[-1] if parts else ""
    if name in _URL_HOOKS:
        return False
    return name.startswith(("use", "fetch", "get", "load", "query")) or name in _LOADERS or "axios" in parts


def _parts(node: Node) -> list[tuple[Node, tuple[str, ...]]]:
    """The alternatives of a ternary, the substituted parts of a template (each marked ``template``)."""
    if node.type == "template_string":
        return [(part, ("template",)) for part in _substitutions(node)]
    sides = (node.child_by_field_name(side) for side in ("consequence", "alternative"))
    return [(side, ()) for side in sides if side is not None]


def _substitutions(node: Node) -> list[Node]:
    return [named(c)[0] for c in node.children if c.type == "template_substitution" and named(c)]


def _objects(node: Node) -> list[Node]:
    found = []
    current: Node | None = node
    while current is not None and current.type in {"member_expression", "subscript_expression", *_WRAPPERS}:
        current = current.child_by_field_name("object") or (named(current)[-1] if named(current) else None)
        if current is not None:
            found.append(current)
    return found


def _returned(function: Node) -> list[Node]:
    """What an arrow function or callback hands back: its expression body, or its ``return`` values."""
    body = function.child_by_field_name("body")
    if body is None:
        return []
    if body.type != "statement_block":
        return [body]
    found: list[Node] = []
    stack = list(body.children)
    while stack:
        current = stack.pop()
        if current.type == "return_statement" and named(current):
            found.append(named(current)[0])
        elif current.type not in JS_GRAMMAR.functions:  # a nested function's returns are its own
            stack.extend(current.children)
    return found


def _string_attrs(element: Node | None) -> tuple[tuple[str, str], ...]:
    found: list[tuple[str, str]] = []
    for attr in (a for a in named(element) if a.type == "jsx_attribute") if element is not None else ():
        parts = named(attr)
        if len(parts) == 2 and (value := string_value(parts[1])) is not None:
            found.append((text(parts[0]), value[:80]))
    return tuple(found)
