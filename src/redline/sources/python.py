"""Python modules parsed once with ``ast`` (never imported, never run)."""

from __future__ import annotations

import ast
import warnings
from collections import deque
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import cached_property

from redline.core.thirdparty import others_code
from redline.core.workspace import FileText, SourceFile
from redline.sources.interface import FileSource, SourceError


@dataclass(frozen=True)
class PythonModule:
    """A parsed module. Holds a syntax tree, so it stays in the worker."""

    KEEP = False

    path: str
    tree: ast.Module
    lines: tuple[str, ...]
    imports: dict[str, str] = field(default_factory=dict)  # local name -> qualified name
    #: ``ast``, or ``tree-sitter`` when the module uses syntax newer than this interpreter (see
    #: ``sources/code/treesitter/python_fallback.py``: the tree is of the module rewritten line for line)
    parser: str = "ast"

    def qualname(self, node: ast.expr) -> str | None:
        """The dotted name an expression refers to, with import aliases resolved."""
        parts: list[str] = []
        while isinstance(node, ast.Attribute):
            parts.append(node.attr)
            node = node.value
        if not isinstance(node, ast.Name):
            return None
        head = self.imports.get(node.id)
        if head is None:
            return None
        return ".".join([head, *reversed(parts)])

    def snippet(self, node: ast.AST) -> str:
        line = getattr(node, "lineno", 0)
        return self.lines[line - 1].strip() if 0 < line <= len(self.lines) else ""

    @cached_property
    def nodes(self) -> tuple[ast.AST, ...]:
        """Every node of the tree, walked once and shared by every check that reads this module."""
        return tuple(ast.walk(self.tree))

    @cached_property
    def calls(self) -> tuple[ast.Call, ...]:
        """Every call expression, in walk order."""
        return tuple(n for n in self.nodes if isinstance(n, ast.Call))


#: fields that hold nested statement lists, in the order ``ast`` declares them (Try: body, handlers,
#: orelse, finalbody; Match: cases; a handler or a case holds a body)
_BODIES = ("body", "handlers", "orelse", "finalbody", "cases")


def _statements(body: list[ast.stmt]) -> Iterator[ast.stmt]:
    """Every statement at any depth, breadth first like ``ast.walk`` (so a later binding of a name wins
    the same way), without visiting a single expression: imports are statements."""
    queue: deque[ast.AST] = deque(body)
    while queue:
        node = queue.popleft()
        if isinstance(node, ast.stmt):
            yield node
        for name in _BODIES:
            children = getattr(node, name, None)
            if children:
                queue.extend(children)


def collect_imports(tree: ast.Module) -> dict[str, str]:
    """Map local names to what they import, for the whole module (any scope)."""
    names: dict[str, str] = {}
    for node in _statements(tree.body):
        if isinstance(node, ast.Import):
            for alias in node.names:
                if alias.asname:
                    names[alias.asname] = alias.name
                else:
                    top = alias.name.split(".")[0]
                    names[top] = top
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            for alias in node.names:
                if alias.name != "*":
                    names[alias.asname or alias.name] = f"{node.module}.{alias.name}"
    return names


def parse_module(text: FileText) -> PythonModule:
    """Parse once per file: the Python source and the code index both ask for the same ``FileText``
    in one worker, one after the other, so the last parse is kept (one slot, this file only)."""
    global _LAST  # a one-slot memo of the file being processed, not run state
    if _LAST is not None and _LAST[0] is text:
        if isinstance(_LAST[1], str):
            raise SourceError(_LAST[1])
        return _LAST[1]
    parsed = "ast"
    try:
        tree = _parse(text.text, text.file.path)
    except SyntaxError as exc:
        reason = f"Python syntax error at line {exc.lineno}: {exc.msg}"
        try:
            tree, parsed = _parse_newer(text.text, text.file.path), "tree-sitter"
        except (SyntaxError, ValueError, RecursionError, MemoryError) as again:
            _LAST = (text, f"{reason} ({again})" if str(again) else reason)
            raise SourceError(_LAST[1]) from None
    except (ValueError, RecursionError, MemoryError) as exc:
        _LAST = (text, f"cannot parse Python: {type(exc).__name__}")
        raise SourceError(_LAST[1]) from None
    module = PythonModule(text.file.path, tree, tuple(text.text.splitlines()), collect_imports(tree), parsed)
    _LAST = (text, module)
    return module


def _parse(source: str, path: str) -> ast.Module:
    if source.startswith("\ufeff"):  # a UTF-8 byte order mark, which Python itself skips (modernisation-platform's
        source = source[1:]  # core-logging/lambda/index.py was not covered for it)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # SyntaxWarning from the audited code is not ours
        return ast.parse(source, filename=path)


def _parse_newer(source: str, path: str) -> ast.Module:
    """Syntax newer than this interpreter (3.12 f-strings, ``type`` aliases, generics) through
    tree-sitter-python; SyntaxError/ValueError with the reason when that cannot read it either."""
    from redline.sources.code.treesitter.python_fallback import rewrite_newer_syntax  # noqa: PLC0415 - rare

    rewritten = rewrite_newer_syntax(source)
    try:
        return _parse(rewritten, path)
    except SyntaxError as exc:
        raise ValueError(f"tree-sitter-python reads it, but line {exc.lineno} stays unreadable: {exc.msg}") from None


#: the last file parsed and its module, or the reason it could not be parsed
_LAST: tuple[FileText, PythonModule | str] | None = None


class PythonSource(FileSource):
    name = "python"
    kinds = frozenset({"python"})
    produces = PythonModule

    def wants(self, file: SourceFile) -> bool:
        """The project's own modules: not other projects' code installed into the tree (bazarr's ``libs/``, beside
        its ``*.dist-info``) or kept in a ``vendor/``/``third_party/`` folder, which the code index leaves out too."""
        return file.kind in self.kinds and not others_code(file)

    def parse(self, text: FileText) -> PythonModule:
        return parse_module(text)
