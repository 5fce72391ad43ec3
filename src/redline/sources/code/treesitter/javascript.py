"""The code index of a JavaScript/TypeScript module (JSX/TSX too) from its tree-sitter tree: imports
(``import``/``require`` with aliases), definitions with decorators, call sites with resolved targets,
URL/DSN/SQL strings, loops, ``async`` functions and the request data flow. One iterative walk in source
order, so a name's request taint is known before the calls that use it."""

from __future__ import annotations

from dataclasses import dataclass, field, replace

from redline.sources.code.build import classify_string
from redline.sources.code.model import (
    Arg,
    Assignment,
    CallSite,
    CodeIndex,
    Decorator,
    Definition,
    StringFact,
    Tainted,
)
from redline.sources.code.treesitter.jsawaits import AwaitStatements
from redline.sources.code.treesitter.jsdecorators import decorator_call, decorators_of
from redline.sources.code.treesitter.jsentities import attach_reads, item_read, lazy_relations
from redline.sources.code.treesitter.jsenv import EnvDefaults
from redline.sources.code.treesitter.jsexports import named_exports
from redline.sources.code.treesitter.jsflow import (
    NEST_PARAMS,
    REQUEST_OBJECTS,
    JsFlow,
    bound_names,
    building,
    expr_taint,
)
from redline.sources.code.treesitter.jsloops import JS_GRAMMAR, STATEMENTS, callback_loop, statement_loop
from redline.sources.code.treesitter.jsnames import chain, dotted, import_target, require_spec
from redline.sources.code.treesitter.jsnextauth import nextauth_facts, reads_sessions, session_decisions, worth_reading
from redline.sources.code.treesitter.jsnextconfig import matcher
from redline.sources.code.treesitter.jssecretcheck import env_read, secret_check
from redline.sources.code.treesitter.jsx import HTML_SINKS, JsxSinks
from redline.sources.code.treesitter.loopscope import LoopScopes, node_key, reads
from redline.sources.code.treesitter.nodes import (
    Node,
    chain_end,
    end_line,
    line,
    literal,
    named,
    string_value,
    text,
)
from redline.sources.code.treesitter.walk import TreeWalk

FUNCTIONS = JS_GRAMMAR.functions  # the node types that open a function scope
CLASSES = frozenset({"class_declaration", "class", "abstract_class_declaration"})
_CALLS = frozenset({"call_expression", "new_expression"})


def render(node: Node, depth: int = 0) -> str:
    """A short rendering of an argument element: a name, a string, ``passport.authenticate(jwt)``;
    nested arrays and objects three levels deep at most."""
    if depth > 3:
        return ""
    value = string_value(node)
    if value is not None:
        return value
    if node.type in FUNCTIONS and node.is_named:
        return f"<anonymous:{line(node)}>"
    if node.type in _CALLS:
        callee = node.child_by_field_name("function") or node.child_by_field_name("constructor")
        args = node.child_by_field_name("arguments")
        inner = [_plain(a) for a in named(args)] if args is not None else []
        name = (dotted(callee) if callee is not None else None) or ".".join(chain(callee)[0]) if callee else ""
        return f"{name}({', '.join(i for i in inner if i)})"
    if node.type == "array":
        return "[" + ",".join(render(e, depth + 1) for e in named(node)) + "]"
    if node.type == "object":  # ``{ provide: APP_GUARD, useClass: JwtAuthGuard }``
        return "{" + ",".join(p for p in (_pair(m, depth + 1) for m in named(node)) if p) + "}"
    return dotted(node) or ("" if node.type == "template_string" else text(node)[:80])


def _plain(node: Node) -> str | None:
    value = string_value(node)
    return value if value is not None else dotted(node)


def function_name(node: Node) -> str:
    """The name a function is known by: declared, the variable/property/export it is bound to, else
    ``<anonymous:LINE>`` (an inline callback, such as a route handler written in place)."""
    own = node.child_by_field_name("name")
    if own is not None:
        return text(own)
    parent = node.parent
    if parent is not None and parent.type in {"variable_declarator", "public_field_definition", "field_definition"}:
        name = parent.child_by_field_name("name") or parent.child_by_field_name("property")
        if name is not None and name.type in {"identifier", "property_identifier"}:
            return text(name)
    if parent is not None and parent.type == "pair":
        key = parent.child_by_field_name("key")
        if key is not None:
            return string_value(key) or text(key)
    if parent is not None and parent.type == "assignment_expression":
        left = parent.child_by_field_name("left")
        if left is not None and (name := dotted(left)):
            return "default" if name in {"module.exports", "exports.default"} else name.rsplit(".", 1)[-1]
    return f"<anonymous:{line(node)}>"


