"""The audited tree: which files exist, what kind they are, and their text.

The walk honours ``.gitignore`` files (nested, like git), ``--exclude`` globs
and a size limit; it never follows a symlink out of the root and never
follows directory symlinks at all (no loops). Whatever it leaves out is
returned as ``Skipped`` with a reason, so the report can list it.
It only reads bytes: nothing of the audited repository is imported or run.
"""

from __future__ import annotations

import os
import stat
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from redline.core.filekinds import kind_of
from redline.core.model import Skipped
from redline.core.outputset import MANIFEST
from redline.core.vendored import vendored_folders

if TYPE_CHECKING:
    import pathspec

BINARY_SNIFF = 8192
ALWAYS_SKIPPED_DIRS = frozenset({".git", ".hg", ".svn", ".redline"})  # .redline: the history store
#: a .gitignore with more distinct patterns is not honoured (compiling them would take minutes)
MAX_IGNORE_PATTERNS = 5_000


@dataclass(frozen=True, slots=True)
class SourceFile:
    """One file the run covers. ``path`` is relative and POSIX style."""

    path: str
    abspath: str
    kind: str
    size: int
    #: in a folder packages were installed into (``pip install --target libs``: a ``*.dist-info`` beside each, as
    #: bazarr's ``libs/`` holds 112; see ``INSTALLED_PACKAGES_MIN``) or copied into and put on ``sys.path`` (Tautulli's
    #: ``lib/``, ``core.vendored``): other projects' code, vendored, not this one's
    installed: bool = False


@dataclass(frozen=True, slots=True)
class FileText:
    """A file's bytes and text, read once and shared by every source and check."""

    file: SourceFile
    data: bytes
    text: str
    decode_error: str = ""  # set when the bytes were not valid UTF-8

    @property
    def lines(self) -> list[str]:
        return self.text.splitlines()


class UnreadableFile(Exception):
    """The file could not be read, or turned out to be binary."""


def read_file(file: SourceFile) -> FileText:
    try:
        with open(file.abspath, "rb") as fh:
            data = fh.read()
    except OSError as exc:
        raise UnreadableFile(f"cannot read: {exc.strerror or exc}") from None
    if b"\x00" in data[:BINARY_SNIFF]:
        raise UnreadableFile("binary file (NUL byte)")
    try:
        return FileText(file, data, data.decode("utf-8"))
    except UnicodeDecodeError as exc:
        text = data.decode("utf-8", errors="replace")
        if _mostly_not_text(text[:BINARY_SNIFF]):
            raise UnreadableFile("binary file (not text: control bytes and invalid UTF-8)") from None
        return FileText(file, data, text, f"invalid UTF-8 at byte {exc.start}; read with replacement characters")


#: a share of odd characters above which bytes that are not UTF-8 are data, not text in another encoding (Perl's
#: ``-B`` test uses a third): a Latin-1 source file has a few, an encrypted or compressed file about half
ODD_SHARE = 0.3
_ODD = frozenset(chr(c) for c in (*range(0x00, 0x08), 0x0B, *range(0x0E, 0x1B), *range(0x1C, 0x20), 0x7F, 0xFFFD))


def _mostly_not_text(text: str) -> bool:
    """Whether decoded bytes are mostly replacement and control characters: a binary file without a NUL byte in
    its first 8 KB (an OpenPGP key of git-crypt, a compressed blob), which would otherwise be read as text."""
    odd = sum(1 for ch in text if ch in _ODD)
    return bool(text) and odd > ODD_SHARE * len(text)


def _ignore_spec(lines: list[str]) -> pathspec.GitIgnoreSpec:
    """``lines`` compiled as one .gitignore. pathspec (and the Hyperscan backend it loads, ~11 ms) is imported
    only by a tree that has a .gitignore or an exclude glob."""
    import pathspec  # noqa: PLC0415

    return pathspec.GitIgnoreSpec.from_lines(lines)


@dataclass
class _IgnoreLevel:
    base: str  # relative dir, "" for root
    spec: pathspec.GitIgnoreSpec


@dataclass
class WalkResult:
    files: list[SourceFile] = field(default_factory=list)
    skipped: list[Skipped] = field(default_factory=list)


