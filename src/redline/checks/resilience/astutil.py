"""Small syntax-tree helpers the resilience and data-path rules share: keyword lookup, names bound to a
client's constructor, the loops around a call. They read the one tree ``sources/python.py`` parsed."""

from __future__ import annotations

import ast
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from redline.checks.interface import Check
from redline.core.model import Finding, Location
from redline.core.rules import Rule
from redline.sources.code.astwalk import dotted
from redline.sources.python import PythonModule

#: a literal ``None``, ``0`` or ``"none"`` handed to a limit means "no limit" for these libraries
_NO_LIMIT_STRINGS = frozenset({"none", "uncompressed"})


def kw(call: ast.Call, name: str) -> ast.keyword | None:
    for keyword in call.keywords:
        if keyword.arg == name:
            return keyword
    return None


def has_any_kw(call: ast.Call, names: Iterable[str]) -> bool:
    wanted = set(names)
    return any(keyword.arg in wanted for keyword in call.keywords)


def has_star(call: ast.Call) -> bool:
    """``f(**opts)`` or ``f(*args)`` may carry the setting we look for: stay quiet (precision first)."""
    return any(k.arg is None for k in call.keywords) or any(isinstance(a, ast.Starred) for a in call.args)


def is_none(node: ast.expr | None) -> bool:
    return isinstance(node, ast.Constant) and node.value is None


def timeout_given(call: ast.Call, name: str, index: int | None) -> bool:
    """A non-None keyword ``name``, or a positional argument at ``index`` (None: keyword-only)."""
    found = kw(call, name)
    if found is not None:
        return not is_none(found.value)
    return index is not None and len(call.args) > index


def is_disabled(node: ast.expr | None) -> bool:
    """``None``, ``"none"`` or ``"uncompressed"``: the setting is explicitly switched off."""
    if is_none(node):
        return True
    return isinstance(node, ast.Constant) and isinstance(node.value, str) and node.value.lower() in _NO_LIMIT_STRINGS


def receiver(call: ast.Call) -> str | None:
    """``self.http`` for ``self.http.get(...)``; None when the callee is not a method of a dotted name."""
    func = call.func
    return dotted(func.value) if isinstance(func, ast.Attribute) else None


def method(call: ast.Call) -> str | None:
    return call.func.attr if isinstance(call.func, ast.Attribute) else None


def bound_calls(module: PythonModule, factories: frozenset[str]) -> dict[str, ast.Call]:
    """Names and ``self.x`` attributes bound to a call of one of ``factories`` (by resolved qualname),
    through ``x = F(...)``, ``x: T = F(...)`` and ``with F(...) as x``."""
    names: dict[str, ast.Call] = {}
    for node in module.nodes:
        if isinstance(node, ast.Assign | ast.AnnAssign):
            value = node.value
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            if isinstance(value, ast.Call) and module.qualname(value.func) in factories:
                names.update((d, value) for t in targets if (d := dotted(t)))
        elif isinstance(node, ast.With | ast.AsyncWith):
            for item in node.items:
                ctx = item.context_expr
                if (
                    isinstance(ctx, ast.Call)
                    and module.qualname(ctx.func) in factories
                    and item.optional_vars is not None
                    and (d := dotted(item.optional_vars))
                ):
                    names[d] = ctx
    return names


def assigned_values(module: PythonModule) -> dict[str, ast.expr]:
    """Each plain name's last assigned value in the module (any scope): a ``Config(...)`` or a dict bound
    to a name and passed on elsewhere is judged by what the name holds."""
    values: dict[str, ast.expr] = {}
    for node in module.nodes:
        if isinstance(node, ast.Assign) and len(node.targets) == 1 and isinstance(node.targets[0], ast.Name):
            values[node.targets[0].id] = node.value
        elif isinstance(node, ast.AnnAssign) and node.value is not None and isinstance(node.target, ast.Name):
            values[node.target.id] = node.value
    return values


def parents(module: PythonModule) -> dict[int, ast.AST]:
    """``id(child) -> parent`` for the whole tree (built only by rules that need the loops around a call)."""
    found: dict[int, ast.AST] = {}
    for node in module.nodes:
        for child in ast.iter_child_nodes(node):
            found[id(child)] = node
    return found


_LOOPS = (ast.For, ast.AsyncFor, ast.While, ast.ListComp, ast.SetComp, ast.DictComp, ast.GeneratorExp)
_SCOPES = (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda, ast.ClassDef)


def enclosing_loops(node: ast.AST, parent_of: dict[int, ast.AST]) -> Iterator[ast.AST]:
    """The loops a node runs in, innermost first, up to the enclosing function (a loop that defines a
    function does not run that function's body once per iteration). A ``for`` loop's iterable and
    a comprehension's first iterable run once, so a node there is not inside that loop."""
    child: ast.AST = node
    current = parent_of.get(id(node))
    while current is not None and not isinstance(current, _SCOPES):
        if isinstance(current, _LOOPS) and not _evaluated_once(current, child):
            yield current
        child, current = current, parent_of.get(id(current))


def _evaluated_once(loop: ast.AST, child: ast.AST) -> bool:
    if isinstance(loop, ast.For | ast.AsyncFor):
        return child is loop.iter or child is loop.target or child in loop.orelse
    if isinstance(loop, ast.ListComp | ast.SetComp | ast.DictComp | ast.GeneratorExp):
        return child is loop.generators[0]
    return False


def scope_of(node: ast.AST, parent_of: dict[int, ast.AST], *, attribute: bool = False) -> int:
    """``id`` of the function a plain name lives in (the class for ``self.x``, 0 for module level), so two
    functions' local ``jobs`` are two names."""
    kinds: tuple[type, ...] = (ast.ClassDef,) if attribute else (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda)
    current = parent_of.get(id(node))
    while current is not None:
        if isinstance(current, kinds):
            return id(current)
        current = parent_of.get(id(current))
    return 0


def location(module: PythonModule, node: ast.AST) -> Location:
    line = getattr(node, "lineno", 1)
    col = getattr(node, "col_offset", 0)
    return Location(
        path=module.path,
        start_line=line,
        end_line=getattr(node, "end_lineno", None) or line,
        start_column=col + 1,
        end_column=(getattr(node, "end_col_offset", None) or col) + 1,
        snippet=module.snippet(node),
    )


def imports_any(module: PythonModule, roots: Iterable[str]) -> bool:
    """Does the module import anything under one of these top-level packages?"""
    wanted = tuple(roots)
    return any(name.split(".", 1)[0] in wanted for name in module.imports.values())


def string_parts(node: ast.expr) -> str:
    """The literal text of a string, f-string or concatenation (formatted pieces dropped): what a key
    or a URL is built from."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    if isinstance(node, ast.JoinedStr):
        return "".join(string_parts(v) for v in node.values if isinstance(v, ast.Constant))
    if isinstance(node, ast.BinOp):
        return string_parts(node.left) + string_parts(node.right)
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "format":
        return string_parts(node.func.value)
    return ""


@dataclass(frozen=True)
class Hit:
    """One rule's verdict on one node of the module, before it becomes a finding."""

    rule: Rule
    node: ast.AST
    message: str
    remediation: str


def hit_findings(check: Check, module: PythonModule, hits: Iterable[Hit], enabled: frozenset[str]) -> list[Finding]:
    """The findings of the hits whose rule is enabled, located at their node, in the order they came."""
    return [
        check.finding(hit.rule, hit.message, location(module, hit.node), remediation=hit.remediation)
        for hit in hits
        if hit.rule.code in enabled
    ]
