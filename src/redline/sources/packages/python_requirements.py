"""pip requirements files: ``requirements*.txt`` and ``requirements/*.txt``.

Follows ``-r`` includes and ``-c`` constraints relative to the including file,
inside the audited root only, each file once (cycles end quietly). Per-requirement
options (``--hash`` …) and environment markers are accepted; editable, URL, path and
VCS lines and ``${VAR}`` references are reported unpinned with their text. A line
pip would reject (an unknown option, an invalid requirement) rejects the file, as
pip does. A requirement is dev when the name of the file declaring it marks development
(``requirements-dev.txt``, ``requirements/test.txt`` …); folder names are not used.
"""

from __future__ import annotations

import os
import re
import shlex
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from urllib.parse import unquote, urlsplit

from redline.core.packages import PackageManifest, pep503
from redline.core.redact import redact_url
from redline.core.workspace import FileText, SourceFile
from redline.sources.interface import SourceError
from redline.sources.packages.common import ManifestBuilder
from redline.sources.packages.interface import ManifestParser
from redline.sources.packages.pep508 import is_dev_group, parse_pep508

_COMMENT = re.compile(r"(^|\s)#.*$")  # one \s, not \s+: linear on a 2 MB line of spaces
_ENV_VAR = re.compile(r"\$\{[A-Za-z0-9_]+\}")
_NAME = re.compile(r"^\s*([A-Za-z0-9][A-Za-z0-9._-]*)")
_INCLUDE_OPTS = {"-r": "r", "--requirement": "r", "-c": "c", "--constraint": "c"}
_EDITABLE_OPTS = ("-e", "--editable")
#: options pip accepts on their own line that do not name a package
_GLOBAL_OPTS = frozenset(
    {
        "-i",
        "--index-url",
        "--extra-index-url",
        "--no-index",
        "-f",
        "--find-links",
        "--no-binary",
        "--only-binary",
        "--prefer-binary",
        "--require-hashes",
        "--pre",
        "--trusted-host",
        "--use-feature",
        "-Z",
        "--always-unzip",
    }
)
_PER_REQ_OPTS = frozenset({"--hash", "--global-option", "--install-option", "--config-settings", "-C"})
MAX_INCLUDE_DEPTH = 32


@dataclass(frozen=True)
class Line:
    number: int  # first physical line of the logical line
    text: str


def logical_lines(text: str) -> Iterator[Line]:
    """Join backslash continuations and drop comments, like pip's ``preprocess``."""
    buf: list[str] = []
    start = 0
    for number, raw in enumerate(text.splitlines(), start=1):
        if not buf:
            start = number
        if raw.endswith("\\") and not raw.endswith("\\\\"):
            buf.append(raw[:-1])
            continue
        buf.append(raw)
        line = _COMMENT.sub("", " ".join(buf)).strip()
        buf = []
        if line:
            yield Line(start, line)
    if buf:
        line = _COMMENT.sub("", " ".join(buf)).strip()
        if line:
            yield Line(start, line)


def split_options(line: str) -> tuple[str, str]:
    """Split ``requirement --opt …`` at the first token starting with ``-`` (pip's rule)."""
    tokens = line.split()
    for i, token in enumerate(tokens):
        if token.startswith("-") and i > 0:
            return " ".join(tokens[:i]).strip(), " ".join(tokens[i:]).strip()
    return line.strip(), ""


@dataclass
class _Context:
    root: Path
    builder: ManifestBuilder
    visited: set[str] = field(default_factory=set)
    constraints: dict[str, str] = field(default_factory=dict)  # PEP 503 name -> pinned version
    entries: list[_Entry] = field(default_factory=list)


@dataclass
class _Entry:
    name: str
    version: str
    pinned: bool
    requirement: str
    line: int
    dev: bool
    manifest: str


