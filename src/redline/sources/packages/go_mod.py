"""Go ``go.mod`` (``require`` with ``// indirect``, ``replace`` applied, ``exclude`` ignored)
and ``go.sum`` (every module version with a content hash).

Versions are stored without the leading ``v`` (as OSV's Go data does) and the purl
keeps it. A ``replace`` with a module path and version swaps the package; one pointing
to a local directory leaves the original module unpinned with the path as its source.
go.mod has no graph: direct requirements are roots, ``// indirect`` ones are not.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from redline.core.packages import PackageManifest
from redline.core.workspace import FileText
from redline.sources.interface import SourceError
from redline.sources.packages.common import ManifestBuilder
from redline.sources.packages.interface import ManifestParser

_DIRECTIVES = frozenset({"module", "go", "toolchain", "require", "replace", "exclude", "retract", "godebug",
                         "tool", "ignore"})


@dataclass
class _Require:
    path: str
    version: str
    indirect: bool
    line: int


def _strip_v(version: str) -> str:
    return version[1:] if version.startswith("v") else version


def _unquote(token: str) -> str:
    return token[1:-1] if len(token) >= 2 and token[0] == token[-1] and token[0] in "\"`" else token


def _statements(lines: list[str]) -> list[tuple[str, str, int]]:
    """``(directive, rest, line)`` with ``( … )`` blocks expanded; comments kept in ``rest``."""
    out: list[tuple[str, str, int]] = []
    block: str | None = None
    for number, raw in enumerate(lines, start=1):
        line = raw.strip()
        if not line or line.startswith("//"):
            continue
        if block is not None:
            if line.startswith(")"):
                block = None
                continue
            out.append((block, line, number))
            continue
        word, rest = [*line.split(None, 1), ""][:2]
        if word.endswith("(") and len(word) > 1:  # "require(" written without a space
            word, rest = word[:-1], "(" + rest
        rest = rest.strip()
        if word not in _DIRECTIVES:
            raise SourceError(f"line {number}: unknown directive {word!r}")
        if rest.startswith("(") and rest[1:].split("//")[0].strip() == "":
            block = word
            continue
        out.append((word, rest, number))
    if block is not None:
        raise SourceError(f"unterminated {block} ( … ) block")
    return out


class GoModParser(ManifestParser):
    name = "go-mod"
    file_names = ("go.mod",)

    def parse_manifest(self, text: FileText) -> PackageManifest:
        requires: list[_Require] = []
        replaces: dict[tuple[str, str], tuple[str, str]] = {}  # (path, version or "") -> (new path, new version)
        for directive, rest, number in _statements(text.lines):
            body, _, comment = rest.partition("//")
            tokens = [_unquote(t) for t in body.split()]
            if directive == "require":
                if len(tokens) != 2:
                    raise SourceError(f"line {number}: expected 'require <module> <version>'")
                requires.append(_Require(tokens[0], tokens[1], comment.strip().startswith("indirect"), number))
            elif directive == "replace":
                if "=>" not in tokens:
                    raise SourceError(f"line {number}: replace without '=>'")
                arrow = tokens.index("=>")
                left, right = tokens[:arrow], tokens[arrow + 1:]
                if len(left) not in (1, 2) or len(right) not in (1, 2):
                    raise SourceError(f"line {number}: malformed replace")
                replaces[(left[0], left[1] if len(left) == 2 else "")] = (right[0], right[1] if len(right) == 2 else "")
        b = ManifestBuilder(text.file.path, "go.mod", "Go", is_lockfile=False)
        for req in requires:
            target = replaces.get((req.path, req.version)) or replaces.get((req.path, ""))
            path, version, requirement = req.path, _strip_v(req.version), ""
            if target is not None:
                new_path, new_version = target
                if new_version:
                    path, version = new_path, _strip_v(new_version)
                    requirement = f"replaces {req.path} {req.version}"
                else:  # a local directory
                    version, requirement = "", f"replaced by local path {new_path}"
            key = b.add(path, version, pinned=bool(version), requirement=requirement, line=req.line,
                        direct=not req.indirect)
            if not req.indirect:
                b.root(key)
        return b.build()


_SUM_LINE = re.compile(r"^(\S+)\s+(v\S+?)(/go\.mod)?\s+(h\d+:\S+)\s*$")


class GoSumParser(ManifestParser):
    name = "go-sum"
    file_names = ("go.sum",)

    def parse_manifest(self, text: FileText) -> PackageManifest:
        b = ManifestBuilder(text.file.path, "go.sum", "Go")
        for number, raw in enumerate(text.lines, start=1):
            if not raw.strip():
                continue
            m = _SUM_LINE.match(raw.strip())
            if not m:
                raise SourceError(f"line {number}: not a '<module> <version>[/go.mod] h1:<hash>' line")
            if m.group(3):
                continue  # only the go.mod file was hashed: the module is in the graph, not the build
            b.add(m.group(1), _strip_v(m.group(2)), line=number)
        return b.build()
