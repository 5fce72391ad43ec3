"""Environment variables read with a literal fallback in JavaScript/TypeScript (``process.env.X || 'dev'``,
``?? 'dev'``, ``const { X = 'dev' } = process.env``), with the name or call the value goes to and whether the
module stops when the variable is missing: the facts a committed default secret is judged on."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field, replace

from redline.sources.code.model import EnvDefault
from redline.sources.code.treesitter.jsnames import dotted
from redline.sources.code.treesitter.nodes import TS_WRAPPERS, Node, line, named, string_value, text, unwrapped

_FALLBACK_OPERATORS = frozenset({"||", "??"})
#: calls that stop the module when their argument is falsy (``assert(process.env.JWT_SECRET)``)
_ASSERTS = frozenset({"assert", "invariant", "assert.ok", "console.assert"})
#: the node types ``EnvDefaults.see`` looks at (every other node of the walk is passed over at once)
ENV_NODES = frozenset(
    {"binary_expression", "object_assignment_pattern", "if_statement", "call_expression", "throw_statement", "string"}
)
#: an environment variable's name as a string or key (``JWT_SECRET``)
_VARIABLE = re.compile(r"^[A-Z][A-Z0-9]*(_[A-Z0-9]+)+$")
_MAX_MENTIONS = 500
#: a condition true only in development or tests (``process.env.NODE_ENV !== 'production'``, ``isDev``)
_DEVELOPMENT = re.compile(
    r"""(?i)NODE_ENV\s*===?\s*['"`](development|dev|test|local)['"`]|NODE_ENV\s*!==?\s*['"`]production['"`]"""
    r"|\bis_?(dev|development|test|testing|local)(_?mode|_?env)?\b|__DEV__"
)
_SCOPES = frozenset({"function_declaration", "function_expression", "arrow_function", "method_definition", "program"})
#: the file name of a start-up check: where a list of variable names and a ``throw`` mean "refuse to start"
_CHECKER = re.compile(r"(?i)validat|check|assert|ensure|requir|verify|sanity|secret|startup|bootstrap|preflight")
#: environment schema calls that throw at start-up when a variable without a default is missing (envalid
#: ``cleanEnv``, t3-env ``createEnv``, ``envsafe``, zod/Joi/yup ``object``)
SCHEMAS = frozenset({"cleanEnv", "createEnv", "envsafe", "object"})
#: how the callee of a call ``EnvDefaults`` reads ends (the rest are passed over without building their names)
_CALL_ENDINGS = (b"exit", b"assert", b"invariant", b".ok", b"cleanEnv", b"createEnv", b"envsafe", b"object")
#: what makes a schema entry optional: a default, ``.optional()``, ``.nullish()``, envalid ``devDefault``
_OPTIONAL = re.compile(r"default|optional|nullish|nullable|devDefault")
Resolve = Callable[[Node], str | None]
#: a fallback that says "not set" instead of being a value (dokploy sends ``process.env.API_KEY || "NO-DEFINED"``,
#: which its server, reading the variable without a fallback, never accepts)
_UNSET = re.compile(
    r"(?i)^[\s<\[{(]*(undefined|null|none|nil|missing|unset|empty|not[-_ ]?set|no[-_ ]?(t[-_ ]?)?defined|"
    r"not[-_ ]?configured|not[-_ ]?provided|not[-_ ]?available|required|must[-_ ]?be[-_ ]?set|n/?a)[\s>\]})]*$"
)


#: a fallback that stands for "no key needed": vLLM's ``"EMPTY"``, ``"sk-no-key-required"``, ``"placeholder"``
#: (a provider's key-kind prefix first: Stripe's ``sk_placeholder``, ``sk_test_dummy``)
_DUMMY = re.compile(
    r"(?i)^((sk|pk|rk)[-_](test[-_]|live[-_])?)?"
    r"((dummy|placeholder|fake)([-_ ]?[a-z]+)*|unused|not[-_ ]?needed|not[-_ ]?required|no[-_ ]?key|"
    r"(sk-)?no[-_ ]?key[-_ ]?required|anything|demo([-_ ]?(key|token))?|public([-_ ]?key)?|x+|\*+|-+|\.+)$"
)


def fallback_marker(value: str, variables: tuple[str, ...] = ()) -> str:
    """What a fallback literal says instead of being a value: "unset" (``"NO-DEFINED"``, ``"<required>"``),
    "dummy" (``"placeholder"``, or the provider the variable names: ``OLLAMA_API_KEY`` -> ``"ollama"``), else ""."""
    if _UNSET.match(value):
        return "unset"
    # only for a key or token (a client's, which a local server may not check), never a password: khoj's
    # ``POSTGRES_PASSWORD`` defaulting to "postgres" is the database's well-known password
    providers = {v.split("_", 1)[0].lower() for v in variables if "_" in v and v.endswith(("_KEY", "_TOKEN"))}
    return "dummy" if _DUMMY.match(value) or value.lower() in providers else ""


def env_variable(node: Node) -> str | None:
    """``process.env.X`` / ``process.env['X']`` / ``Bun.env.X`` -> "X", else None."""
    node = unwrapped(node)
    if node.type == "member_expression":
        owner, prop = node.child_by_field_name("object"), node.child_by_field_name("property")
        if owner is not None and prop is not None and _is_env(owner):
            return text(prop)
    if node.type == "subscript_expression":
        owner, index = node.child_by_field_name("object"), node.child_by_field_name("index")
        key = string_value(index) if index is not None else None
        if owner is not None and key and _is_env(owner):
            return key
    return None


def _is_env(node: Node) -> bool:
    return dotted(node) in {"process.env", "Bun.env"}


def _operands(node: Node) -> list[Node]:
    """The operands of a ``||``/``??`` chain, left to right (``a || b ?? c`` -> [a, b, c])."""
    out: list[Node] = []
    stack = [node]
    while stack:
        current = stack.pop()
        op = current.child_by_field_name("operator") if current.type == "binary_expression" else None
        if op is not None and op.type in _FALLBACK_OPERATORS:
            left, right = current.child_by_field_name("left"), current.child_by_field_name("right")
            stack.extend(n for n in (right, left) if n is not None)
        else:
            out.append(current)
    return out


def _outer(node: Node) -> Node:
    """The expression a value is, wrappers included (``(process.env.X || 'y') as string``)."""
    while node.parent is not None and node.parent.type in TS_WRAPPERS:
        node = node.parent
    return node


def _destination(node: Node) -> tuple[str, Node | None]:
    """The name or key path the value at ``node`` is bound to, and the call it is an argument of (directly or
    inside object literals), if any."""
    keys: list[str] = []
    current = _outer(node)
    while current.parent is not None:
        parent = current.parent
        if parent.type == "pair":
            key = parent.child_by_field_name("key")
            keys.append((string_value(key) or text(key)) if key is not None else "")
            current = _outer(parent.parent) if parent.parent is not None else parent
            continue
        if parent.type == "arguments":
            return ".".join(reversed(keys)), parent.parent
        if parent.type == "variable_declarator":
            name = parent.child_by_field_name("name")
            if name is not None and name.type == "identifier":
                keys.append(text(name))
        elif parent.type == "assignment_expression":
            left = parent.child_by_field_name("left")
            keys.append((dotted(left) or "") if left is not None else "")
        elif parent.type in {"public_field_definition", "field_definition"}:
            prop = parent.child_by_field_name("name") or parent.child_by_field_name("property")
            keys.append(f"this.{text(prop)}" if prop is not None else "")
        break
    return ".".join(k for k in reversed(keys) if k), None


@dataclass
class EnvDefaults:
    """Collects a module's fallbacks during the walk; ``found`` marks those the module checks at the end, and
    ``validated`` names the variables the module makes the service stop without (for the other modules)."""

    defaults: list[EnvDefault] = field(default_factory=list)
    #: variables and local names an ``if`` that throws or exits, or an assertion, tests
    required: set[str] = field(default_factory=set)
    #: variable names written as strings (``{ key: 'JWT_SECRET', value: 'secretKey' }``): validated when the
    #: module can stop the service (a ``throw``, ``process.exit``)
    mentioned: set[str] = field(default_factory=set)
    stops: bool = False
    #: the keys of an environment schema (``cleanEnv(process.env, { JWT_SECRET: str() })``, ``createEnv``,
    #: ``z.object({ JWT_SECRET: z.string() })``) without a default: the library throws when one is missing
    schema: set[str] = field(default_factory=set)

    def see(self, kind: str, node: Node, scope: str, resolve: Resolve) -> None:
        """One node of the walk (``kind`` is its type): a fallback chain, a destructuring default, or a check that
        stops the module."""
        if kind not in ENV_NODES:
            return
        if kind == "binary_expression" and not _inside_chain(node):
            self._chain(node, scope, resolve)
        elif kind == "object_assignment_pattern":
            self._destructured(node, scope)
        elif kind == "if_statement":
            self._guard(node)
        elif kind == "throw_statement":
            self.stops = True
        elif kind == "string":
            raw: bytes = node.text or b""
            value = raw[1:-1].decode("ascii", "replace") if 4 < len(raw) < 80 and raw[1:2].isupper() else ""
            if value and len(self.mentioned) < _MAX_MENTIONS and _VARIABLE.match(value) and not _a_read(node):
                self.mentioned.add(value)
        elif kind == "call_expression":
            callee = node.child_by_field_name("function")
            if callee is not None and (callee.text or b"").endswith(_CALL_ENDINGS):
                self._call(node, scope, resolve)

    def _call(self, node: Node, scope: str, resolve: Resolve) -> None:
        callee = node.child_by_field_name("function")
        args = node.child_by_field_name("arguments")
        name = (dotted(callee) or "") if callee is not None else ""
        if args is None or not named(args):
            return
        if name == "process.exit":
            self.stops = True
        elif name in _ASSERTS:
            self.required.update(_names_in(named(args)[0]))
        elif name.rsplit(".", 1)[-1] in SCHEMAS:
            target = resolve(callee) if callee is not None else None
            for arg in (a for a in named(args) if a.type == "object"):
                self.schema |= _schema_keys(arg)
                self.defaults += [
                    replace(d, function=scope, within=name, within_target=target) for d in _schema_defaults(arg)
                ]

    def _chain(self, node: Node, scope: str, resolve: Resolve) -> None:
        parts = _operands(node)
        if len(parts) < 2:
            return
        variables = tuple(v for p in parts[:-1] if (v := env_variable(p)))
        fallback = string_value(unwrapped(parts[-1]))
        if not variables or fallback is None:
            return
        bound, call = _destination(node)
        within, target = "", None
        if call is not None:
            callee = call.child_by_field_name("function") or call.child_by_field_name("constructor")
            within = (dotted(callee) or "") if callee is not None else ""
            target = resolve(callee) if callee is not None else None
        marker = fallback_marker(fallback, variables)
        dev = _in_development_branch(node)
        self.defaults.append(
            EnvDefault(variables, line(node), scope, len(fallback), bound, within, target, marker=marker, dev_only=dev)
        )

    def _destructured(self, node: Node, scope: str) -> None:
        """``const { JWT_SECRET = 'dev' } = process.env``."""
        pattern, declarator = node.parent, node.parent.parent if node.parent is not None else None
        if pattern is None or pattern.type != "object_pattern" or declarator is None:
            return
        value = declarator.child_by_field_name("value") if declarator.type == "variable_declarator" else None
        left, right = node.child_by_field_name("left"), node.child_by_field_name("right")
        if value is None or not _is_env(unwrapped(value)) or left is None or right is None:
            return
        fallback = string_value(unwrapped(right))
        if left.type == "shorthand_property_identifier_pattern" and fallback is not None:
            name = text(left)
            marker = fallback_marker(fallback, (name,))
            dev = _in_development_branch(node)
            self.defaults.append(
                EnvDefault((name,), line(node), scope, len(fallback), name, marker=marker, dev_only=dev)
            )

    def _guard(self, node: Node) -> None:
        condition, consequence = node.child_by_field_name("condition"), node.child_by_field_name("consequence")
        if condition is not None and consequence is not None and _stops(consequence):
            self.required.update(_names_in(condition))

    def found(self) -> tuple[EnvDefault, ...]:
        def checked(d: EnvDefault) -> bool:
            local = d.bound.rsplit(".", 1)[-1] if d.bound else ""
            return bool(self.required & {*d.variables, d.bound, local} - {""})

        return tuple(replace(d, checked=True) if checked(d) else d for d in self.defaults)

    def validated(self, path: str) -> tuple[str, ...]:
        """The variables this module stops the service without: tested before a throw, asserted, required by a
        schema, or named in a start-up check that throws (ever-gauzy's ``bootstrap/validate-secrets.ts`` lists
        ``'JWT_SECRET'`` and refuses to start in production with its committed default)."""
        names = {n for n in self.required if _VARIABLE.match(n)} | self.schema
        checker = self.stops and bool(_CHECKER.search(path.rsplit("/", 1)[-1]))
        return tuple(sorted(names | (self.mentioned if checker else set())))


def _schema_entries(obj: Node, depth: int = 0) -> Iterator[tuple[str, Node]]:
    """(variable name, schema value) of a schema object's entries, one nested level deep (t3
    ``createEnv({ server: { JWT_SECRET: z.string() } })``)."""
    for pair in named(obj):
        key, value = pair.child_by_field_name("key"), pair.child_by_field_name("value")
        if pair.type != "pair" or key is None or value is None:
            continue
        name = string_value(key) or text(key)
        if value.type == "object" and depth < 1:
            yield from _schema_entries(value, depth + 1)
        elif _VARIABLE.match(name):
            yield name, value


def _schema_keys(obj: Node) -> set[str]:
    """The variable-named keys of a schema object whose value gives no default."""
    return {name for name, value in _schema_entries(obj) if not _OPTIONAL.search(text(value))}


def _schema_defaults(obj: Node) -> list[EnvDefault]:
    """The variable-named keys of a schema object given a literal default (zod/Joi/yup ``z.string().default('dev')``,
    envalid ``str({ default: 'dev' })``; envalid's ``devDefault`` applies outside production only): the schema fills
    in the committed value when the variable is unset."""
    found: list[EnvDefault] = []
    for name, value in _schema_entries(obj):
        if (default := _literal_default(value)) is not None:
            literal, dev = default
            fallback = string_value(literal) or ""
            marker = fallback_marker(fallback, (name,))
            found.append(EnvDefault((name,), line(literal), "", len(fallback), name, marker=marker, dev_only=dev))
    return found


def _literal_default(value: Node) -> tuple[Node, bool] | None:
    """The string literal a schema entry defaults to, and whether only in development: the argument of a
    ``.default(…)`` in the entry's call chain, or the ``default``/``devDefault`` member of an options object."""
    node: Node | None = value
    while node is not None and node.type == "call_expression":
        callee, args = node.child_by_field_name("function"), node.child_by_field_name("arguments")
        given = named(args) if args is not None else []
        member = callee is not None and callee.type == "member_expression"
        prop = callee.child_by_field_name("property") if callee is not None and member else None
        if prop is not None and text(prop) == "default" and given and string_value(given[0]) is not None:
            return given[0], False
        found = next((d for a in given if a.type == "object" and (d := _options_default(a)) is not None), None)
        if found is not None:
            return found
        node = callee.child_by_field_name("object") if callee is not None and member else None
    return None


def _options_default(options: Node) -> tuple[Node, bool] | None:
    """envalid's ``{ default: 'x' }`` / ``{ devDefault: 'x' }`` (the second only outside production)."""
    for pair in (p for p in named(options) if p.type == "pair"):
        key, literal = pair.child_by_field_name("key"), pair.child_by_field_name("value")
        if key is None or literal is None or string_value(literal) is None:
            continue
        if text(key) in {"default", "devDefault"}:
            return literal, text(key) == "devDefault"
    return None


def _in_development_branch(node: Node) -> bool:
    """Whether ``node`` is in the branch of an ``if`` or ``?:`` taken only in development or tests, within its
    function."""
    child, parent = node, node.parent
    while parent is not None and parent.type not in _SCOPES:
        if parent.type in {"if_statement", "ternary_expression"}:
            condition = parent.child_by_field_name("condition")
            taken = parent.child_by_field_name("consequence")
            if (
                condition is not None
                and taken is not None
                and taken.id == child.id
                and _DEVELOPMENT.search(text(condition))
            ):
                return True
        child, parent = parent, parent.parent
    return False


def _a_read(node: Node) -> bool:
    """A string that reads the variable rather than names it for a check: ``process.env['X']``, or the name given
    to a helper with a default (``getEnv('X', 'dev')``)."""
    parent = node.parent
    if parent is not None and parent.type == "subscript_expression":
        owner = parent.child_by_field_name("object")
        return owner is not None and _is_env(owner)
    return parent is not None and parent.type == "arguments" and len(named(parent)) > 1


def _inside_chain(node: Node) -> bool:
    parent = node.parent
    while parent is not None and parent.type in TS_WRAPPERS:
        parent = parent.parent
    op = parent.child_by_field_name("operator") if parent is not None and parent.type == "binary_expression" else None
    return op is not None and op.type in _FALLBACK_OPERATORS


def _stops(node: Node) -> bool:
    """Whether a branch throws or exits the process as one of its own statements (``throw new Error(...)``,
    ``process.exit(1)``): the guard's form; nested blocks are not searched, so every ``if`` costs its own
    statements only."""
    statements = named(node) if node.type == "statement_block" else [node]
    for statement in statements:
        if statement.type == "throw_statement":
            return True
        inner = named(statement) if statement.type == "expression_statement" else []
        call = inner[0] if inner else None
        if call is not None and call.type == "call_expression":
            callee = call.child_by_field_name("function")
            if callee is not None and dotted(callee) == "process.exit":
                return True
    return False


def _names_in(node: Node) -> set[str]:
    """The environment variables and plain names an expression reads."""
    names: set[str] = set()
    stack = [node]
    while stack:
        current = stack.pop()
        variable = env_variable(current)
        if variable is not None:
            names.add(variable)
            continue
        if current.type == "identifier":
            names.add(text(current))
        elif current.type == "member_expression" and (name := dotted(current)):
            names.update({name, name.rsplit(".", 1)[-1]})
        stack.extend(current.children)
    return names
