"""One tree-sitter parser per grammar and process, built on first use."""

from __future__ import annotations

from functools import cache
from typing import Any

#: grammar name -> (module, function returning the language pointer)
_GRAMMARS = {
    "python": ("tree_sitter_python", "language"),
    "javascript": ("tree_sitter_javascript", "language"),
    "typescript": ("tree_sitter_typescript", "language_typescript"),
    "tsx": ("tree_sitter_typescript", "language_tsx"),
    "go": ("tree_sitter_go", "language"),
    "java": ("tree_sitter_java", "language"),
}


@cache
def parser(grammar: str) -> Any:
    """A ``tree_sitter.Parser`` for the grammar (``python``, ``javascript``, ``typescript``, ``tsx``)."""
    import importlib  # noqa: PLC0415 - grammars load with the first file of their language

    import tree_sitter  # noqa: PLC0415

    module, function = _GRAMMARS[grammar]
    language = tree_sitter.Language(getattr(importlib.import_module(module), function)())
    return tree_sitter.Parser(language)


def first_error(node: Any) -> int | None:
    """The 1-based line of the first ERROR or MISSING node under ``node``, None when the tree is clean."""
    if not node.has_error:
        return None
    stack = [node]
    while stack:
        current = stack.pop()
        if current.is_error or current.is_missing:
            return int(current.start_point[0]) + 1
        stack.extend(reversed([c for c in current.children if c.has_error or c.is_missing]))
    return int(node.start_point[0]) + 1
