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


def _elements(root: Node, tag: str) -> list[Node]:
    """Every ``<tag>`` element under ``root``, in document order."""
    out: list[Node] = []
    stack = [root]
    while stack:
        node = stack.pop()
        if node.tag == tag:
            out.append(node)
        stack.extend(reversed(node.children))
    return out


def _central_versions(props: str | None) -> dict[str, str]:
    """``<PackageVersion Include="X" Version="1.2.3" />`` of a Directory.Packages.props, by lower-case id."""
    if not props:
        return {}
    try:
        root = parse_xml(props.encode("utf-8"))
    except SourceError:
        return {}  # an unreadable props file leaves the versions unknown
    out: dict[str, str] = {}
    for node in _elements(root, "PackageVersion"):
        if node.attrs.get("Include") and node.attrs.get("Version"):
            out[node.attrs["Include"].lower()] = node.attrs["Version"]
    return out


class CsprojParser(ManifestParser):
    name = "dotnet-project"
    file_names = ("*.csproj", "*.fsproj", "*.vbproj")

    def parse_manifest(self, text: FileText) -> PackageManifest:
        root = parse_xml(text.data)
        if root.tag != "Project":
            raise SourceError(f"root element is <{root.tag}>, not <Project>: not an MSBuild project")
        central = _central_versions(text_near(text, "Directory.Packages.props"))
        b = ManifestBuilder(text.file.path, "csproj", "NuGet", is_lockfile=False)
        for ref in _elements(root, "PackageReference"):
            attrs, line = ref.attrs, ref.line
            name = attrs.get("Include") or attrs.get("Update", "")
            if not name:
                continue
            declared = (
                attrs.get("Version")
                or attrs.get("VersionOverride")
                or ref.value("Version")
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