class RequirementsParser(ManifestParser):
    name = "requirements"
    file_names = ("requirements*.txt",)

    def wants(self, file: SourceFile) -> bool:
        """``requirements*.txt``, and any ``.txt`` in a folder named ``requirements`` (``requirements/dev.txt``)."""
        if super().wants(file):
            return True
        path = PurePosixPath(file.path)
        return (
            path.suffix.lower() == ".txt"
            and path.parent.name.lower() == "requirements"
            and not path.name.lower().startswith("constraint")
        )

    def parse_manifest(self, text: FileText) -> PackageManifest:
        root = audited_root(text.file.abspath, text.file.path)
        builder = ManifestBuilder(text.file.path, "requirements.txt", "PyPI", is_lockfile=False)
        ctx = _Context(root, builder)
        here = os.path.realpath(text.file.abspath)
        ctx.visited.add(here)
        self._read(ctx, text.text, here, text.file.path, depth=0, constraint=False)
        for e in ctx.entries:  # constraints apply wherever they were declared, as in pip
            version, pinned = e.version, e.pinned
            if not pinned and not e.requirement.startswith(("-", ".", "/")) and "://" not in e.requirement:
                constrained = ctx.constraints.get(pep503(e.name))
                if constrained:
                    version, pinned = constrained, True
            key = builder.add(
                e.name,
                version,
                pinned=pinned,
                requirement="" if pinned else e.requirement,
                line=e.line,
                dev=e.dev,
                direct=True,
                manifest=e.manifest,
            )
            builder.root(key, dev=e.dev)
        return builder.build()

    def _read(self, ctx: _Context, content: str, abspath: str, relpath: str, *, depth: int, constraint: bool) -> None:
        dev = _dev_file(relpath)
        for line in logical_lines(content):
            where = f"line {line.number}" if depth == 0 else f"{relpath} line {line.number}"
            if line.text.startswith("-"):
                self._option(ctx, line, where, abspath, depth=depth, constraint=constraint, dev=dev, relpath=relpath)
                continue
            req, _opts = split_options(line.text)
            if constraint:
                parsed = parse_pep508(req, where) if not _ENV_VAR.search(req) else None
                if parsed is not None and parsed.pinned:
                    ctx.constraints[pep503(parsed.name)] = parsed.version
                continue
            self._requirement(ctx, req, where, line=line.number, dev=dev, relpath=relpath)

    def _option(
        self,
        ctx: _Context,
        line: Line,
        where: str,
        abspath: str,
        *,
        depth: int,
        constraint: bool,
        dev: bool,
        relpath: str,
    ) -> None:
        try:
            tokens = shlex.split(line.text)
        except ValueError as exc:
            raise SourceError(f"{where}: cannot split options: {exc}") from None
        opt, _, inline = tokens[0].partition("=")
        value = inline or (tokens[1] if len(tokens) > 1 else "")
        if opt in _INCLUDE_OPTS:
            if not value:
                raise SourceError(f"{where}: {opt} needs a file name")
            self._include(ctx, value, where, abspath, depth=depth, constraint=constraint or _INCLUDE_OPTS[opt] == "c")
        elif opt in _EDITABLE_OPTS:
            if not value:
                raise SourceError(f"{where}: {opt} needs a path or URL")
            if not constraint:
                self._unpinned_target(
                    ctx, value, line.text, where=where, line=line.number, dev=dev, relpath=relpath, abspath=abspath
                )
        elif opt not in _GLOBAL_OPTS:
            raise SourceError(f"{where}: unknown option {opt!r}")

    def _include(self, ctx: _Context, target: str, where: str, abspath: str, *, depth: int, constraint: bool) -> None:
        if re.match(r"^[a-z][a-z0-9+.-]*://", target, re.I):
            raise SourceError(
                f"{where}: included requirements URL {redact_url(target)!r} is not fetched "
                "(redline never downloads from an audited file)"
            )
        if depth >= MAX_INCLUDE_DEPTH:
            raise SourceError(f"{where}: includes nested deeper than {MAX_INCLUDE_DEPTH}")
        if "\0" in target:
            raise SourceError(f"{where}: included file name holds a NUL byte")
        path = os.path.realpath(os.path.join(os.path.dirname(abspath), target))
        if not Path(path).is_relative_to(ctx.root):
            raise SourceError(f"{where}: included file {target!r} is outside the audited tree")
        if path in ctx.visited:
            return  # a cycle or a repeat: each file is read once
        ctx.visited.add(path)
        try:
            with open(path, encoding="utf-8", errors="replace") as fh:
                content = fh.read()
        except FileNotFoundError:
            kind = "constraints" if constraint else "requirements"
            raise SourceError(f"{where}: {kind} file {target!r} not found") from None
        except OSError as exc:
            raise SourceError(f"{where}: cannot read {target!r}: {exc.strerror}") from None
        rel = Path(path).relative_to(ctx.root).as_posix()
        self._read(ctx, content, path, rel, depth=depth + 1, constraint=constraint)

    def _requirement(self, ctx: _Context, req: str, where: str, *, line: int, dev: bool, relpath: str) -> None:
        if _ENV_VAR.search(req):
            match = _NAME.match(req)
            if not match:
                raise SourceError(f"{where}: cannot read a package name from {req!r}")
            ctx.entries.append(_Entry(match.group(1), "", False, req, line, dev, relpath))
            return
        if _looks_like_target(req):
            self._unpinned_target(ctx, req, req, where=where, line=line, dev=dev, relpath=relpath, abspath="")
            return
        parsed = parse_pep508(req, where)
        ctx.entries.append(
            _Entry(parsed.name, parsed.version, parsed.pinned, "" if parsed.pinned else parsed.text, line, dev, relpath)
        )

    def _unpinned_target(
        self, ctx: _Context, target: str, text: str, *, where: str, line: int, dev: bool, relpath: str, abspath: str
    ) -> None:
        if _inside_tree(ctx.root, relpath, target):
            return  # ``-e .``, ``./libs/billing``: the project's own code, at the commit audited
        name = name_from_target(target, abspath)
        if not name:
            raise SourceError(f"{where}: cannot tell the package name of {redact_url(target)!r}")
        ctx.entries.append(_Entry(name, "", False, text, line, dev, relpath))


