""".NET SDK-style project files (``*.csproj``, ``*.fsproj``, ``*.vbproj``): ``<PackageReference>`` items.

A manifest, not a lockfile (NuGet resolves the graph at restore; ``packages.lock.json`` beside it,
when committed, is the lockfile and wins). ``Include``/``Update`` name the package and the version
comes from a ``Version`` attribute or child element. An exact version (``8.0.1`` or ``[8.0.1]``) is
pinned; a floating (``8.*``) or range (``[8.0,9.0)``) version is not. No version at all means Central
Package Management manages it: the ``PackageVersion`` of the nearest ``Directory.Packages.props`` (the
project's folder or up to two above) gives it; without one it is pinned with its version unknown.
``PrivateAssets="all"`` marks build-time packages (analyzers, source generators): dev.
"""

from __future__ import annotations

import re

from redline.core.packages import PackageManifest
from redline.core.workspace import FileText
from redline.sources.interface import SourceError
from redline.sources.packages.common import ManifestBuilder
from redline.sources.packages.interface import ManifestParser
from redline.sources.packages.maven_pom import Node, parse_xml
from redline.sources.packages.siblings import text_near

_EXACT = re.compile(r"^\[?\s*(\d+(?:\.\d+){0,3}(?:-[0-9A-Za-z.-]+)?)\s*\]?$")
_ATTRS = re.compile(r'(\w+)\s*=\s*"([^"]*)"')


def _references(lines: list[str]) -> list[tuple[int, dict[str, str]]]:
    """Each ``<PackageReference …>`` start tag's line and attributes (the XML reader keeps no attributes)."""
    out = []
    for number, line in enumerate(lines, start=1):
        for tag in re.finditer(r"<PackageReference\b([^>]*)>", line):
            out.append((number, dict(_ATTRS.findall(tag.group(1)))))
    return out


def _child_versions(root: Node) -> dict[int, str]:
    """``<Version>`` child elements by their PackageReference's line."""
    out: dict[int, str] = {}
    stack = [root]
    while stack:
        node = stack.pop()
        if node.tag == "PackageReference":
            version = node.value("Version")
            if version:
                out[node.line] = version
        stack.extend(node.children)
    return out


def _central_versions(props: str | None) -> dict[str, str]:
    """``<PackageVersion Include="X" Version="1.2.3" />`` of a Directory.Packages.props, by lower-case id."""
    if not props:
        return {}
    out: dict[str, str] = {}
    for tag in re.finditer(r"<PackageVersion\b([^>]*)>", props):
        attrs = dict(_ATTRS.findall(tag.group(1)))
        if attrs.get("Include") and attrs.get("Version"):
            out[attrs["Include"].lower()] = attrs["Version"]
    return out


class CsprojParser(ManifestParser):
    name = "dotnet-project"
    file_names = ("*.csproj", "*.fsproj", "*.vbproj")

    def parse_manifest(self, text: FileText) -> PackageManifest:
        root = parse_xml(text.data)
        if root.tag != "Project":
            raise SourceError(f"root element is <{root.tag}>, not <Project>: not an MSBuild project")
        children = _child_versions(root)
        central = _central_versions(text_near(text, "Directory.Packages.props"))
        b = ManifestBuilder(text.file.path, "csproj", "NuGet", is_lockfile=False)
        for line, attrs in _references(text.lines):
            name = attrs.get("Include") or attrs.get("Update", "")
            if not name:
                continue
            declared = (
                attrs.get("Version")
                or attrs.get("VersionOverride")
                or children.get(line, "")
                or central.get(name.lower(), "")
            ).strip()
            exact = _EXACT.match(declared)
            dev = attrs.get("PrivateAssets", "").lower() == "all"
            if exact:
                key = b.add(name, exact.group(1), line=line, direct=True, dev=dev)
            elif not declared:
                key = b.add(
                    name,
                    "",
                    requirement="version managed centrally (Directory.Packages.props)",
                    line=line,
                    direct=True,
                    dev=dev,
                    managed=True,
                )
            else:
                key = b.add(name, "", pinned=False, requirement=declared, line=line, direct=True, dev=dev)
            b.root(key, dev=dev)
        return b.build()
