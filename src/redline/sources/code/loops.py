"""Loop scope facts: what a loop iterates, the names each iteration binds, what its body reads from them.

The latency rules judge per-item work from these (a query per row, a request per item): which calls run
inside which loop, whether they read the loop variable, and whether the iterated query prefetched the
relation the body touches."""

from __future__ import annotations

import ast
from collections.abc import Iterator
from dataclasses import replace

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
_MAX_ITEMS = 64


def loop_fact(node: ast.For | ast.AsyncFor | ast.While | ast.expr, scope: str, parent: int) -> Loop:
    """The loop fact of a for/while statement or a comprehension, without what its body reads and binds
    (``LoopBodies`` gathers that during the same walk)."""
    end = getattr(node, "end_lineno", None) or node.lineno
    if isinstance(node, ast.While):
        return Loop("while", node.lineno, scope, end, parent=parent)
    if isinstance(node, ast.For | ast.AsyncFor):
        kind = "async_for" if isinstance(node, ast.AsyncFor) else "for"
        chain, args = _iterated(node.iter)
        return Loop(
            kind, node.lineno, scope, end, _names(node.target), chain, args, parent=parent,
            iter_size=_literal_size(node.iter),
        )  # fmt: skip
    assert isinstance(node, _COMPREHENSIONS)
    targets = tuple(n for g in node.generators for n in _names(g.target))
    chain, args = _iterated(node.generators[0].iter)
    size = _literal_size(node.generators[0].iter) if len(node.generators) == 1 else -1
    return Loop("comprehension", node.lineno, scope, end, targets, chain, args, parent=parent, iter_size=size)


class LoopBodies:
    """What each loop's body reads from its loop variables, binds and whether it exits, gathered node by
    node during the index's single walk (nodes arrive in source order with the loop they run in)."""

    def __init__(self) -> None:
        self.attrs: dict[int, dict[str, int]] = {}
        self.assigns: dict[int, dict[str, None]] = {}
        self.exits: set[int] = set()

    def see(self, node: ast.AST, loop: int, loops: list[Loop]) -> None:
        if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store):
            for i in _chain(loop, loops):
                self.assigns.setdefault(i, {})[node.id] = None
        elif isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name) and isinstance(node.ctx, ast.Load):
            key = f"{node.value.id}.{node.attr}"
            for i in _chain(loop, loops):
                if node.value.id in loops[i].targets:
                    self.attrs.setdefault(i, {}).setdefault(key, node.lineno)
        elif isinstance(node, ast.Break):
            self.exits.add(loop)  # a break leaves only the innermost loop
        elif isinstance(node, ast.Return):
            self.exits.update(_chain(loop, loops))

    def finish(self, loops: list[Loop]) -> list[Loop]:
        return [
            replace(
                lp,
                attrs=tuple(sorted(self.attrs.get(i, {}).items(), key=lambda kv: (kv[1], kv[0])))[:_MAX_ITEMS],
                assigns=tuple(sorted(self.assigns.get(i, {})))[:_MAX_ITEMS],
                exits=i in self.exits,
            )
            for i, lp in enumerate(loops)
        ]


def _chain(loop: int, loops: list[Loop]) -> Iterator[int]:
    while loop >= 0:
        yield loop
        loop = loops[loop].parent


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
            if (
                isinstance(node.func, ast.Attribute)
                and node.func.attr in LOADERS
                and any(not isinstance(a, ast.Constant | ast.Call) for a in node.args)
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
