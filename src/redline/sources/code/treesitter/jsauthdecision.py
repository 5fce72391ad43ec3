"""What a NextAuth v5 ``authorized`` callback, or a middleware handed to NextAuth's ``auth(...)``, does with a
caller who has no session, for each kind of path: the function body is run symbolically with the session absent
(``auth`` is null, ``req.auth`` too) and the path unknown. Each test of the path (``pathname.startsWith("/x")``,
``=== "/x"``, ``endsWith``, ``includes``, a literal list's ``includes``/``some``) becomes a condition; the result is
a list of rows ``(conditions, outcome)`` that together cover every path, one row per way through the function.

Outcomes: ``allow`` (a truthy value; from a wrapped middleware, ``NextResponse.next()`` or nothing), ``deny`` (a
falsy value: NextAuth redirects to sign-in), ``respond`` (a response of its own: a redirect, a 401 — the route's
handler does not run), ``pass`` (``authorized`` returning ``NextResponse.next()``: the handler runs, a wrapped
middleware does not) and ``unknown`` (a helper's result, a rewrite, a throw, a statement this does not follow).
A test of anything but the path (the method, a header, a helper's answer) is a condition ``?``: either way may
hold. So a callback that lets some paths through by a test this cannot read never reads as refusing them."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from itertools import count

from redline.sources.code.treesitter.jsnames import dotted
from redline.sources.code.treesitter.nodes import TS_WRAPPERS, Node, named, string_value, text

#: a row of the decision: the path conditions that hold on it (``startsWith:/x``, ``!equals:/y``, ``?``) and the
#: outcome there
Row = tuple[tuple[str, ...], str]
#: ways through one function beyond which its decision is ``unknown``
_MAX_ROWS = 64
#: assignments of open conditions tried in one function beyond which its decision is ``unknown`` (each test the
#: run cannot read doubles them: papermark's ``app/api/views-dataroom/route.ts`` ran for minutes without a bound)
_MAX_SPLITS = 1024
#: the size of a condition beyond which a run gives up (values chosen by ``&&``/``||`` nest into formulas whose
#: written-out size doubles with each)
_MAX_FORMULA = 400
#: values read for their truth in one function beyond which its decision is ``unknown``
_MAX_STEPS = 20_000


class _GiveUp(Exception):
    """A function too branched to read in time: its decision is ``unknown``."""


#: the path tests read: ``pathname.startsWith("/x")`` -> ``startsWith:/x``
_PATH_TESTS = frozenset({"startsWith", "endsWith", "includes"})
#: responses the route's handler never runs behind
_RESPONDS = frozenset(
    {
        "Response.redirect",
        "Response.json",
        "Response.error",
        "NextResponse.redirect",
        "NextResponse.json",
        "NextResponse.error",
    }
)
_PARAMETERS = frozenset({"required_parameter", "optional_parameter"})
_BOUND = frozenset({"identifier", "shorthand_property_identifier_pattern"})
UNKNOWN_ROWS: tuple[Row, ...] = (((), "unknown"),)
#: a key of a run's names set once a way through has called anything: a handler that falls through without
#: having done so answered nothing and did nothing (Pages Router, a method no branch takes)
_ACTED = "\0acted"

# --- values ------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Kind:
    """A value whose meaning is its kind: the session (absent), undefined, the request, ``nextUrl``, the path,
    the callback's one parameter object, something unknown."""

    name: str


SESSION = _Kind("session")
UNDEFINED = _Kind("undefined")
REQUEST = _Kind("request")
NEXT_URL = _Kind("nextUrl")
PATH = _Kind("path")
PARAMS = _Kind("params")
UNKNOWN = _Kind("unknown")
#: the ``authorized`` callback's parameter: v5 ``{ auth, request }``, v4 (``withAuth``) ``{ token, req }``
_CALLBACK_PARAMS = {"auth": SESSION, "request": REQUEST, "token": SESSION, "req": REQUEST}


@dataclass(frozen=True)
class _Literal:
    value: str | float | bool


