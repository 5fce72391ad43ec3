"""NextAuth v5 (Auth.js) wiring in one module, for a Next.js middleware's guard to be resolved across modules:
option objects with their ``authorized`` callback (``export const authConfig = { callbacks: { authorized() {…} } }``,
the object written in ``NextAuth({...authConfig, providers})``), the ``NextAuth(config)`` calls and the names their
``auth`` is bound to (``export const { auth, handlers } = NextAuth(…)``, ``export default NextAuth(authConfig).auth``),
and a middleware handed to ``auth`` (``export default auth((req) => {…})``). The callbacks' and middlewares'
decisions are read by ``jsauthdecision``."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping

from redline.sources.code.model import NextAuthFact
from redline.sources.code.treesitter.jsauthdecision import UNKNOWN_ROWS, Row, decide, module_constants
from redline.sources.code.treesitter.nodes import Node, line, named, string_value, text, unwrapped

_FUNCTIONS = frozenset({"arrow_function", "function_expression", "function"})
#: keys that make a module-level object NextAuth's options
_OPTION_KEYS = frozenset({"callbacks", "providers", "pages"})
#: the names Next.js runs a middleware under
_MIDDLEWARE_EXPORTS = frozenset({"default", "middleware", "proxy"})
#: what ``import NextAuth from "next-auth"`` resolves to
_NEXTAUTH = frozenset({"next-auth", "next-auth.default"})


def worth_reading(source: bytes) -> bool:
    """Only a module that names NextAuth, ``authorized`` or a wrapped middleware is read."""
    return b"NextAuth" in source or b"authorized" in source or b"auth(" in source


def nextauth_facts(root: Node, imports: Mapping[str, str], path: str) -> tuple[NextAuthFact, ...]:
    """The module's NextAuth facts; a wrapped middleware only in ``middleware.*``/``proxy.*``, the one place Next.js
    runs one (``export default withRouter(Page)`` elsewhere is a component)."""
    constants = module_constants(root)
    functions: dict[str, Node] = {}
    for statement in named(root):
        declared = statement.child_by_field_name("declaration") if statement.type == "export_statement" else statement
        name = declared.child_by_field_name("name") if declared is not None else None
        if declared is not None and declared.type == "function_declaration" and name is not None:
            functions[text(name)] = declared
    stem = path.rsplit("/", 1)[-1].split(".", 1)[0]
    reader = _Reader(imports, constants, functions, wraps=stem in {"middleware", "proxy"})
    for binding, value, exported in _bindings(root):
        reader.binding(binding, value, exported)
    return tuple(reader.found)


def _bindings(root: Node) -> Iterator[tuple[Node | None, Node, str | None]]:
    """(pattern, value, the name it is exported under or None) of each module-level binding; ``export default
    X`` has no pattern."""
    for statement in named(root):
        exported = statement.type == "export_statement"
        declaration = statement.child_by_field_name("declaration") if exported else statement
        if exported and any(c.type == "default" for c in statement.children):
            value = statement.child_by_field_name("value")
            if value is not None:
                yield None, value, "default"
            continue
        if declaration is None or declaration.type not in {"lexical_declaration", "variable_declaration"}:
            continue
        for declarator in (d for d in named(declaration) if d.type == "variable_declarator"):
            pattern, value = declarator.child_by_field_name("name"), declarator.child_by_field_name("value")
            if pattern is not None and value is not None:
                name = text(pattern) if exported and pattern.type == "identifier" else None
                yield pattern, value, name


class _Reader:
    def __init__(
        self, imports: Mapping[str, str], constants: Mapping[str, object], functions: Mapping[str, Node], *, wraps: bool
    ):
        self.imports = imports
        self.wraps = wraps
        self.constants = constants
        self.functions = functions
        self.found: list[NextAuthFact] = []

    def binding(self, pattern: Node | None, value: Node, exported: str | None) -> None:
        value = unwrapped(value)
        local = text(pattern) if pattern is not None and pattern.type == "identifier" else None
        if value.type == "object" and local is not None and _is_options(value):
            self.found.append(self._config(local, value))
        elif value.type == "call_expression" and self._is_nextauth(value):
            self._instance(value, _auth_names(pattern, exported))
        elif value.type == "member_expression":
            owner, prop = value.child_by_field_name("object"), value.child_by_field_name("property")
            if owner is not None and prop is not None and text(prop) == "auth":
                owner = unwrapped(owner)
                if owner.type == "call_expression" and self._is_nextauth(owner):
                    self._instance(owner, (exported or local or "",))
        if (
            self.wraps
            and value.type == "call_expression"
            and exported in _MIDDLEWARE_EXPORTS
            and not self._is_nextauth(value)
        ):
            if self._is_with_auth(value):
                self._with_auth(value, exported or "")
            else:
                self._wrapped(value, exported or "")

    def _is_nextauth(self, call: Node) -> bool:
        function = call.child_by_field_name("function")
        return function is not None and function.type == "identifier" and self.imports.get(text(function)) in _NEXTAUTH

    def _is_with_auth(self, call: Node) -> bool:
        function = call.child_by_field_name("function")
        return function is not None and self.imports.get(text(function)) == "next-auth/middleware.withAuth"

    def _with_auth(self, call: Node, exported: str) -> None:
        """v4's ``withAuth(fn?, { callbacks: { authorized } })``: its own callback's decision (v4 reads the result as
        a boolean, ``{ token, req }``)."""
        arguments = call.child_by_field_name("arguments")
        for options in (unwrapped(a) for a in (named(arguments) if arguments is not None else [])):
            callbacks = (
                next((m for m in named(options) if _key(m) == "callbacks"), None) if options.type == "object" else None
            )
            if callbacks is not None:
                rows, at = self._authorized(callbacks, "authorized4")
                fact = NextAuthFact(
                    "withauth", "withAuth", at or line(call), binds=(exported,), callbacks=True, rows=rows
                )
                self.found.append(fact)
                return

    def _instance(self, call: Node, binds: tuple[str, ...]) -> None:
        arguments = call.child_by_field_name("arguments")
        first = unwrapped(named(arguments)[0]) if arguments is not None and named(arguments) else None
        config = "?"
        if first is not None and first.type == "identifier":
            config = text(first)
        elif first is not None and first.type == "object":
            config = f"NextAuth@{line(call)}"
            self.found.append(self._config(config, first))
        self.found.append(NextAuthFact("instance", config, line(call), binds=tuple(b for b in binds if b)))

    def _config(self, name: str, options: Node) -> NextAuthFact:
        """An options object; its line is its ``authorized`` callback's when it has one."""
        spreads = tuple(text(unwrapped(named(m)[0])) for m in named(options) if m.type == "spread_element" and named(m))
        callbacks = next((m for m in named(options) if _key(m) == "callbacks"), None)
        if callbacks is None:
            return NextAuthFact("config", name, line(options), spreads=spreads)
        rows, at = self._authorized(callbacks, "authorized")
        return NextAuthFact("config", name, at or line(options), spreads=spreads, callbacks=True, rows=rows)

    def _authorized(self, callbacks: Node, mode: str) -> tuple[tuple[Row, ...] | None, int]:
        """The ``authorized`` callback's decision and line; None when the callbacks have none; unknown when they
        cannot be read (a name, a spread that may bring one)."""
        value = callbacks.child_by_field_name("value") if callbacks.type == "pair" else None
        value = unwrapped(value) if value is not None else None
        if value is None or value.type != "object":
            return UNKNOWN_ROWS, 0
        for member in named(value):
            if _key(member) != "authorized":
                continue
            if member.type == "method_definition":
                return decide(member, mode, self.constants), line(member)
            function = self._function(member.child_by_field_name("value"))
            rows = decide(function, mode, self.constants) if function is not None else UNKNOWN_ROWS
            return rows, line(member)
        return (UNKNOWN_ROWS if any(m.type == "spread_element" for m in named(value)) else None), 0

    def _function(self, node: Node | None) -> Node | None:
        if node is None:
            return None
        node = unwrapped(node)
        if node.type in _FUNCTIONS:
            return node
        return self.functions.get(text(node)) if node.type == "identifier" else None

    def _wrapped(self, call: Node, exported: str) -> None:
        """``export default auth((req) => {…})``: the middleware given to the wrapper, and its decision."""
        function = call.child_by_field_name("function")
        arguments = call.child_by_field_name("arguments")
        args = named(arguments) if arguments is not None else []
        if function is None or len(args) != 1:
            return
        handed = self._function(args[0])
        if handed is None:
            return
        rows = decide(handed, "wrapped", self.constants)
        self.found.append(NextAuthFact("wrapped", text(function), line(call), binds=(exported,), rows=rows))


