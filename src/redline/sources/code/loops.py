"""Loop scope facts: what a loop iterates, the names each iteration binds, what its body reads from them.

The latency rules judge per-item work from these (a query per row, a request per item): which calls run
inside which loop, whether they read the loop variable, and whether the iterated query prefetched the
relation the body touches."""

from __future__ import annotations

import ast

from redline.sources.code.flow import attr_chain
from redline.sources.code.model import Loop

_COMPREHENSIONS = (ast.ListComp, ast.SetComp, ast.DictComp, ast.GeneratorExp)
LOOPS = (ast.For, ast.AsyncFor, ast.While, *_COMPREHENSIONS)
#: wrappers whose result iterates the same items as their first argument
_UNWRAP = frozenset({"enumerate", "list", "tuple", "sorted", "reversed", "iter", "set"})
#: query methods that load relations with the rows
LOADERS = frozenset({"select_related", "prefetch_related", "options", "prefetch"})
#: stands for loader arguments that are not written out (``*fields``, a name)
OPAQUE = "*"
#: at most this many body nodes are looked at per loop (a generated 10,000-line loop is not per-item code)
_MAX_NODES = 5_000
_MAX_ITEMS = 64


def loop_fact(node: ast.For | ast.AsyncFor | ast.While | ast.expr, scope: str, parent: int) -> Loop:
    """The loop fact of a for/while statement or a comprehension."""
    end = getattr(node, "end_lineno", None) or node.lineno
    if isinstance(node, ast.While):
        attrs, assigns, exits = _body(list(node.body), ())
        return Loop("while", node.lineno, scope, end, (), "", (), attrs, assigns, parent, exits)
    if isinstance(node, ast.For | ast.AsyncFor):
        kind = "async_for" if isinstance(node, ast.AsyncFor) else "for"
        targets = _names(node.target)
        chain, args = _iterated(node.iter)
        attrs, assigns, exits = _body(list(node.body), targets)
        size = _literal_size(node.iter)
        return Loop(kind, node.lineno, scope, end, targets, chain, args, attrs, assigns, parent, exits, size)
    assert isinstance(node, _COMPREHENSIONS)
    targets = tuple(n for g in node.generators for n in _names(g.target))
    chain, args = _iterated(node.generators[0].iter)
    parts: list[ast.AST] = [node.key, node.value] if isinstance(node, ast.DictComp) else [node.elt]
    parts += [x for g in node.generators for x in (*g.ifs, *([g.iter] if g is not node.generators[0] else []))]
    attrs, assigns, exits = _body(parts, targets)
    size = _literal_size(node.generators[0].iter) if len(node.generators) == 1 else -1
    return Loop("comprehension", node.lineno, scope, end, targets, chain, args, attrs, assigns, parent, exits, size)


def _literal_size(expr: ast.expr) -> int:
    """The number of items of a literal iterable (a display, ``range(<constant>)``), else -1."""
    if isinstance(expr, ast.List | ast.Tuple | ast.Set) and not any(isinstance(e, ast.Starred) for e in expr.elts):
        return len(expr.elts)
    if isinstance(expr, ast.Dict):
        return len(expr.keys)
    if isinstance(expr, ast.Call) and isinstance(expr.func, ast.Name) and expr.func.id == "range" and expr.args:
        bounds = [a.value for a in expr.args if isinstance(a, ast.Constant) and isinstance(a.value, int)]
        if len(bounds) == len(expr.args) <= 3 and (len(bounds) < 3 or bounds[2]):
            return len(range(*bounds))
    return -1


def _names(target: ast.expr) -> tuple[str, ...]:
    return tuple(n.id for n in ast.walk(target) if isinstance(n, ast.Name))


def _iterated(expr: ast.expr) -> tuple[str, tuple[str, ...]]:
    """The iterated chain (wrappers unwrapped) and what its calls are passed."""
    while (
        isinstance(expr, ast.Call)
        and isinstance(expr.func, ast.Name)
        and expr.func.id in _UNWRAP
        and expr.args
        and not isinstance(expr.args[0], ast.Constant)
    ):
        expr = expr.args[0]
    chain = attr_chain(expr)
    args: list[str] = []
    for node in ast.walk(expr):
        if isinstance(node, ast.Call):
            args += [text for a in (*node.args, *(k.value for k in node.keywords)) if (text := _arg_text(a))]
            if isinstance(node.func, ast.Attribute) and node.func.attr in LOADERS and any(
                not isinstance(a, ast.Constant | ast.Call) for a in node.args
            ):
                args.append(OPAQUE)  # select_related(*fields), options(*opts): what is loaded is not written here
    return (".".join(chain) if chain else ""), tuple(dict.fromkeys(args))[:_MAX_ITEMS]


def _arg_text(node: ast.expr) -> str:
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value[:200]
    if isinstance(node, ast.Call):
        inner = ", ".join(t for a in node.args if (t := _arg_text(a)))
        chain = attr_chain(node.func)
        return f"{'.'.join(chain) if chain else ''}({inner})"
    chain = attr_chain(node) if isinstance(node, ast.Name | ast.Attribute) else None
    return ".".join(chain) if chain else ""


def _body(parts: list[ast.AST], targets: tuple[str, ...]) -> tuple[tuple[tuple[str, int], ...], tuple[str, ...], bool]:
    """attrs, assigns and exits of a loop body (nested functions are not part of the iteration; a break in
    a nested loop leaves only that loop)."""
    attrs: dict[str, int] = {}
    assigns: dict[str, None] = {}
    exits = False
    wanted = set(targets)
    stack: list[tuple[ast.AST, bool]] = [(p, False) for p in parts]
    seen = 0
    while stack and seen < _MAX_NODES:
        node, nested = stack.pop()
        seen += 1
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef | ast.Lambda):
            continue
        if isinstance(node, ast.Return) or (isinstance(node, ast.Break) and not nested):
            exits = True
        elif isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store):
            assigns[node.id] = None
        elif _reads_target(node, wanted):
            assert isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name)
            key = f"{node.value.id}.{node.attr}"
            attrs[key] = min(attrs.get(key, node.lineno), node.lineno)
        inner = nested or isinstance(node, LOOPS)
        stack.extend((child, inner) for child in ast.iter_child_nodes(node))
    return (
        tuple(sorted(attrs.items(), key=lambda kv: (kv[1], kv[0])))[:_MAX_ITEMS],
        tuple(sorted(assigns))[:_MAX_ITEMS],
        exits,
    )


def _reads_target(node: ast.AST, targets: set[str]) -> bool:
    return (
        isinstance(node, ast.Attribute)
        and isinstance(node.ctx, ast.Load)
        and isinstance(node.value, ast.Name)
        and node.value.id in targets
    )


def names_read(call: ast.Call) -> tuple[str, ...]:
    """The local names a call's receiver and arguments read, first-seen order."""
    found: dict[str, None] = {}
    roots: list[ast.AST] = [*call.args, *(k.value for k in call.keywords)]
    if isinstance(call.func, ast.Attribute):
        roots.append(call.func.value)
    for root in roots:
        for node in ast.walk(root):
            if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Load):
                found[node.id] = None
    return tuple(found)[:_MAX_ITEMS]