@dataclass(frozen=True)
class _Strings:
    values: tuple[str, ...]


@dataclass(frozen=True)
class _Response:
    kind: str  # respond / next / other
    #: a 401/403 or a redirect: what refuses a caller (a handler's other responses are its work)
    refusal: bool = False
    #: a 405 or a 429: the method is not answered, or the caller is over its rate, so no work is done
    closed: bool = False


# formulas over path tests: ("atom", key) / ("not", f) / ("and", a, b) / ("or", a, b) / ("const", bool)
Formula = tuple[object, ...]
TRUE: Formula = ("const", True)
FALSE: Formula = ("const", False)


@dataclass(frozen=True)
class _Test:
    """A boolean made of path tests."""

    formula: Formula


@dataclass(frozen=True)
class _Choice:
    """``c ? a : b``, ``a && b``, ``a || b``, ``a ?? b``: one of two values by a formula."""

    when: Formula
    then: object
    otherwise: object


def _absent(value: object) -> bool:
    """By identity: comparing a value chosen by ``||`` from others walks all of them."""
    return value is UNDEFINED or value is SESSION


def _not(f: Formula) -> Formula:
    if f[0] == "const":
        return ("const", not f[1])
    return f[1] if f[0] == "not" else ("not", f)  # type: ignore[return-value]


def _and(a: Formula, b: Formula) -> Formula:
    if FALSE in (a, b):
        return FALSE
    return b if a == TRUE else a if b == TRUE else ("and", a, b)


def _or(a: Formula, b: Formula) -> Formula:
    if TRUE in (a, b):
        return TRUE
    return b if a == FALSE else a if b == FALSE else ("or", a, b)


