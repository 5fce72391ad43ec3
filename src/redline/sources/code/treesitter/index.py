"""Index a module of a tree-sitter language, or say why it is not covered."""

from __future__ import annotations

from redline.sources.code.model import CodeIndex
from redline.sources.code.treesitter.parser import first_error, parser
from redline.sources.interface import NotCovered

#: index language -> the grammar for a file suffix (TSX and JSX need their own)
_GRAMMAR = {"javascript": "javascript", "typescript": "typescript", "go": "go", "java": "java"}
_LABEL = {"javascript": "JavaScript", "typescript": "TypeScript", "go": "Go", "java": "Java"}


def grammar_for(path: str, language: str) -> str:
    if language == "typescript" and path.lower().endswith(".tsx"):
        return "tsx"
    return _GRAMMAR[language]


def index_tree_sitter(path: str, data: bytes, language: str) -> CodeIndex:
    if b"\0" in data[:8192]:
        raise NotCovered(f"binary content in a {_LABEL[language]} file, not indexed")
    tree = parser(grammar_for(path, language)).parse(data)
    error = first_error(tree.root_node)
    if error is not None:
        raise NotCovered(f"{_LABEL[language]} syntax error at line {error} (tree-sitter), not indexed")
    if language == "java":
        from redline.sources.code.treesitter.java import JavaWalk  # noqa: PLC0415

        return JavaWalk(path).run(tree.root_node)
    if language == "go":
        from redline.sources.code.treesitter.go import GoWalk  # noqa: PLC0415

        return GoWalk(path).run(tree.root_node)
    from redline.sources.code.treesitter.javascript import JsWalk  # noqa: PLC0415

    return JsWalk(path, language).run(tree.root_node)