def _inside_tree(root: Path, relpath: str, target: str) -> bool:
    """A local path (no scheme, no archive file) that resolves inside the audited tree: installed from the checkout
    itself, so the commit pins it (ckan's ``requirements-docs.txt``: ``-e .``). A sibling checkout (``-e ../lib``)
    or a URL is not."""
    path = target.split("#", 1)[0].split(";", 1)[0].strip()
    if not path or re.match(r"^[a-z][a-z0-9+.-]*:", path, re.I) or path.endswith((".whl", ".zip", ".tar.gz", ".tgz")):
        return False
    folder = root / PurePosixPath(relpath).parent
    return Path(os.path.realpath(folder / path.split("[", 1)[0])).is_relative_to(root)


def audited_root(abspath: str, relpath: str) -> Path:
    """The audited root, recovered from a file's absolute and relative paths (the file's folder
    when they do not line up, e.g. for a symlink)."""
    absp = PurePosixPath(Path(abspath).as_posix())
    rel = PurePosixPath(relpath)
    if len(absp.parts) > len(rel.parts) and absp.parts[-len(rel.parts) :] == rel.parts:
        return Path(os.path.realpath(str(PurePosixPath(*absp.parts[: -len(rel.parts)]))))
    return Path(os.path.realpath(os.path.dirname(abspath)))


def _dev_file(relpath: str) -> bool:
    """Dev when the file's own name says so (``requirements-dev.txt``, ``requirements/test.txt``); folder
    names are not trusted (a service called ``test-harness`` still ships its requirements)."""
    return is_dev_group(re.sub(r"^requirements", "", PurePosixPath(relpath).stem, flags=re.I))


def _looks_like_target(req: str) -> bool:
    """A path, URL or VCS reference rather than a PEP 508 ``name …`` (``name @ url`` is PEP 508)."""
    head = req.split(";", 1)[0].strip()
    if " @ " in head or re.match(r"^[A-Za-z0-9._-]+(\[[^\]]*\])?\s*@", head):
        return False
    return bool(re.match(r"^([a-z][a-z0-9+.-]*:|\.{0,2}/|~|[A-Za-z]:\\)", head, re.I)) or head.endswith(
        (".whl", ".zip", ".tar.gz", ".tgz", ".tar.bz2")
    )


def name_from_target(target: str, abspath: str) -> str:
    """The project name of an editable, path or URL requirement: ``#egg=``, a wheel or sdist file name,
    or the last path segment (``.git`` removed); for ``.`` the including folder's name."""
    target = target.strip()
    fragment = target.partition("#")[2]
    for part in fragment.split("&"):
        if part.startswith("egg="):
            return part[4:].split("[")[0]
    path = unquote(urlsplit(target).path) if "://" in target else target.split("#")[0]
    base = PurePosixPath(path.rstrip("/")).name
    from packaging.utils import (  # noqa: PLC0415 - packaging (and its platform tags) only for a file target
        InvalidSdistFilename,
        InvalidWheelFilename,
        parse_sdist_filename,
        parse_wheel_filename,
    )

    if base.endswith(".whl"):
        try:
            return str(parse_wheel_filename(base)[0])
        except InvalidWheelFilename:
            pass
    if base.endswith((".tar.gz", ".zip")):
        try:
            return str(parse_sdist_filename(base)[0])
        except InvalidSdistFilename:
            pass
    if base in ("", ".", "..") and abspath:
        base = Path(os.path.realpath(os.path.join(os.path.dirname(abspath), path or "."))).name
    base = base.split("@")[0]
    for suffix in (".git", ".tar.gz", ".tgz", ".tar.bz2", ".zip"):
        if base.endswith(suffix):
            return base[: -len(suffix)]
    return base