@dataclass
class _Run:
    """One symbolic run of a function: its mode, the module's string constants, fresh unknown conditions."""

    mode: str  # authorized / authorized4 / wrapped / handler
    constants: Mapping[str, object]
    #: handler mode: the local names bound to the session the handler read (absent), from where they are bound
    session_names: frozenset[str] = frozenset()
    fresh: Iterator[int] = field(default_factory=count)
    rows: int = 0
    #: assignments of conditions tried (``_split``), bounded by ``_MAX_SPLITS``
    splits: int = 0
    #: values read for their truth (``truth``), bounded by ``_MAX_STEPS``
    steps: int = 0
    #: the ``throw`` statements inside a ``try`` block (by their place in the source): caught, not refusing
    caught: set[tuple[int, int]] = field(default_factory=set)

    def unknown_test(self) -> Formula:
        return ("atom", f"?{next(self.fresh)}")

    # expressions --------------------------------------------------------------------------------------

    def value(self, node: Node, names: Mapping[str, object]) -> object:
        kind = node.type
        if kind in TS_WRAPPERS or kind == "await_expression":
            inner = named(node)
            return self.value(inner[0] if kind in TS_WRAPPERS else inner[-1], names) if inner else UNKNOWN
        if kind == "member_expression":
            return self._member(node, names)
        if kind == "unary_expression" and text(node.child_by_field_name("operator") or node) == "!":
            argument = node.child_by_field_name("argument")
            return _Test(_not(self.truth(self.value(argument, names)))) if argument is not None else UNKNOWN
        if kind == "binary_expression":
            return self._binary(node, names)
        if kind == "ternary_expression":
            parts = [node.child_by_field_name(f) for f in ("condition", "consequence", "alternative")]
            if any(p is None for p in parts):
                return UNKNOWN
            when, then, otherwise = (self.value(p, names) for p in parts)
            return _Choice(self.truth(when), then, otherwise)
        if kind == "call_expression":
            return self._call(node, names)
        if kind == "new_expression":
            constructor = node.child_by_field_name("constructor")
            shown = text(constructor) if constructor is not None else ""
            arguments = node.child_by_field_name("arguments")
            status = _status_option(named(arguments) if arguments is not None else [])
            return _status_response(status) if shown in {"Response", "NextResponse"} else UNKNOWN
        return self._plain(node, names)

    def _plain(self, node: Node, names: Mapping[str, object]) -> object:
        """A name, a literal, a list of strings."""
        kind = node.type
        if kind == "identifier":
            if text(node) == "undefined":
                return UNDEFINED
            return names.get(text(node), self.constants.get(text(node), UNKNOWN))
        if kind in {"true", "false"}:
            return _Literal(kind == "true")
        if kind in {"null", "undefined"}:
            return UNDEFINED
        if kind == "number":
            try:
                return _Literal(float(text(node)))
            except ValueError:
                return UNKNOWN
        if (literal := string_value(node)) is not None:
            return _Literal(literal)
        if kind == "array":
            items = [string_value(i) for i in named(node)]
            return _Strings(tuple(i for i in items if i is not None)) if None not in items else UNKNOWN
        return UNKNOWN

    def _member(self, node: Node, names: Mapping[str, object]) -> object:
        owner = node.child_by_field_name("object")
        prop = node.child_by_field_name("property")
        if owner is None or prop is None:
            return UNKNOWN
        base = self.value(owner, names)
        key = text(prop)
        optional = any(c.type == "optional_chain" for c in node.children)
        if base is UNDEFINED:  # inside an optional chain already cut short
            return UNDEFINED
        if base is SESSION:  # absent: ``auth?.user`` is undefined, ``auth.user`` would throw
            return UNDEFINED if optional else UNKNOWN
        return self._property(base, key)

    def _binary(self, node: Node, names: Mapping[str, object]) -> object:
        left, right = node.child_by_field_name("left"), node.child_by_field_name("right")
        operator = node.child_by_field_name("operator")
        if left is None or right is None or operator is None:
            return UNKNOWN
        op = text(operator)
        a, b = self.value(left, names), self.value(right, names)
        if op == "&&":
            return _Choice(self.truth(a), b, a)
        if op == "||":
            return _Choice(self.truth(a), a, b)
        if op == "??":
            return b if a is UNDEFINED or a is SESSION else a if isinstance(a, _Literal | _Strings) else UNKNOWN
        if op in {"===", "==", "!==", "!="}:
            same = self._equal(a, b)
            return _Test(same if op in {"===", "=="} else _not(same))
        return UNKNOWN

    def _equal(self, a: object, b: object) -> Formula:
        if b is PATH:
            a, b = b, a
        if a is PATH and isinstance(b, _Literal) and isinstance(b.value, str):
            return ("atom", f"equals:{b.value}")
        if (_absent(a) and isinstance(b, _Literal)) or (_absent(b) and isinstance(a, _Literal)):
            return FALSE  # an absent user's role equals no literal
        if isinstance(a, _Literal) and isinstance(b, _Literal):
            return TRUE if a.value == b.value else FALSE
        return self.unknown_test()

    def _call(self, node: Node, names: Mapping[str, object]) -> object:
        function = node.child_by_field_name("function")
        arguments = node.child_by_field_name("arguments")
        args = named(arguments) if arguments is not None else []
        if function is None:
            return UNKNOWN
        answered = _response(function, args)
        if answered is not None:
            return answered
        if dotted(function) == "Boolean" and len(args) == 1:
            return _Test(self.truth(self.value(args[0], names)))
        if function.type != "member_expression":
            return UNKNOWN
        owner, prop = function.child_by_field_name("object"), function.child_by_field_name("property")
        if owner is None or prop is None or len(args) != 1:
            return UNKNOWN
        base, method = self.value(owner, names), text(prop)
        if base is PATH and method in _PATH_TESTS:
            arg = self.value(args[0], names)
            if isinstance(arg, _Literal) and isinstance(arg.value, str):
                return _Test(("atom", f"{method}:{arg.value}"))
            if isinstance(arg, _Strings):  # ``pathname.startsWith(...list)`` is no form; a list is not a prefix
                return UNKNOWN
            return _Test(self.unknown_test())
        if isinstance(base, _Strings):
            return self._list_test(base, method, args[0], names)
        return UNKNOWN

    def _list_test(self, values: _Strings, method: str, arg: Node, names: Mapping[str, object]) -> object:
        """``["/a", "/b"].includes(pathname)``, ``PUBLIC.some((p) => pathname.startsWith(p))`` (``every``)."""
        if method == "includes":
            if self.value(arg, names) is not PATH:
                return _Test(self.unknown_test())
            found = FALSE
            for v in values.values:
                found = _or(found, ("atom", f"equals:{v}"))
            return _Test(found)
        if method not in {"some", "every"} or arg.type != "arrow_function":
            return UNKNOWN
        params = _parameter_nodes(arg)
        body = arg.child_by_field_name("body")
        if len(params) != 1 or params[0].type != "identifier" or body is None or body.type == "statement_block":
            return UNKNOWN
        combined = FALSE if method == "some" else TRUE
        for v in values.values:
            test = self.truth(self.value(body, {**names, text(params[0]): _Literal(v)}))
            combined = _or(combined, test) if method == "some" else _and(combined, test)
        return _Test(combined)

    def truth(self, value: object) -> Formula:
        """The formula under which a value is truthy (a value chosen by ``||`` from one so chosen, thirty deep,
        would take 2^30 steps: past ``_MAX_STEPS`` the run gives up)."""
        self.steps += 1
        if self.steps > _MAX_STEPS:
            raise _GiveUp
        if isinstance(value, _Test):
            return value.formula
        if isinstance(value, _Literal):
            return TRUE if value.value else FALSE
        if value is UNDEFINED or value is SESSION:
            return FALSE
        if isinstance(value, _Strings | _Response) or any(value is k for k in (REQUEST, NEXT_URL, PARAMS)):
            return TRUE
        if value is PATH:
            return TRUE  # a path is never empty
        if isinstance(value, _Choice):
            return _or(_and(value.when, self.truth(value.then)), _and(_not(value.when), self.truth(value.otherwise)))
        return self.unknown_test()

    # statements ---------------------------------------------------------------------------------------

    def run(self, statements: list[Node], names: dict[str, object], held: dict[str, bool]) -> list[Row]:
        """The rows of every way through ``statements`` from here, under the conditions ``held``."""
        if self.rows > _MAX_ROWS:
            return [((), "unknown")]
        for at, statement in enumerate(statements):
            kind = statement.type
            rest = statements[at + 1 :]
            if kind in {"lexical_declaration", "variable_declaration"}:
                for declarator in (d for d in named(statement) if d.type == "variable_declarator"):
                    self._declare(declarator, names)
                names.update(dict.fromkeys([_ACTED] if _calls(statement) else [], True))
            elif kind == "expression_statement":
                ended = self._expression(statement, rest, names, held)
                if ended is not None:
                    return ended
                names[_ACTED] = True
            elif kind in {"statement_block", "try_statement"}:
                return self._block(statement, rest, names, held)
            elif kind == "if_statement":
                return self._branch(statement, rest, names, held)
            elif kind == "return_statement":
                returned = named(statement)
                value = self.value(returned[0], names) if returned else UNDEFINED
                return self.outcomes(value, held)
            elif kind == "throw_statement":  # a handler that throws does none of its work (Next answers 500)
                uncaught = self.mode == "handler" and _span(statement) not in self.caught
                return self._leaf(held, "refuse" if uncaught else "unknown")
            elif kind not in {"empty_statement", "function_declaration", "comment"}:
                return self._leaf(held, "unknown")
        return self._fell_through(names, held)

    def _fell_through(self, names: dict[str, object], held: dict[str, bool]) -> list[Row]:
        """The end of the function reached: a handler that has called nothing on the way did nothing (no method
        matched); otherwise the function returned nothing."""
        if self.mode == "handler" and _ACTED not in names:
            return self._leaf(held, "closed")
        return self.outcomes(UNDEFINED, held)

    def _branch(self, statement: Node, rest: list[Node], names: dict[str, object], held: dict[str, bool]) -> list[Row]:
        condition = statement.child_by_field_name("condition")
        consequence = statement.child_by_field_name("consequence")
        alternative = statement.child_by_field_name("alternative")
        if condition is None or consequence is None:
            return self._leaf(held, "unknown")
        otherwise = named(alternative) if alternative is not None else []
        rows: list[Row] = []
        for where, holds in self._split(self.truth(self.value(condition, names)), held):
            taken = [consequence] if holds else otherwise
            rows.extend(self.run([*taken, *rest], dict(names), where))
        return rows

    def outcomes(self, value: object, held: dict[str, bool]) -> list[Row]:
        """The rows a returned value gives, splitting on the conditions it depends on."""
        if isinstance(value, _Choice):
            rows: list[Row] = []
            for where, holds in self._split(value.when, held):
                rows.extend(self.outcomes(value.then if holds else value.otherwise, where))
            return rows
        if self.mode == "handler":  # a route handler or middleware: does it refuse here, or do its work?
            refused = isinstance(value, _Response) and value.refusal
            closed = isinstance(value, _Response) and value.closed
            said = "refuse" if refused else "closed" if closed else "unknown" if value is UNKNOWN else "other"
            return self._leaf(held, said)
        if isinstance(value, _Response) and self.mode == "authorized4":  # v4 reads the value as a boolean
            return self._leaf(held, "allow")
        if isinstance(value, _Response):
            outcome = {"respond": "respond", "next": "pass" if self.mode == "authorized" else "allow"}
            return self._leaf(held, outcome.get(value.kind, "unknown"))
        if self.mode == "wrapped":  # a middleware's value that is no response lets the request through
            return self._leaf(held, "allow" if value is UNDEFINED else "unknown")
        if value is UNKNOWN:
            return self._leaf(held, "unknown")
        rows = []
        for where, holds in self._split(self.truth(value), held):
            rows.extend(self._leaf(where, "allow" if holds else "deny"))
        return rows

    def _split(self, formula: Formula, held: dict[str, bool]) -> list[tuple[dict[str, bool], bool]]:
        """Every assignment of the conditions the formula depends on, extending ``held``, with its value. A
        condition of many open tests (``a || b || …`` of twenty helpers' answers) has too many: past
        ``_MAX_SPLITS``, or for a formula past ``_MAX_FORMULA`` tests, the run gives up and the function's decision
        is ``unknown``."""
        self.splits += 1
        if self.splits > _MAX_SPLITS or _larger_than(formula, _MAX_FORMULA):
            raise _GiveUp
        result = _evaluate(formula, held)
        if result is not None:
            return [(held, result)]
        atom = _first_open(formula, held)
        if atom is None:  # cannot happen: an undecided formula has an open atom
            return [(held, False)]
        return [*self._split(formula, {**held, atom: True}), *self._split(formula, {**held, atom: False})]

    def _leaf(self, held: dict[str, bool], outcome: str) -> list[Row]:
        self.rows += 1
        shown = tuple(sorted("?" if a.startswith("?") else a if v else f"!{a}" for a, v in held.items()))
        return [(tuple(dict.fromkeys(shown)), outcome)]

    def _declare(self, declarator: Node, names: dict[str, object]) -> None:
        pattern, value = declarator.child_by_field_name("name"), declarator.child_by_field_name("value")
        if pattern is None:
            return
        bound = self.value(value, names) if value is not None else UNDEFINED
        if pattern.type == "identifier" and text(pattern) in self.session_names:
            bound = SESSION
        self.bind(pattern, bound, names)

    def bind(self, pattern: Node, value: object, names: dict[str, object]) -> None:
        """A name or a destructuring pattern bound to a value: ``{ nextUrl }`` of the request, ``{ pathname }``
        of ``nextUrl``, ``{ auth, request: { nextUrl } }`` of the callback's parameter."""
        if pattern.type in _PARAMETERS:
            inner = pattern.child_by_field_name("pattern")
            if inner is not None:
                self.bind(inner, value, names)
            return
        if pattern.type == "identifier":
            names[text(pattern)] = value
            return
        for part in named(pattern) if pattern.type == "object_pattern" else []:
            if part.type == "shorthand_property_identifier_pattern":
                names[text(part)] = self._property(value, text(part))
            elif part.type == "pair_pattern":
                key, target = part.child_by_field_name("key"), part.child_by_field_name("value")
                if key is not None and target is not None:
                    self.bind(target, self._property(value, string_value(key) or text(key)), names)
            else:  # a default, a rest element: whatever it binds is unknown
                for leaf in (n for n in _descendants(part) if n.type in _BOUND):
                    names[text(leaf)] = UNKNOWN
        if pattern.type != "object_pattern":
            for leaf in (n for n in _descendants(pattern) if n.type == "identifier"):
                names[text(leaf)] = UNKNOWN

    def _property(self, value: object, key: str) -> object:
        if value is PARAMS:
            return _CALLBACK_PARAMS.get(key, UNKNOWN)
        if value is REQUEST:
            if key == "auth" and self.mode == "wrapped":
                return SESSION
            return NEXT_URL if key == "nextUrl" else UNKNOWN
        if value is NEXT_URL:
            return PATH if key == "pathname" else UNKNOWN
        return UNKNOWN  # destructuring an absent session throws; anything else is not followed

    def _block(self, statement: Node, rest: list[Node], names: dict[str, object], held: dict[str, bool]) -> list[Row]:
        if statement.type == "try_statement":
            return self._try(statement, rest, names, held)
        return self.run([*named(statement), *rest], names, held)

    def _try(self, statement: Node, rest: list[Node], names: dict[str, object], held: dict[str, bool]) -> list[Row]:
        """A handler's ``try``: its block, then what follows. A ``throw`` inside lands in the ``catch`` (which
        may do anything, so it is no refusal); a ``finally`` is read only for a ``return`` that would override."""
        body = statement.child_by_field_name("body")
        finalizer = statement.child_by_field_name("finalizer")
        overrides = finalizer is not None and any(n.type == "return_statement" for n in _descendants(finalizer))
        if self.mode != "handler" or body is None or overrides:
            return self._leaf(held, "unknown")
        self.caught |= {_span(n) for n in _descendants(body) if n.type == "throw_statement"}
        return self.run([*named(body), *rest], names, held)

    def _expression(
        self, statement: Node, rest: list[Node], names: dict[str, object], held: dict[str, bool]
    ) -> list[Row] | None:
        """The rows of an expression statement that ends the function's work, else None (an assignment is
        followed)."""
        if self._throws_redirect(statement):  # ``redirect("/login")`` throws to the framework
            return self.outcomes(_Response("respond", refusal=not _signs_in_anyone(_call_args(statement))), held)
        sent = self._sent(statement, rest)
        if sent is not None:
            return self.outcomes(sent, held)
        self._assign(statement, names)
        return None

    def _sent(self, statement: Node, rest: list[Node]) -> _Response | None:
        """A handler's response sent as a statement and then left by a ``return``/``throw`` (Pages Router
        ``res.status(401).end(); return;``, ``res.redirect("/login"); return;``): what the caller got there. None
        otherwise."""
        if self.mode != "handler" or not rest or rest[0].type not in {"return_statement", "throw_statement"}:
            return None
        expression = named(statement)
        call = expression[0] if expression else None
        function = call.child_by_field_name("function") if call is not None and call.type == "call_expression" else None
        arguments = call.child_by_field_name("arguments") if call is not None else None
        if function is None or function.type != "member_expression":
            return None
        pages = _status_call(function) is not None or (dotted(function) or "").endswith(".redirect")
        if not pages or dotted(function) in _RESPONDS:  # ``NextResponse.json(…)`` unreturned is sent nowhere
            return None
        return _response(function, named(arguments) if arguments is not None else [])

    def _throws_redirect(self, statement: Node) -> bool:
        expression = named(statement)
        call = expression[0] if expression else None
        function = call.child_by_field_name("function") if call is not None and call.type == "call_expression" else None
        return function is not None and text(function) == "redirect"

    def _assign(self, statement: Node, names: dict[str, object]) -> None:
        expression = named(statement)
        if not expression or expression[0].type != "assignment_expression":
            return
        left, right = expression[0].child_by_field_name("left"), expression[0].child_by_field_name("right")
        if left is not None and left.type == "identifier" and text(left) in names:
            names[text(left)] = self.value(right, names) if right is not None else UNKNOWN