@dataclass
class JsWalk(TreeWalk):
    assignments: list[Assignment] = field(default_factory=list)
    flows: dict[str, JsFlow] = field(default_factory=dict)
    awaited: set[tuple[int, int, str]] = field(default_factory=set)
    pending: list[tuple[Node, str]] = field(default_factory=list)
    #: the JSX HTML sinks and the local bindings they are traced through; only for a file that has one
    jsx: JsxSinks | None = None
    #: function -> the nested functions it returns (``return (req, res) => {...}``, ``() => function () {}``)
    returned: dict[str, set[str]] = field(default_factory=dict)
    scopes: LoopScopes = field(default_factory=lambda: LoopScopes(JS_GRAMMAR))
    #: the calls awaited as whole statements, with their statement list and position
    awaits: AwaitStatements = field(default_factory=AwaitStatements)
    #: (innermost loop, ``item.property``, line) for each awaited or returned property read in a loop body
    item_reads: list[tuple[int, str, int]] = field(default_factory=list)
    #: module-level names bound to an environment variable's value (``const KEY = process.env.API_KEY``)
    module_env: dict[str, str] = field(default_factory=dict)
    #: (function, environment secret, line) of the checks that refuse a request unless it carries that secret
    secret_checks: list[tuple[str, str, int]] = field(default_factory=list)
    #: environment variables read with a literal fallback, and the checks that stop the module without them
    env: EnvDefaults = field(default_factory=EnvDefaults)

    def run(self, root: Node) -> CodeIndex:
        self._imports(root)
        if any(sink.encode() in (root.text or b"") for sink in HTML_SINKS):
            self.jsx = JsxSinks(self.imports)
        self.walk(root)
        self.definitions = [
            replace(d, returns=next(iter(made))) if len(made := self.returned.get(d.qualname, set())) == 1 else d
            for d in self.definitions
        ]
        self.loops = attach_reads(self.scopes.finish(self.loops), self.item_reads)
        index = replace(
            self.index(assignments=tuple(self.assignments)),
            secret_checks=tuple(self.secret_checks),
            env_defaults=self.env.found(),
            env_validated=self.env.validated(self.path),
        )
        if worth_reading(root.text or b""):  # NextAuth v5 options, instances and wrapped middlewares
            index = replace(index, nextauth=nextauth_facts(root, self.imports, self.path))
        if reads_sessions(self.path):  # what Next.js handlers and middlewares answer a caller without a session
            index = replace(index, session_decisions=session_decisions(root, function_name, self.imports))
        return replace(index, jsx=tuple(self.jsx.found)) if self.jsx is not None else index

    # imports -------------------------------------------------------------------------------------

    def _imports(self, root: Node) -> None:
        """Every ``import``, and every ``require`` bound to a name, whatever its scope."""
        stack = [root]
        while stack:
            node = stack.pop()
            if node.type == "import_statement":
                self._es_import(node)
            elif node.type == "variable_declarator":
                self._require(node)
            elif node.type == "import_require_clause":  # TypeScript ``import x = require("m")``
                parts = named(node)
                if len(parts) == 2 and string_value(parts[1]) is not None:
                    self.imports[text(parts[0])] = import_target(self.path, string_value(parts[1]) or "")
            stack.extend(node.children)

    def _es_import(self, node: Node) -> None:
        source = node.child_by_field_name("source")
        spec = string_value(source) if source is not None else None
        if spec is None:
            return
        module = import_target(self.path, spec)
        for clause in (c for c in node.children if c.type == "import_clause"):
            for part in named(clause):
                if part.type == "identifier":  # default import: the module's default export
                    self.imports[text(part)] = module
                elif part.type == "namespace_import":
                    names = named(part)
                    if names:
                        self.imports[text(names[-1])] = module
                elif part.type == "named_imports":
                    for spec_node in (s for s in named(part) if s.type == "import_specifier"):
                        name = spec_node.child_by_field_name("name")
                        alias = spec_node.child_by_field_name("alias") or name
                        if name is not None and alias is not None:
                            self.imports[text(alias)] = f"{module}.{text(name)}"

    def _require(self, node: Node) -> None:
        """``const x = require("m")``, ``const {a, b: c} = require("m")``, ``const R = require("m").Router``."""
        pattern, value = node.child_by_field_name("name"), node.child_by_field_name("value")
        if pattern is None or value is None:
            return
        parts, root = chain(value)
        spec = require_spec(root) if root is not None else None
        if spec is None:
            return
        module = ".".join([import_target(self.path, spec), *parts])
        if pattern.type == "identifier":
            self.imports[text(pattern)] = module
            return
        for prop in named(pattern):
            if prop.type == "shorthand_property_identifier_pattern":
                self.imports[text(prop)] = f"{module}.{text(prop)}"
            elif prop.type == "pair_pattern":
                key, alias = prop.child_by_field_name("key"), prop.child_by_field_name("value")
                if key is not None and alias is not None and alias.type == "identifier":
                    self.imports[text(alias)] = f"{module}.{text(key)}"

    def resolve(self, node: Node) -> str | None:
        parts, root = chain(node)
        if root is None:
            return None
        spec = require_spec(root)
        if spec is not None:
            return ".".join([import_target(self.path, spec), *parts])
        if not parts or parts[0] not in self.imports:
            return None
        return ".".join([self.imports[parts[0]], *parts[1:]])

    # the walk ------------------------------------------------------------------------------------

    def _visit(self, node: Node, scope: str) -> str:
        kind = node.type if node.is_named else ""  # the ``function``/``class`` keywords are tokens too
        if kind in FUNCTIONS:
            return self._function(node, scope)
        if kind in CLASSES:
            return self._class(node, scope)
        flow = self.flows.get(scope)
        _feed_jsx(self.jsx, kind, node, scope)
        self.awaits.see(node)  # a statement list: number it, note its awaited calls
        self.env.see(kind, node, scope, self.resolve)  # a fallback for an environment variable, a check that needs one
        if kind in _CALLS:
            self.calls.append(self._call(node, scope, flow))
            callback_loop(node, scope, self.scopes, self.loops)
        elif kind == "await_expression":
            inner = named(node)
            if inner:
                self.awaited.add(node_key(inner[-1]))
            self._item_read(node)
        elif kind == "variable_declarator":
            self._declarator(node, scope, flow)
        elif kind == "assignment_expression":
            self._assignment(node, scope, flow)
        elif kind == "export_statement" and not scope:
            self._export(node)
        elif kind in {"string", "template_string"}:
            self._string(node)
        elif kind in STATEMENTS or kind == "if_statement":
            self._statement(node, scope, flow)
        elif kind in {"break_statement", "return_statement"}:
            self.scopes.see_exit(node, self.loops)
        return scope

    def _item_read(self, node: Node) -> None:
        """``await post.author`` (or ``p => p.author``) in a loop body, kept on the loop, where a lazy relation
        read is judged."""
        found = item_read(node)
        loop = self.scopes.innermost(node) if found is not None else -1
        if found is not None and loop >= 0:
            self.item_reads.append((loop, *found))

    def _string(self, node: Node) -> None:
        value = string_value(node)
        if value is None:  # a template with substitutions: its literal parts
            value = "".join(text(c) for c in node.children if c.type == "string_fragment")
        kind = classify_string(value)
        if kind:
            self.strings.append(StringFact(kind, value[:200], line(node)))

    def _function(self, node: Node, scope: str) -> str:
        name = function_name(node)
        owner = node.parent.parent if node.parent is not None and node.parent.type == "pair" else None
        holder = owner.parent if owner is not None and owner.type == "object" else None
        qualname = f"{scope}.{name}" if scope else name
        if holder is not None and holder.type == "variable_declarator" and (n := holder.child_by_field_name("name")):
            qualname = f"{scope}.{text(n)}.{name}" if scope else f"{text(n)}.{name}"  # ``const ctrl = {list}``
        is_async = any(c.type == "async" for c in node.children)
        if scope and _returned(node):
            self.returned.setdefault(scope, set()).add(qualname)
        params, param_binds, flow = self._params(node, qualname)
        types = _param_types(node)
        self.flows[qualname] = flow
        if self.jsx is not None:
            self.jsx.parameters(qualname, params, node)
        decorators = self._decorators(node) if node.type == "method_definition" else ()
        if (body := node.child_by_field_name("body")) is not None and body.type == "member_expression":
            self._item_read(body)  # ``posts.map((p) => p.author)``
        self.definitions.append(
            Definition(
                name,
                qualname,
                "async_function" if is_async else "function",
                line(node),
                end_line(node),
                decorators,
                params=tuple(params),
                param_defaults=tuple(param_binds),
                param_types=types,
            )
        )
        return qualname

    def _params(self, node: Node, qualname: str) -> tuple[list[str], list[tuple[str, Arg]], JsFlow]:
        """Parameter names, the NestJS decorators that bind them, and the function's flow state."""
        flow = JsFlow()
        params: list[str] = []
        binds: list[tuple[str, Arg]] = []
        holder = node.child_by_field_name("parameters") or node.child_by_field_name("parameter")
        items = [holder] if holder is not None and holder.type == "identifier" else named(holder) if holder else []
        for position, param in enumerate(items):
            pattern = param.child_by_field_name("pattern") or param
            names = bound_names(pattern) if pattern.type != "identifier" else [text(pattern)]
            params.extend(names)
            for dec in decorators_of(param):
                made = self._decorator(dec)
                for bound in names:
                    binds.append((bound, Arg(bound, call=made.raw, call_args=tuple(_plain_args(made.args)))))
                part = NEST_PARAMS.get(made.raw.rsplit(".", 1)[-1])
                for bound in names if part else ():
                    self._taint(flow, qualname, bound, source=f"param:{part}", via=(), at=line(param))
            if pattern.type == "identifier" and _request_param(text(pattern), position):
                flow.request_names.add(text(pattern))
        return params, binds, flow

    def _taint(self, flow: JsFlow, function: str, name: str, *, source: str, via: tuple[str, ...], at: int) -> None:
        flow.tainted[name] = (source, via)
        flow.lines[name] = at
        self.tainted.append(Tainted(function, name, source, at))

    def _class(self, node: Node, scope: str) -> str:
        own = node.child_by_field_name("name")
        name = text(own) if own is not None else function_name(node)
        qualname = f"{scope}.{name}" if scope else name
        bases: list[str] = []
        for heritage in (c for c in node.children if c.type == "class_heritage"):
            for clause in named(heritage):
                targets = named(clause) if clause.type.endswith("_clause") else [clause]
                bases.extend(d for t in targets if (d := dotted(t) or text(t)))
        self.definitions.append(
            Definition(
                name,
                qualname,
                "class",
                line(node),
                end_line(node),
                self._decorators(node),
                bases=tuple(bases),
                lazy_relations=lazy_relations(node.child_by_field_name("body")),
            )
        )
        return qualname

    def _decorators(self, node: Node) -> tuple[Decorator, ...]:
        return tuple(self._decorator(d) for d in decorators_of(node))

    def _decorator(self, node: Node) -> Decorator:
        callee, args, called = decorator_call(node)
        raw = (dotted(callee) or "") if callee is not None else ""
        made = tuple(_arg(a) for a in named(args)) if args is not None else ()
        return Decorator(raw, self.resolve(callee) if callee is not None else None, line(node), made, called)

    def _call(self, node: Node, scope: str, flow: JsFlow | None) -> CallSite:
        callee = node.child_by_field_name("function") or node.child_by_field_name("constructor")
        args_node = node.child_by_field_name("arguments")
        args = [a for a in named(args_node)] if args_node is not None else []
        tainted: list[tuple[str, str, tuple[str, ...]]] = []
        for position, arg in enumerate(args if flow is not None else ()):
            hit = expr_taint(arg, flow) if flow is not None else None
            if hit:
                tainted.append((str(position), *hit))
        raw = ""
        if callee is not None:
            raw = dotted(callee) or ".".join(chain(callee)[0])
        loop = self.scopes.innermost(node)
        statement = self.awaits.of(node)
        receiver = (
            callee.child_by_field_name("object") if callee is not None and callee.type == "member_expression" else None
        )
        return CallSite(
            raw=raw,
            target=self.resolve(callee) if callee is not None else None,
            line=_call_line(node, callee),
            end_line=end_line(node),
            function=scope,
            args=tuple(_arg(a) for a in args),
            assigned_to=_assigned_to(node),
            tainted=tuple(tainted),
            built_by=building(args[0], flow or JsFlow()) if args else None,
            awaited=node_key(node) in self.awaited,
            loop=loop,
            reads=reads([*([receiver] if receiver is not None else []), *args], JS_GRAMMAR)
            if loop >= 0 or statement is not None
            else (),
            block=statement.block if statement is not None else -1,
            position=statement.position if statement is not None else -1,
            binds=statement.binds if statement is not None else (),
        )

    def _declarator(self, node: Node, scope: str, flow: JsFlow | None) -> None:
        pattern, value = node.child_by_field_name("name"), node.child_by_field_name("value")
        if pattern is None or value is None:
            return
        names = bound_names(pattern)
        if not scope and pattern.type == "identifier":
            self._module_value(text(pattern), value)
        if pattern.type == "identifier" and (env := env_read(value, self._env(flow))) is not None:
            (flow.env if flow is not None else self.module_env)[text(pattern)] = env
        if flow is None:
            return
        how = building(value, flow)
        for name in names if how else ():
            flow.formatted[name] = how or ""
        hit = expr_taint(value, flow)
        for name in names if hit else ():
            source, via = hit or ("", ())
            self._taint(flow, scope, name, source=source, via=via, at=line(node))

    def _env(self, flow: JsFlow | None) -> dict[str, str]:
        """The names bound to an environment variable's value that a function sees: its own and the module's."""
        return {**self.module_env, **flow.env} if flow is not None and flow.env else self.module_env

    def _statement(self, node: Node, scope: str, flow: JsFlow | None) -> None:
        """A loop opens a loop scope; an ``if`` may be a check against an environment secret."""
        if node.type != "if_statement":
            statement_loop(node, scope, self.scopes, self.loops)
        elif flow is not None and (secret := secret_check(node, flow, self._env(flow))) is not None:
            self.secret_checks.append((scope, secret, line(node)))

    def _assignment(self, node: Node, scope: str, flow: JsFlow | None) -> None:
        left, right = node.child_by_field_name("left"), node.child_by_field_name("right")
        if left is None or right is None:
            return
        target = dotted(left)
        if target and left.type == "member_expression":
            self.writes.append((scope, target, line(node)))
        if not scope and target in {"module.exports", "exports.default"}:
            shown = "module.exports" if right.type in _CALLS else render(right)  # the call's value is bound there
            self.assignments.append(Assignment("module.exports", line(node), (shown,)))
        elif not scope and target and target.startswith(("module.exports.", "exports.")):
            self.assignments.append(Assignment("exports." + target.rsplit(".", 1)[-1], line(node), (render(right),)))
        if flow is not None and left.type == "identifier" and (hit := expr_taint(right, flow)):
            self._taint(flow, scope, text(left), source=hit[0], via=hit[1], at=line(node))

    def _export(self, node: Node) -> None:
        if not any(c.type == "default" for c in node.children):
            self.assignments.extend(named_exports(node))
        else:
            value = node.child_by_field_name("value") or node.child_by_field_name("declaration")
            if value is not None:
                name = value.child_by_field_name("name") if value.type in CLASSES | FUNCTIONS else None
                shown = text(name) if name is not None else render(value)
                # ``export default Router().use(...)``: bound as "default"
                if chain_end(value, "member_expression", _CALLS).type in _CALLS:
                    shown = "default"
                self.assignments.append(Assignment("module.exports", line(node), (shown,)))

    def _module_value(self, name: str, value: Node) -> None:
        """Module-level constants and lists (``const PUBLIC = ["/health"]``)."""
        if value.type == "array":
            self.assignments.append(Assignment(name, line(value), tuple(render(e) for e in named(value))))
            return
        if value.type == "object":  # ``const auth = { required: jwt(...), optional: ... }``
            self.assignments.append(Assignment(name, line(value), tuple(p for m in named(value) if (p := _pair(m)))))
            if name == "config" and (paths := matcher(value)) is not None:  # Next.js middleware's paths
                self.assignments.append(paths)
            return
        lit = literal(value)
        if isinstance(lit, str | int | bool) and not isinstance(lit, tuple):
            self.assignments.append(Assignment(name, line(value), (lit,)))


