"""Ruby ``Gemfile.lock``: ``GEM``, ``GIT`` and ``PATH`` sections (specs at four spaces,
their dependencies at six) and ``DEPENDENCIES`` (the direct gems). A platform suffix
(``1.13.3-x86_64-linux``) is not part of the version. Groups are not recorded in the
lock, so nothing is marked dev."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from redline.core.packages import PackageManifest
from redline.core.workspace import FileText
from redline.sources.interface import SourceError
from redline.sources.packages.common import ManifestBuilder
from redline.sources.packages.interface import ManifestParser

_SPEC = re.compile(r"^    (\S+) \(([^)]+)\)$")
_DEP = re.compile(r"^      (\S+)(?: \(.*\))?$")
_DIRECT = re.compile(r"^  (\S+?)(!)?(?: \(.*\))?$")
_SOURCES = ("GEM", "GIT", "PATH", "PLUGIN SOURCE")


def _gem_version(raw: str) -> str:
    version = raw.split("-", 1)[0] if re.match(r"^\d[\w.]*-[a-z]", raw) else raw
    return version.strip()


@dataclass
class _Reader:
    """The line-by-line state of one Gemfile.lock: the section, its source, and what was read."""

    b: ManifestBuilder
    section: str = ""
    source: str = ""
    revision: str = ""
    in_specs: bool = False
    current: str = ""
    known: bool = False
    edges: list[tuple[str, str]] = field(default_factory=list)
    keys: dict[str, str] = field(default_factory=dict)
    direct: list[str] = field(default_factory=list)

    def header(self, line: str) -> None:
        self.section = line.strip()
        self.in_specs, self.current, self.source, self.revision = False, "", "", ""
        self.known = (
            self.known or self.section in _SOURCES or self.section in ("PLATFORMS", "DEPENDENCIES", "BUNDLED WITH")
        )

    def source_line(self, number: int, line: str) -> None:
        """A line of a GEM/GIT/PATH section: remote, revision, ``specs:``, a spec or its dependency."""
        if line.startswith("  remote:"):
            if self.section != "GEM" and not self.source:
                self.source = f"{self.section.lower()}: {line.split(':', 1)[1].strip()}"
        elif line.startswith("  revision:"):
            self.revision = line.split(":", 1)[1].strip()
        elif line == "  specs:":
            self.in_specs = True
        elif self.in_specs:
            self.spec_line(number, line)

    def spec_line(self, number: int, line: str) -> None:
        spec = _SPEC.match(line)
        if spec:
            name, version = spec.group(1), _gem_version(spec.group(2))
            requirement = f"{self.source}@{self.revision}" if self.source and self.revision else self.source
            self.current = self.b.add(name, version, line=number, requirement=requirement)
            self.keys.setdefault(name, self.current)
            return
        dep = _DEP.match(line)
        if dep and self.current:
            self.edges.append((self.current, dep.group(1)))
            return
        raise SourceError(f"line {number}: unreadable spec line {line.strip()!r}")

    def line(self, number: int, line: str) -> None:
        if not line.startswith(" "):
            self.header(line)
        elif self.section in _SOURCES:
            self.source_line(number, line)
        elif self.section == "DEPENDENCIES":
            m = _DIRECT.match(line)
            if not m:
                raise SourceError(f"line {number}: unreadable dependency {line.strip()!r}")
            self.direct.append(m.group(1))


class GemfileLockParser(ManifestParser):
    name = "gemfile-lock"
    file_names = ("gemfile.lock", "gems.locked")

    def parse_manifest(self, text: FileText) -> PackageManifest:
        b = ManifestBuilder(text.file.path, "Gemfile.lock", "RubyGems")
        reader = _Reader(b)
        for number, raw in enumerate(text.lines, start=1):
            line = raw.rstrip()
            if line:
                reader.line(number, line)
        if not reader.known:
            raise SourceError("no GEM, GIT, PATH or DEPENDENCIES section: not a Gemfile.lock")
        for parent, child_name in reader.edges:
            child = reader.keys.get(child_name)
            if child:
                b.depends(parent, child)
        for name in reader.direct:
            key = reader.keys.get(name)
            if key:
                b.root(key)
        return b.build()