def _response(function: Node, args: list[Node]) -> _Response | None:
    """The response a call makes, None when it makes none."""
    callee = dotted(function) or ""
    if callee in _RESPONDS and callee.endswith("redirect"):
        return _Response("respond", refusal=not _signs_in_anyone(args))
    if callee in _RESPONDS:
        return _status_response(_status_option(args))
    if callee == "redirect":  # ``next/navigation``'s, thrown to the framework
        return _Response("respond", refusal=not _signs_in_anyone(args))
    if callee == "NextResponse.next":
        return _Response("next")
    if function.type == "member_expression" and callee.count(".") == 1 and callee.endswith(".redirect"):
        return _Response("respond", refusal=not _signs_in_anyone(args))  # Pages Router ``res.redirect(url)``
    if function.type == "member_expression" and (status := _status_call(function)) is not None:
        return _status_response(status)  # ``res.status(401).json(…)`` (Pages Router)
    return None


#: words of a redirect's target that say it signs the caller in without asking anything (ai-chatbot's
#: ``/api/auth/guest``): a caller without a session sent there comes back with one
_ANYONE_WORDS = frozenset({"guest", "anonymous", "anon"})


def _call_args(statement: Node) -> list[Node]:
    """The arguments of the call an expression statement makes."""
    expression = named(statement)
    arguments = expression[0].child_by_field_name("arguments") if expression else None
    return named(arguments) if arguments is not None else []


