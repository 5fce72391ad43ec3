"""The extension point for manifest and lockfile parsers.

A ``ManifestParser`` is a ``FileSource`` that knows its file names and turns
one file's text into a ``PackageManifest``. Bad input raises ``SourceError``
with the reason (the pipeline adds the path); nothing is ever executed.
"""

from __future__ import annotations

import fnmatch
from abc import abstractmethod
from dataclasses import replace
from pathlib import PurePosixPath

from redline.core.packages import PackageManifest
from redline.core.redact import redact_url
from redline.core.workspace import FileText, SourceFile
from redline.sources.interface import FileSource, SourceError

__all__ = ["ManifestParser", "SourceError"]


class ManifestParser(FileSource):
    """One format. ``file_names`` are lower-case ``fnmatch`` patterns on the base name."""

    kinds = frozenset({"lockfile", "package-manifest"})
    produces = PackageManifest
    file_names: tuple[str, ...] = ()

    def wants(self, file: SourceFile) -> bool:
        return file.kind in self.kinds and self.matches(file.path)

    def matches(self, path: str) -> bool:
        name = PurePosixPath(path).name.lower()
        return any(fnmatch.fnmatchcase(name, pattern) for pattern in self.file_names)

    def parse(self, text: FileText) -> PackageManifest | None:
        """The manifest, or ``None`` when the file has the name but is not of the format (``parse_manifest`` says
        so by returning ``None``): nothing of it was this source's to read."""
        if text.text.startswith("\ufeff"):  # a byte order mark some Windows editors write
            text = replace(text, text=text.text[1:])
        if not text.text.strip():
            raise SourceError("empty file")
        try:
            return self.parse_manifest(text)
        except SourceError as exc:  # reasons may quote a URL from the file: never with its credentials
            raise SourceError(redact_url(str(exc))) from None

    @abstractmethod
    def parse_manifest(self, text: FileText) -> PackageManifest | None:
        """Read a non-empty file; raise ``SourceError`` with the reason on bad input; ``None`` for a file of
        another format that shares the name."""