def _is_options(options: Node) -> bool:
    return any(_key(m) in _OPTION_KEYS for m in named(options))


def _key(member: Node) -> str:
    if member.type == "shorthand_property_identifier":
        return text(member)
    key = member.child_by_field_name("key") or member.child_by_field_name("name")
    if key is None:
        return ""
    return string_value(key) or text(key)


def _auth_names(pattern: Node | None, exported: str | None) -> tuple[str, ...]:
    """The names a ``NextAuth(…)`` result's ``auth`` is bound to: ``{ auth }`` -> auth, ``{ auth: middleware }``
    -> middleware, ``const nextAuth = NextAuth(…)`` -> nextAuth.auth."""
    if pattern is None:
        return (f"{exported}.auth",) if exported else ()
    if pattern.type == "identifier":
        return (f"{text(pattern)}.auth",)
    found = []
    for part in named(pattern) if pattern.type == "object_pattern" else []:
        if part.type == "shorthand_property_identifier_pattern" and text(part) == "auth":
            found.append("auth")
        elif part.type == "pair_pattern":
            key, target = part.child_by_field_name("key"), part.child_by_field_name("value")
            if key is not None and target is not None and text(key) == "auth" and target.type == "identifier":
                found.append(text(target))
    return tuple(found)


def reads_sessions(path: str) -> bool:
    """A Next.js route handler (``app/**/route.ts``), Pages Router API route (``pages/api/**``) or middleware
    (``middleware.ts``, Next 16's ``proxy.ts``): the files whose session reads decide who is refused."""
    stem = path.rsplit("/", 1)[-1].split(".", 1)[0]
    return stem in {"route", "middleware", "proxy"} or path.startswith("pages/api/") or "/pages/api/" in path