def _signs_in_anyone(args: list[Node]) -> bool:
    shown = " ".join(text(a) for a in args).lower()
    return any(word in shown for word in _ANYONE_WORDS)


def _status_response(status: str | None) -> _Response:
    return _Response("respond", refusal=status in {"401", "403"}, closed=status in {"405", "429"})


def _status_option(args: list[Node]) -> str | None:
    """The ``status: N`` an options argument gives, as written."""
    for arg in args:
        if arg.type != "object":
            continue
        for pair in (p for p in named(arg) if p.type == "pair"):
            key, value = pair.child_by_field_name("key"), pair.child_by_field_name("value")
            if key is not None and value is not None and text(key) == "status":
                return text(value)
    return None


def _status_call(function: Node) -> str | None:
    """``res.status(N).json`` -> N as written; None when the callee is no such chain."""
    owner = function.child_by_field_name("object")
    if owner is None or owner.type != "call_expression":
        return None
    callee = owner.child_by_field_name("function")
    arguments = owner.child_by_field_name("arguments")
    if callee is None or callee.type != "member_expression" or arguments is None:
        return None
    prop = callee.child_by_field_name("property")
    if prop is None or text(prop) != "status" or len(named(arguments)) != 1:
        return None
    return text(named(arguments)[0])


def _calls(node: Node) -> bool:
    return any(n.type == "call_expression" for n in _descendants(node))