class Workspace:
    """Walks one root once; the result is reused by every source."""

    def __init__(
        self,
        root: Path,
        *,
        exclude: Iterable[str] = (),
        max_file_size: int,
        max_lockfile_size: int = 0,
        honour_gitignore: bool = True,
    ) -> None:
        self.root = root.resolve()
        self.max_file_size = max_file_size
        # lockfiles of large monorepos run to tens of MB; skipping one hides every vulnerability in it
        self.max_lockfile_size = max(max_lockfile_size, max_file_size)
        self.honour_gitignore = honour_gitignore
        self._exclude = _ignore_spec(list(exclude)) if exclude else None
        #: root folders of copied packages a root script puts on ``sys.path`` (``core.vendored``), read by ``walk``
        self._vendored: frozenset[str] = frozenset()

    def walk(self) -> WalkResult:
        result = WalkResult()
        self._vendored = vendored_folders(str(self.root))
        self._walk_dir(str(self.root), "", [], result)
        result.files.sort(key=lambda f: f.path)
        result.skipped.sort(key=lambda s: s.path)
        return result

    def named(self, paths: Iterable[str]) -> WalkResult:
        """Only these files (relative to the root: the staged files a pre-commit hook is given), with the
        ``--exclude`` globs and size limits applied; ``.gitignore`` is not consulted (git chose them). A path
        that is not a regular file inside the root (deleted, a directory, a symlink, ``..``) is not covered."""
        result = WalkResult()
        for rel in sorted(set(paths)):
            path = Path(os.path.normpath(self.root / rel))  # an absolute ``rel`` stays itself
            try:
                name = path.relative_to(self.root).as_posix()
            except ValueError:
                result.skipped.append(Skipped(rel, "outside the audited tree"))
                continue
            try:
                st = os.lstat(self.root / name)
            except OSError:
                result.skipped.append(Skipped(name, "not found (deleted or renamed)"))
                continue
            if not stat.S_ISREG(st.st_mode):
                result.skipped.append(Skipped(name, "not a regular file"))
            elif not self._ignored(name, False, []):
                self._add_file(str(self.root / name), name, st.st_size, result)
        return result

    def files_in(self, rel_dir: str) -> list[SourceFile]:
        """The regular files directly in one directory, sorted, with the ``--exclude`` globs applied but
        not ``.gitignore`` (a build context takes what git ignores) and no size filter: a listing, for
        sources that need to know what a directory holds (what ``COPY .`` takes). Symlinks are left out;
        an unlistable directory lists as empty."""
        directory = self.root / rel_dir if rel_dir else self.root
        try:
            entries = list(os.scandir(directory))
        except OSError:
            return []
        out: list[SourceFile] = []
        for entry in entries:
            child = _join(rel_dir, entry.name)
            try:
                if not entry.is_file(follow_symlinks=False) or self._ignored(child, False, []):
                    continue
                out.append(SourceFile(child, entry.path, kind_of(child), entry.stat(follow_symlinks=False).st_size))
            except OSError:
                continue
        return sorted(out, key=lambda f: f.path)

    def _ignored(self, rel: str, is_dir: bool, levels: list[_IgnoreLevel]) -> bool:
        probe = rel + "/" if is_dir else rel
        if self._exclude is not None and self._exclude.match_file(probe):
            return True
        ignored = False
        for level in levels:
            sub = probe[len(level.base) + 1 :] if level.base else probe
            res = level.spec.check_file(sub)
            if res.include is not None:
                ignored = res.include
        return ignored

    def _load_gitignore(
        self, directory: str, rel: str, levels: list[_IgnoreLevel], result: WalkResult
    ) -> list[_IgnoreLevel]:
        if not self.honour_gitignore:
            return levels
        try:
            with open(os.path.join(directory, ".gitignore"), encoding="utf-8", errors="replace") as fh:
                lines = fh.read().splitlines()
        except FileNotFoundError:
            return levels
        except OSError as exc:
            result.skipped.append(Skipped(_join(rel, ".gitignore"), f"cannot read .gitignore: {exc.strerror}"))
            return levels
        # the last matching line wins, so dropping the earlier copies of a repeated line changes nothing;
        # a file of 12,000 repeated lines took 20 s to compile
        unique = list(reversed(dict.fromkeys(reversed(lines))))
        if len(unique) > MAX_IGNORE_PATTERNS:
            result.skipped.append(
                Skipped(
                    _join(rel, ".gitignore"),
                    f"not honoured: {len(unique):,} patterns "
                    f"(more than {MAX_IGNORE_PATTERNS:,}); the files it lists are audited",
                )
            )
            return levels
        try:
            spec = _ignore_spec(unique)
        except Exception as exc:  # noqa: BLE001 - pathspec's re, re2 and hyperscan backends each raise their own
            # error for a pattern they refuse (e.g. 200 KB long)
            result.skipped.append(
                Skipped(_join(rel, ".gitignore"), f"not honoured: {exc}; the files it lists are audited")
            )
            return levels
        return [*levels, _IgnoreLevel(rel, spec)]

    def _walk_dir(
        self, directory: str, rel: str, levels: list[_IgnoreLevel], result: WalkResult, installed: bool = False
    ) -> None:
        try:
            entries = list(os.scandir(directory))
        except OSError as exc:
            result.skipped.append(Skipped(rel or ".", f"cannot list directory: {exc.strerror}"))
            return
        installed = installed or (bool(rel) and (rel in self._vendored or _holds_installed_packages(entries)))
        # redline's own reports (a folder holding its manifest), told from the listing just read: auditing them
        # would count them twice
        if rel and any(e.name == MANIFEST and e.is_file() for e in entries):
            return
        # most folders have no .gitignore: the listing says so, where opening one raised in each of the Django
        # sdist's 3,233 folders
        if any(e.name == ".gitignore" for e in entries):
            levels = self._load_gitignore(directory, rel, levels, result)
        for entry in entries:
            child = _join(rel, display_name(entry.name))
            try:
                self._visit(entry, child, levels, result, installed)
            except OSError as exc:
                result.skipped.append(Skipped(child, f"cannot stat: {exc.strerror}"))

    def _visit(
        self, entry: os.DirEntry[str], child: str, levels: list[_IgnoreLevel], result: WalkResult, installed: bool
    ) -> None:
        if entry.is_symlink():
            self._visit_symlink(entry, child, levels, result)
            return
        if entry.is_dir(follow_symlinks=False):
            if entry.name in ALWAYS_SKIPPED_DIRS or self._ignored(child, True, levels):
                return
            self._walk_dir(entry.path, child, levels, result, installed)
            return
        if not entry.is_file(follow_symlinks=False):
            return  # sockets, fifos, devices: never read
        if self._ignored(child, False, levels):
            return
        self._add_file(entry.path, child, entry.stat(follow_symlinks=False).st_size, result, installed)

    def _visit_symlink(
        self, entry: os.DirEntry[str], child: str, levels: list[_IgnoreLevel], result: WalkResult
    ) -> None:
        if self._ignored(child, False, levels):
            return
        try:
            target = Path(entry.path).resolve(strict=True)
        except (OSError, RuntimeError):
            result.skipped.append(Skipped(child, "broken or looping symlink"))
            return
        if not target.is_relative_to(self.root):
            result.skipped.append(Skipped(child, "symlink points outside the audited tree"))
            return
        st = target.stat()
        if stat.S_ISDIR(st.st_mode):
            result.skipped.append(Skipped(child, "symlink to a directory (not followed)"))
        elif stat.S_ISREG(st.st_mode):
            self._add_file(str(target), child, st.st_size, result)

    def _add_file(self, abspath: str, rel: str, size: int, result: WalkResult, installed: bool = False) -> None:
        kind = kind_of(rel)
        limit = self.max_lockfile_size if kind == "lockfile" else self.max_file_size
        if size > limit:
            result.skipped.append(Skipped(rel, f"larger than the size limit ({size:,} > {limit:,} bytes)"))
            return
        result.files.append(SourceFile(rel, abspath, kind, size, installed))