def _feed_jsx(jsx: JsxSinks | None, kind: str, node: Node, scope: str) -> None:
    """The JSX sink tracer's share of the walk: the bindings it follows, and the attributes it records."""
    if jsx is None:
        return
    if kind == "variable_declarator":
        jsx.declare(node, scope)
    elif kind == "assignment_expression":
        jsx.assign(node, scope)
    elif kind == "call_expression":
        jsx.call(node, scope)
    elif kind == "jsx_attribute":
        jsx.attribute(node, scope)


def _returned(node: Node) -> bool:
    """Whether a function is what the enclosing function returns: ``return function (req, res) {...}``, or
    the body of an arrow (``(deps) => (req, res) => {...}``)."""
    child, parent = node, node.parent
    while parent is not None and parent.type == "parenthesized_expression":
        child, parent = parent, parent.parent
    if parent is None:
        return False
    if parent.type == "return_statement":
        return True
    body = parent.child_by_field_name("body") if parent.type == "arrow_function" else None
    return body is not None and node_key(body) == node_key(child)


def _param_types(node: Node) -> tuple[tuple[str, str], ...]:
    """``(client: PrismaClient, repo: Repository<User>)`` -> (("client", "PrismaClient"), ("repo", "Repository"))."""
    holder = node.child_by_field_name("parameters")
    found: list[tuple[str, str]] = []
    for param in named(holder) if holder is not None else []:
        pattern, annotation = param.child_by_field_name("pattern"), param.child_by_field_name("type")
        inner = named(annotation) if annotation is not None else []
        if pattern is None or pattern.type != "identifier" or not inner:
            continue
        kind = inner[0]
        if kind.type == "generic_type":
            kind = kind.child_by_field_name("name") or kind
        found.append((text(pattern), text(kind)[:80]))
    return tuple(found)


