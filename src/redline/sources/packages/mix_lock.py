"""Elixir ``mix.lock``: one ``"name": {:hex, :package, "version", …}`` entry per locked package.

The file is Elixir term syntax; it is read with a pattern per entry, never evaluated. Hex
entries are pinned packages of OSV's ``Hex`` ecosystem; ``:git`` and ``:path`` entries are
pinned to a commit or a folder, not a release, and are kept unpinned with that source.
mix.lock records no dev/runtime split and no graph edges redline uses.
"""

from __future__ import annotations

import re

from redline.core.packages import PackageManifest
from redline.core.workspace import FileText
from redline.sources.interface import SourceError
from redline.sources.packages.common import ManifestBuilder
from redline.sources.packages.interface import ManifestParser

_HEX = re.compile(r'^\s*"([^"]+)"\s*:\s*\{\s*:hex\s*,\s*:"?([\w.-]+)"?\s*,\s*"([^"]+)"')
_OTHER = re.compile(r'^\s*"([^"]+)"\s*:\s*\{\s*:(git|path)\s*,\s*"([^"]*)"(?:\s*,\s*"([^"]*)")?')


class MixLockParser(ManifestParser):
    name = "mix-lock"
    file_names = ("mix.lock",)

    def parse_manifest(self, text: FileText) -> PackageManifest:
        if not text.text.lstrip().startswith("%{"):
            raise SourceError("not an Elixir map (%{ … }): not a mix.lock")
        b = ManifestBuilder(text.file.path, "mix.lock", "Hex")
        for number, line in enumerate(text.lines, start=1):
            if m := _HEX.match(line):
                b.add(m.group(2), m.group(3), line=number)
            elif m := _OTHER.match(line):
                ref = f" {m.group(4)}" if m.group(4) else ""
                b.add(m.group(1), "", pinned=False, requirement=f"{m.group(2)} {m.group(3)}{ref}", line=number)
            elif line.strip().startswith('"'):
                raise SourceError(f"line {number}: unrecognised mix.lock entry")
        return b.build()