#: how many installed packages' ``*.dist-info`` folders make a folder one packages were installed into: an sdist or a
#: checkout after ``pip install -e .`` holds one ``*.egg-info`` of its own (Django's sdist: ``Django.egg-info``), a
#: ``pip install --target`` folder one ``*.dist-info`` per package (bazarr's ``libs/``: 112)
INSTALLED_PACKAGES_MIN = 3


def _holds_installed_packages(entries: list[os.DirEntry[str]]) -> bool:
    """Whether a folder (never the tree's root) holds the ``*.dist-info`` of several installed packages."""
    found = 0
    for entry in entries:
        if entry.name.endswith(".dist-info") and entry.is_dir():
            found += 1
            if found >= INSTALLED_PACKAGES_MIN:
                return True
    return False


def display_name(name: str) -> str:
    """A file name as text every output can hold: bytes that are not UTF-8 (which the OS hands over as
    lone surrogates) become ``\\xNN`` escapes, so ``caf\\xe9/Dockerfile`` is audited and reported instead
    of crashing every encoder downstream. The real name stays in ``SourceFile.abspath``."""
    try:
        name.encode("utf-8")
    except UnicodeEncodeError:
        return os.fsencode(name).decode("utf-8", "backslashreplace")
    return name


def _join(rel: str, name: str) -> str:
    return f"{rel}/{name}" if rel else name