def _request_param(name: str, position: int) -> bool:
    """``req``/``request`` anywhere, ``ctx``/``context`` (Koa) only as the first parameter."""
    return name in {"req", "request"} or (position == 0 and name in REQUEST_OBJECTS)


def _call_line(node: Node, callee: Node | None) -> int:
    """Where the call is written: for a method call, the line of the method's name (``router.route('/x')``
    then ``.get(h)`` on the next line; ``router`` alone on a line before ``.get(...)``), else where the
    expression starts."""
    if callee is not None and callee.type == "member_expression":
        prop = callee.child_by_field_name("property")
        if prop is not None:
            return line(prop)
    return line(node)


def _assigned_to(node: Node) -> str | None:
    """The name a call's value is bound to (``const app = express()``, ``const r = await f()``); every
    call of a fluent chain is bound to the chain's name (``const api = Router().use(a)``: the router is
    ``api``), ``export default`` binds "default"."""
    node = chain_end(node, "member_expression", _CALLS)
    parent = node.parent
    while parent is not None and parent.type in {"await_expression", "parenthesized_expression", "as_expression"}:
        parent = parent.parent
    if parent is not None and parent.type == "assignment_expression" and parent.parent is not None:
        outer = parent.parent  # ``var app = module.exports = express()``: the local name is what the code uses
        if outer.type == "variable_declarator" and (name := outer.child_by_field_name("name")) is not None:
            return text(name) if name.type == "identifier" else None
    if parent is None:
        return None
    if parent.type == "export_statement":
        return "default"
    if parent.type == "variable_declarator":
        name = parent.child_by_field_name("name")
        return text(name) if name is not None and name.type == "identifier" else None
    if parent.type == "assignment_expression":
        left = parent.child_by_field_name("left")
        return dotted(left) if left is not None else None
    return None


