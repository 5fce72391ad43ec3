"""The code indexes of a fixture tree, as the pipeline's code source builds them, and routes as table rows:
shared by the route and index tests of every language."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from redline.core.filekinds import kind_of
from redline.core.workspace import FileText, SourceFile, read_file
from redline.sources.code.model import CodeIndex
from redline.sources.code.routes import extract_routes
from redline.sources.code.routes.model import Route
from redline.sources.code.routes.settings import ENTRYPOINTS_SECTION
from redline.sources.code.source import CodeIndexSource


def tree_files(root: Path, pattern: str = "*") -> list[str]:
    """Every file below ``root`` whose name matches ``pattern``, relative to it, sorted."""
    return sorted(p.relative_to(root).as_posix() for p in root.rglob(pattern) if p.is_file())


def tree_indexes(root: Path, pattern: str = "*", files: Iterable[str] | None = None) -> list[CodeIndex]:
    """The index of every file below ``root`` (those of ``files`` when given) the code source reads."""
    source = CodeIndexSource()
    found: list[CodeIndex] = []
    for rel in tree_files(root, pattern) if files is None else files:
        file = SourceFile(rel, str(root / rel), kind_of(rel), (root / rel).stat().st_size)
        if source.wants(file):
            found.append(source.parse(read_file(file)))
    return found


def route_rows(routes: Iterable[Route]) -> list[tuple[str, ...]]:
    """(framework, methods, path, handler, file:line, authenticated, authorized) per route, in order."""
    return [
        (r.framework, ",".join(r.methods), r.path, r.handler, f"{r.file}:{r.line}", r.authenticated, r.authorized)
        for r in routes
    ]


def read_file_text(path: str, text: str) -> FileText:
    """A Python file of ``text`` at ``path``, as the workspace reads one."""
    data = text.encode()
    return FileText(SourceFile(path, path, "python", len(data)), data, text)


def routes_of(files: dict[str, str]) -> tuple[Route, ...]:
    """The routes of a project written out as ``{path: source}``, with the default markers."""
    indexes = [CodeIndexSource().parse(read_file_text(name, src)) for name, src in files.items()]
    return extract_routes(indexes, ENTRYPOINTS_SECTION.defaults()).routes