def _span(node: Node) -> tuple[int, int]:
    return node.start_byte, node.end_byte


def _descendants(node: Node) -> Iterator[Node]:
    stack = [node]
    while stack:
        current = stack.pop()
        yield current
        stack.extend(current.children)


def _larger_than(formula: Formula, limit: int) -> bool:
    """Whether the formula, written out, has more than ``limit`` parts (stops counting there)."""
    stack, seen = [formula], 0
    while stack:
        seen += 1
        if seen > limit:
            return True
        current = stack.pop()
        if current[0] in {"not", "and", "or"}:
            stack.extend(current[1:])  # type: ignore[arg-type]
    return False


def _evaluate(formula: Formula, held: Mapping[str, bool]) -> bool | None:
    kind = formula[0]
    if kind == "const":
        return bool(formula[1])
    if kind == "atom":
        return held.get(str(formula[1]))
    if kind == "not":
        inner = _evaluate(formula[1], held)  # type: ignore[arg-type]
        return None if inner is None else not inner
    a = _evaluate(formula[1], held)  # type: ignore[arg-type]
    b = _evaluate(formula[2], held)  # type: ignore[arg-type]
    if kind == "and":
        return False if a is False or b is False else None if a is None or b is None else True
    return True if a is True or b is True else None if a is None or b is None else False


