"""Ruby ``Gemfile.lock``: ``GEM``, ``GIT`` and ``PATH`` sections (specs at four spaces,
their dependencies at six) and ``DEPENDENCIES`` (the direct gems). A platform suffix
(``1.13.3-x86_64-linux``) is not part of the version. Groups are not recorded in the
lock, so nothing is marked dev."""

from __future__ import annotations

import re

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


class GemfileLockParser(ManifestParser):
    name = "gemfile-lock"
    file_names = ("gemfile.lock", "gems.locked")

    def parse_manifest(self, text: FileText) -> PackageManifest:
        b = ManifestBuilder(text.file.path, "Gemfile.lock", "RubyGems")
        section = ""
        source = ""
        revision = ""
        in_specs = False
        current = ""
        edges: list[tuple[str, str]] = []
        keys: dict[str, str] = {}
        direct: list[tuple[str, int]] = []
        known = False
        for number, raw in enumerate(text.lines, start=1):
            line = raw.rstrip()
            if not line:
                continue
            if not line.startswith(" "):
                section = line.strip()
                in_specs, current, source, revision = False, "", "", ""
                known = known or section in _SOURCES or section in ("PLATFORMS", "DEPENDENCIES", "BUNDLED WITH")
                continue
            if section in _SOURCES:
                if line.startswith("  remote:"):
                    if section != "GEM" and not source:
                        source = f"{section.lower()}: {line.split(':', 1)[1].strip()}"
                    continue
                if line.startswith("  revision:"):
                    revision = line.split(":", 1)[1].strip()
                    continue
                if line == "  specs:":
                    in_specs = True
                    continue
                if not in_specs:
                    continue
                spec = _SPEC.match(line)
                if spec:
                    name, version = spec.group(1), _gem_version(spec.group(2))
                    current = b.add(name, version, line=number,
                                    requirement=f"{source}@{revision}" if source and revision else source)
                    keys.setdefault(name, current)
                    continue
                dep = _DEP.match(line)
                if dep and current:
                    edges.append((current, dep.group(1)))
                    continue
                raise SourceError(f"line {number}: unreadable spec line {line.strip()!r}")
            elif section == "DEPENDENCIES":
                m = _DIRECT.match(line)
                if not m:
                    raise SourceError(f"line {number}: unreadable dependency {line.strip()!r}")
                direct.append((m.group(1), number))
        if not known:
            raise SourceError("no GEM, GIT, PATH or DEPENDENCIES section: not a Gemfile.lock")
        for parent, child_name in edges:
            child = keys.get(child_name)
            if child:
                b.depends(parent, child)
        for name, _number in direct:
            key = keys.get(name)
            if key:
                b.root(key)
        return b.build()
