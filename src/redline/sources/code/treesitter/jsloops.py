"""JavaScript/TypeScript loop facts: ``for``/``for...of``/``for...in``/``while`` statements and iteration
callbacks (``xs.map(fn)``, ``xs.forEach(fn)``, ``async.each(xs, fn)``, ``Promise.all(xs.map(async ...))``),
with the names each iteration binds and what is iterated."""

from __future__ import annotations

import re

from redline.sources.code.model import Loop
from redline.sources.code.treesitter.jsnames import chain, dotted
from redline.sources.code.treesitter.loopscope import Grammar, LoopScopes, bound
from redline.sources.code.treesitter.nodes import Node, end_line, line, literal, named, string_value

FUNCTION_TYPES = frozenset({"arrow_function", "function_expression", "function", "generator_function"})
JS_GRAMMAR = Grammar(
    functions=frozenset(
        {
            "function_declaration",
            "generator_function_declaration",
            "function_expression",
            "function",
            "arrow_function",
            "method_definition",
            "generator_function",
        }
    ),
    breakable=frozenset({"switch_statement"}),
    catches=frozenset({"catch_clause"}),
    ifs=frozenset({"if_statement"}),
    names=frozenset({"identifier", "shorthand_property_identifier"}),
    skip_reads=frozenset(),
    #: ``return res.status(404).json(...)``, ``return next(err)``, ``return reply.code(400)``: an error response
    error_return=re.compile(
        r"^return\s+(res|reply|response|ctx)\.(status|code|sendStatus)\(\s*[45]\d\d|^return\s+next\(|\berr\b|Error\("
    ),
    error_condition=re.compile(
        r"^\(\s*(err|error|e|ex|exc)\s*\)$|\b(err|error)\s*!==?\s*(null|undefined)|instanceof\s+\w*Error\b"
    ),
)
_BINDS = frozenset({"identifier"})
STATEMENTS = {"for_statement": "for", "while_statement": "while", "do_statement": "while", "for_in_statement": "for"}
#: array (and Mongoose cursor) methods that call their function argument once per item
_METHODS = frozenset(
    {"map", "forEach", "flatMap", "reduce", "reduceRight", "filter", "some", "every", "find", "findIndex", "eachAsync"}
)
#: library functions ``f(items, ..., fn)`` that call ``fn`` once per item
_FUNCTIONS = frozenset(
    {
        "async.each", "async.eachSeries", "async.eachLimit", "async.forEach", "async.forEachSeries",
        "async.forEachLimit", "async.map", "async.mapSeries", "async.mapLimit", "async.eachOf", "async.eachOfSeries",
        "async.eachOfLimit", "Promise.map", "Promise.mapSeries", "Promise.each", "Bluebird.map", "Bluebird.each",
        "_.map", "_.forEach", "_.each", "_.flatMap", "lodash.map", "lodash.forEach", "lodash.each"
    }
)  # fmt: skip
#: iterations that run one after the other even though the function is a callback
_SERIAL = frozenset({"reduce", "reduceRight", "eachAsync", "some", "every", "find", "findIndex", "filter"})
_SERIAL_FUNCTIONS = frozenset({"Promise.each", "Bluebird.each"})
_SEARCHES = frozenset({"some", "every", "find", "findIndex"})
_PROMISE_ALL = frozenset({"Promise.all", "Promise.allSettled"})


def statement_loop(node: Node, scope: str, scopes: LoopScopes, loops: list[Loop]) -> None:
    """Register a loop statement (its body runs once per item)."""
    kind = STATEMENTS[node.type]
    parent = scopes.innermost(node)
    at, end = line(node), end_line(node)
    if node.type == "for_in_statement":
        right = node.child_by_field_name("right")
        is_async = any(c.type == "await" for c in node.children)
        iterated, args = _iterated(right)
        loop = Loop(
            "async_for" if is_async else "for", at, scope, end, bound(node.child_by_field_name("left"), _BINDS),
            iterated, args, parent=parent, iter_size=_size(right),
        )  # fmt: skip
    elif node.type == "for_statement":
        loop = _counted(node, scope, parent)
    else:
        loop = Loop(kind, at, scope, end, parent=parent)
    scopes.add(node.child_by_field_name("body"), len(loops))
    loops.append(loop)