def _first_open(formula: Formula, held: Mapping[str, bool]) -> str | None:
    if formula[0] == "atom":
        return None if str(formula[1]) in held else str(formula[1])
    if formula[0] == "const":
        return None
    for part in formula[1:]:
        found = _first_open(part, held)  # type: ignore[arg-type]
        if found is not None:
            return found
    return None


def _parameter_nodes(function: Node) -> list[Node]:
    """The parameters' patterns (TypeScript wraps each in a ``required_parameter``)."""
    single = function.child_by_field_name("parameter")
    if single is not None:
        return [single]
    params = function.child_by_field_name("parameters")
    found = []
    for param in named(params) if params is not None else []:
        inner = param.child_by_field_name("pattern") if param.type in _PARAMETERS else param
        found.append(inner if inner is not None else param)
    return found


def decide(
    function: Node, mode: str, constants: Mapping[str, object], session: frozenset[str] = frozenset()
) -> tuple[Row, ...]:
    """The rows of a function (a declaration, an arrow function, an object's method) for a caller without a
    session. ``mode`` is ``authorized`` (NextAuth's callback: its one parameter holds ``auth`` and ``request``;
    ``authorized4`` for v4's ``withAuth``, ``token`` and ``req``, whose result is read as a boolean),
    ``wrapped`` (the middleware given to ``auth(...)``: its first parameter is the request, ``req.auth`` the
    session) or ``handler`` (a route handler or a middleware of the project's own, its first parameter the
    request, whose local names ``session`` hold the session it read: outcomes ``refuse`` for a 401/403, a redirect
    or a throw, ``closed`` for a 405 or 429, ``other`` for any other answer; a redirect to a page that signs anyone in,
    such as a guest sign-in, refuses nobody)."""
    run = _Run(mode, constants)
    params = _parameter_nodes(function)
    names: dict[str, object] = {}
    if mode == "handler":
        run.session_names = session
    if params:
        run.bind(params[0], PARAMS if mode.startswith("authorized") else REQUEST, names)
    body = function.child_by_field_name("body")
    if body is None:
        return UNKNOWN_ROWS
    try:
        if body.type == "statement_block":
            rows = run.run(named(body), names, {})
        else:
            rows = run.outcomes(run.value(body, names), {})
    except _GiveUp:
        return UNKNOWN_ROWS
    if run.rows > _MAX_ROWS:
        return UNKNOWN_ROWS
    return tuple(dict.fromkeys(rows))


def module_constants(root: Node) -> dict[str, object]:
    """Module-level ``const`` names bound to a string or a list of strings (``const PUBLIC = ["/login"]``)."""
    found: dict[str, object] = {}
    for statement in named(root):
        declaration = statement
        if statement.type == "export_statement":
            declaration = statement.child_by_field_name("declaration") or statement
        if declaration.type != "lexical_declaration":
            continue
        for declarator in (d for d in named(declaration) if d.type == "variable_declarator"):
            name, value = declarator.child_by_field_name("name"), declarator.child_by_field_name("value")
            while value is not None and value.type in TS_WRAPPERS:
                value = named(value)[0] if named(value) else None
            if name is None or value is None or name.type != "identifier":
                continue
            if (literal := string_value(value)) is not None:
                found[text(name)] = _Literal(literal)
            elif value.type == "array" and all(string_value(i) is not None for i in named(value)):
                found[text(name)] = _Strings(tuple(string_value(i) or "" for i in named(value)))
    return found