def _arg(node: Node) -> Arg:
    while node.type in {"await_expression", "parenthesized_expression"} and named(node):
        node = named(node)[-1]
    if node.type in _CALLS:
        callee = node.child_by_field_name("function") or node.child_by_field_name("constructor")
        inner = node.child_by_field_name("arguments")
        raw = (dotted(callee) or ".".join(chain(callee)[0])) if callee is not None else ""
        return Arg(
            None,
            call=raw,
            call_args=tuple(p for a in named(inner) if (p := _plain(a))) if inner is not None else (),
            items=(render(node),),
        )
    if node.type == "object":
        return Arg(None, items=tuple(_pair(p) for p in named(node) if _pair(p)))
    if node.type in FUNCTIONS and node.is_named:
        return Arg(None, name=function_name(node))
    items = tuple(render(e) for e in named(node)) if node.type == "array" else ()
    return Arg(None, literal=literal(node), name=dotted(node), items=items)


def _pair(node: Node, depth: int = 0) -> str:
    """``key=value`` of an object literal member (``preHandler=[fastify.authenticate]``)."""
    if node.type == "shorthand_property_identifier":
        return f"{text(node)}={text(node)}"
    if node.type == "pair":
        key, value = node.child_by_field_name("key"), node.child_by_field_name("value")
        if key is not None and value is not None:
            return f"{string_value(key) or text(key)}={render(value, depth)}"
    if node.type == "method_definition" and (name := node.child_by_field_name("name")) is not None:
        return f"{text(name)}=<anonymous:{line(node)}>"
    if node.type == "spread_element":  # ``{...defaults, method: "POST"}``: keys this literal cannot show
        inner = named(node)
        return "..." + ((dotted(inner[0]) or "<expr>") if inner else "")
    return ""


def _plain_args(args: tuple[Arg, ...]) -> list[str]:
    return [a.literal if isinstance(a.literal, str) else a.name or a.call or "" for a in args]