def session_decisions(
    root: Node, name_of: Callable[[Node], str], imports: Mapping[str, str]
) -> tuple[tuple[str, str, int, tuple[Row, ...]], ...]:
    """(function, callee, line, rows) for each module-level function that binds ``const session = await callee()``
    (anywhere in its body but in functions it defines): the decision rows of the function for a caller without
    that session (``if (!session) return res.status(401).end()`` refuses; a read that only sends signed-in
    callers elsewhere refuses nobody). Several reads of one callee (one per method branch) are one session. The
    callee is judged by the route reader (NextAuth's ``getServerSession``/``getToken``, the project's ``auth``),
    so only an imported callee is tried."""
    constants = module_constants(root)
    found: list[tuple[str, str, int, tuple[Row, ...]]] = []
    for function in _module_functions(root):
        body = function.child_by_field_name("body")
        if body is None or body.type != "statement_block":
            continue
        reads: dict[str, tuple[set[str], int]] = {}
        for local, callee, at in _session_reads(body):
            if callee in imports:
                reads.setdefault(callee, (set(), at))[0].add(local)
        for callee, (names, at) in reads.items():
            rows = decide(function, "handler", constants, frozenset(names))
            found.append((name_of(function), callee, at, rows))
    return tuple(found)


def _module_functions(root: Node) -> Iterator[Node]:
    for statement in named(root):
        node = statement
        if statement.type == "export_statement":
            node = statement.child_by_field_name("declaration") or statement.child_by_field_name("value") or statement
        if node.type in {"function_declaration", *_FUNCTIONS}:
            yield node
        elif node.type in {"lexical_declaration", "variable_declaration"}:
            for declarator in (d for d in named(node) if d.type == "variable_declarator"):
                value = declarator.child_by_field_name("value")
                if value is not None and unwrapped(value).type in _FUNCTIONS:
                    yield unwrapped(value)


def _declarations(body: Node) -> Iterator[Node]:
    """The ``const``/``let``/``var`` statements of a function body, in branches and blocks too, not in the
    functions it defines."""
    stack = list(reversed(named(body)))
    while stack:
        node = stack.pop()
        if node.type in {"lexical_declaration", "variable_declaration"}:
            yield node
        elif node.type not in {"function_declaration", "method_definition", "class_declaration", *_FUNCTIONS}:
            stack.extend(reversed(named(node)))


def _session_reads(body: Node) -> Iterator[tuple[str, str, int]]:
    """``const session = await auth()`` in a function's body: (local, callee, line)."""
    for statement in _declarations(body):
        for declarator in (d for d in named(statement) if d.type == "variable_declarator"):
            pattern, value = declarator.child_by_field_name("name"), declarator.child_by_field_name("value")
            if pattern is None or value is None or pattern.type != "identifier":
                continue
            value = unwrapped(value)
            if value.type == "await_expression" and named(value):
                value = unwrapped(named(value)[-1])
            function = value.child_by_field_name("function") if value.type == "call_expression" else None
            if function is not None and function.type == "identifier":
                yield text(pattern), text(function), line(value)