def callback_loop(node: Node, scope: str, scopes: LoopScopes, loops: list[Loop]) -> None:
    """Register ``xs.map(fn)`` / ``async.each(xs, fn)``: ``fn`` runs once per item of ``xs``."""
    callee = node.child_by_field_name("function")
    args_node = node.child_by_field_name("arguments")
    if callee is None or args_node is None or callee.type != "member_expression":
        return
    args = named(args_node)
    function = next((a for a in args if a.type in FUNCTION_TYPES), None)
    if function is None:
        return
    name = dotted(callee) or ""
    prop = callee.child_by_field_name("property")
    method = prop.text.decode() if prop is not None else ""
    if name in _FUNCTIONS and args and args[0] is not function:
        via, items = name, args[0]
    elif method in _METHODS and args[0] is function:
        via, items = method, callee.child_by_field_name("object")
    else:
        return
    params = function.child_by_field_name("parameters") or function.child_by_field_name("parameter")
    targets = bound(params, _BINDS)
    if method in {"reduce", "reduceRight"} and via == method:
        targets = targets[1:]  # the accumulator is not an item
    iterated, iter_args = _iterated(items)
    serial = serial_callback(via)
    concurrent = not serial and (_is_async(function) or _in_promise_all(node) or via.startswith("async."))
    scopes.add(function, len(loops), callback=True)
    loops.append(
        Loop(
            "callback",
            line(node),
            scope,
            end_line(node),
            targets,
            iterated,
            iter_args,
            parent=scopes.innermost(node),
            exits=method in _SEARCHES,
            iter_size=_size(items) if items else -1,
            via=via,
            concurrent=concurrent,
        )
    )


def serial_callback(via: str) -> bool:
    """Whether a callback loop by ``via`` (a method name or ``async.eachSeries``-like function) runs one item
    after the other: searches and folds, the ``…Series`` and ``each`` helpers. The others (``forEach``,
    ``map``) call the function for every item without waiting for what it returns."""
    return via in _SERIAL or via in _SERIAL_FUNCTIONS or via.endswith("Series")


def _is_async(function: Node) -> bool:
    return any(c.type == "async" for c in function.children)


def _in_promise_all(node: Node) -> bool:
    parent = node.parent
    if parent is None or parent.type != "arguments" or parent.parent is None:
        return False
    callee = parent.parent.child_by_field_name("function")
    return callee is not None and dotted(callee) in _PROMISE_ALL


def _counted(node: Node, scope: str, parent: int) -> Loop:
    """``for (let i = 0; i < n; i++)``: the counter is the item; a literal bound fixes the count."""
    init = node.child_by_field_name("initializer")
    targets: list[str] = []
    if init is not None:
        for decl in (d for d in named(init) if d.type == "variable_declarator"):
            targets.extend(bound(decl.child_by_field_name("name"), _BINDS))
        if init.type in {"expression_statement", "assignment_expression"}:
            target = init if init.type == "assignment_expression" else (named(init) or [init])[0]
            left = target.child_by_field_name("left")
            targets.extend(bound(left, _BINDS) if left is not None else ())
    condition = node.child_by_field_name("condition")
    bound_node = condition
    while bound_node is not None and bound_node.type in {"expression_statement", "parenthesized_expression"}:
        bound_node = (named(bound_node) or [None])[0]
    size, iterated = -1, ""
    if bound_node is not None and bound_node.type == "binary_expression":
        right = bound_node.child_by_field_name("right")
        value = literal(right) if right is not None else None
        if isinstance(value, int) and not isinstance(value, bool):
            size = value
        elif right is not None:
            parts, _ = chain(right)
            iterated = ".".join(parts[:-1] if parts and parts[-1] == "length" else parts)
    return Loop("for", line(node), scope, end_line(node), tuple(targets), iterated, parent=parent, iter_size=size)


def _iterated(expr: Node | None) -> tuple[str, tuple[str, ...]]:
    """The iterated chain (calls and awaits looked through, ``Object.values(x)`` unwrapped) and the rendered
    arguments of the calls in it (``{include=[User]}``): what the query loaded with the rows."""
    if expr is None:
        return "", ()
    while expr.type == "call_expression" and _unwraps(expr):
        expr = named(expr.child_by_field_name("arguments"))[0]
    parts, _ = chain(expr)
    args: list[str] = []
    stack = [expr]
    while stack:
        current = stack.pop()
        if current.type in FUNCTION_TYPES:
            continue
        if current.type == "call_expression" and (inner := current.child_by_field_name("arguments")) is not None:
            args.extend(_shown(a) for a in named(inner))
        stack.extend(current.children)
    return ".".join(parts), tuple(a for a in dict.fromkeys(args) if a)[:64]


def _unwraps(call: Node) -> bool:
    callee = call.child_by_field_name("function")
    args = call.child_by_field_name("arguments")
    return (
        callee is not None
        and dotted(callee) in {"Object.values", "Object.entries", "Object.keys", "Array.from"}
        and args is not None
        and bool(named(args))
    )


def _shown(node: Node) -> str:
    value = string_value(node)
    if value is not None:
        return value[:200]
    return node.text.decode("utf-8", "replace")[:200] if node.type in {"object", "array", "identifier"} else ""


def _size(expr: Node | None) -> int:
    """The number of items of a literal array (no spread), else -1 (the data decides)."""
    if expr is None or expr.type != "array" or any(e.type == "spread_element" for e in named(expr)):
        return -1
    return len(named(expr))
