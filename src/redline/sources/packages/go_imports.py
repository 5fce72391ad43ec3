"""The import paths of every Go file, read from its import declarations alone.

What tells a Go module merely required from one whose vulnerable package the build compiles: the
package-level judgement of Go advisories reads this. Kept apart from the code index on purpose: it is
cheap (the file's preamble only), it covers files the index leaves out (generated code, ``vendor/``),
and it needs no parse. A file the build never compiles says so (``_test.go``, ``//go:build ignore`` or
``tools``), and a file under ``vendor/`` is a dependency's code that ``go mod vendor`` copied because the
build needs its package.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import PurePosixPath

from redline.core.workspace import FileText
from redline.sources.interface import FileSource

#: the first declaration that is not an import ends the preamble (imports must come first)
_DECL = re.compile(r"^(?:func|type|var|const)\b", re.M)
#: imports sit at the top: a preamble longer than this is not a Go file's (and stays linear to scan)
_MAX_PREAMBLE = 64_000
# every pattern ends at its closing mark or at the end of the text, and paths are bounded: linear on any input
_COMMENT = re.compile(r"/\*.*?(?:\*/|\Z)|//[^\n]*", re.S)
_IMPORT_BLOCK = re.compile(r"\bimport\s*\(([^)]*)(?:\)|\Z)")
_IMPORT_ONE = re.compile(r"\bimport[ \t]+(?:[\w.]+[ \t]+)?(\"[^\"\n]{0,500}\"|`[^`\n]{0,500}`)")
_PATH = re.compile(r"\"([^\"\n]{0,500})\"|`([^`\n]{0,500})`")
#: build constraints that keep a file out of every build: generators and tool pins (``!ignore`` does not match)
_NEVER_BUILT = re.compile(r"^//\s*(?:go:build|\+build)\s+(ignore|tools)\s*$", re.M)


@dataclass(frozen=True, slots=True)
class GoFileImports:
    """One Go file's import paths (``_`` and ``.`` imports included) and whether the build compiles it."""

    path: str
    imports: tuple[str, ...]
    #: why the build never compiles this file: "test", "ignore", "tools"; "" when it does
    not_built: str = ""
    #: the package this file belongs to when it is a dependency's code copied under ``vendor/``, else ""
    vendored: str = ""


def import_paths(text: str) -> tuple[str, ...]:
    """The import paths a Go source declares, in order, each once."""
    return _imports_in(_preamble(text))


def _imports_in(head: str) -> tuple[str, ...]:
    preamble = _COMMENT.sub(" ", head)
    found: list[str] = []
    for block in _IMPORT_BLOCK.finditer(preamble):
        found.extend(m.group(1) or m.group(2) for m in _PATH.finditer(block.group(1)))
    for one in _IMPORT_ONE.finditer(preamble):
        found.append(one.group(1)[1:-1])
    return tuple(dict.fromkeys(p for p in found if p))


def _preamble(text: str) -> str:
    """The text before the first declaration: build constraints, package clause and imports."""
    m = _DECL.search(text, 0, _MAX_PREAMBLE)
    return text[: m.start() if m else _MAX_PREAMBLE]


def _not_built(path: str, head: str) -> str:
    if path.endswith("_test.go"):
        return "test"
    m = _NEVER_BUILT.search(head)
    return m.group(1) if m else ""


def _vendored(path: str) -> str:
    parts = PurePosixPath(path).parts[:-1]
    if "vendor" not in parts:
        return ""
    return "/".join(parts[len(parts) - parts[::-1].index("vendor") :])


class GoImportsSource(FileSource):
    name = "go-imports"
    kinds = frozenset({"go"})
    produces = GoFileImports

    def parse(self, text: FileText) -> GoFileImports:
        path, head = text.file.path, _preamble(text.text)  # read once for both the imports and the build tags
        return GoFileImports(path, _imports_in(head), _not_built(path, head), _vendored(path))
