"""Python newer than the interpreter: indexed through tree-sitter-python, same lines; unreadable files
are listed as not covered with the reason."""

from __future__ import annotations

from pathlib import Path

import pytest

from redline.core.workspace import SourceFile, read_file
from redline.sources.code.model import CodeIndex
from redline.sources.code.source import CodeIndexSource
from redline.sources.code.treesitter.python_fallback import rewrite_newer_syntax
from redline.sources.interface import NotCovered
from redline.sources.python import PythonSource

FIXTURES = Path(__file__).parent / "fixtures" / "py312"


def _index(name: str) -> CodeIndex:
    path = FIXTURES / name
    return CodeIndexSource().parse(read_file(SourceFile(name, str(path), "python", path.stat().st_size)))


def test_the_fixture_really_needs_a_newer_interpreter() -> None:
    import ast
    import sys

    source = (FIXTURES / "api.py").read_text()
    if sys.version_info < (3, 12):
        with pytest.raises(SyntaxError):
            ast.parse(source)
    rewritten = rewrite_newer_syntax(source)
    assert rewritten.count("\n") == source.count("\n")
    ast.parse(rewritten)


def test_newer_syntax_is_indexed_with_its_facts_and_lines() -> None:
    index = _index("api.py")
    assert index.parser == "tree-sitter"
    assert index.imported("request") == "flask.request"
    assert [(d.qualname, d.line) for d in index.definitions] == [
        ("Repo", 9),
        ("Repo.first", 10),
        ("users", 15),
    ]
    assert [d.raw for d in index.definitions[2].decorators] == ["app.route"]
    calls = {(c.line, c.raw): c for c in index.calls}
    execute = calls[(18, "db.execute")]
    assert execute.built_by == "fstring"
    assert [(where, source) for where, source, _ in execute.tainted] == [("0", "flask.request.args")]
    assert calls[(24, "print")].function == "users"
    assert [(lp.kind, lp.line) for lp in index.loops] == [("for", 23), ("comprehension", 24)]
    assert [(s.kind, s.line) for s in index.strings] == [("sql", 18), ("sql", 23)]


def test_a_route_in_a_newer_syntax_module_is_an_entry_point() -> None:
    from redline.sources.code.routes import extract_routes
    from redline.sources.code.routes.settings import ENTRYPOINTS_SECTION

    routes = extract_routes([_index("api.py")], ENTRYPOINTS_SECTION.defaults()).routes
    assert [(r.methods, r.path, r.handler, r.line) for r in routes] == [(("POST",), "/users", "users", 14)]


def test_the_python_source_reads_newer_syntax_too() -> None:
    path = FIXTURES / "api.py"
    module = PythonSource().parse(read_file(SourceFile("api.py", str(path), "python", path.stat().st_size)))
    assert module.parser == "tree-sitter"
    assert module.snippet(module.tree.body[-1].body[-1]) == "return label + note"  # type: ignore[attr-defined]


def test_a_module_neither_parser_reads_is_not_covered_with_the_reason() -> None:
    with pytest.raises(NotCovered) as raised:
        _index("broken.py")
    assert str(raised.value) == (
        "Python syntax error at line 1: invalid syntax (tree-sitter-python finds a syntax error at line 1 too)"
    )


def test_an_except_clause_without_parentheses_is_read() -> None:
    index = _index("deps.py")
    assert index.parser == "tree-sitter"
    assert [(c.raw, c.line) for c in index.calls if c.raw in {"jwt.decode", "HTTPException"}] == [
        ("jwt.decode", 8),
        ("HTTPException", 10),
    ]


def test_a_byte_order_mark_is_skipped_as_python_does(tmp_path: Path) -> None:
    """ministryofjustice/modernisation-platform's core-logging/lambda/index.py starts with a UTF-8 BOM: CPython
    runs it, redline listed it as not covered ("invalid non-printable character U+FEFF")."""
    path = tmp_path / "index.py"
    path.write_bytes(b"\xef\xbb\xbfimport os\n\n\ndef handler(event, context):\n    return os.environ['X']\n")
    module = PythonSource().parse(read_file(SourceFile("index.py", str(path), "python", path.stat().st_size)))
    assert [n.lineno for n in module.tree.body] == [1, 4]
    assert module.parser == "ast"
