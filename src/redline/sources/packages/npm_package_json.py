"""``package.json``: the project's declared dependencies (a manifest, not a lockfile).

``dependencies``, ``optionalDependencies`` and ``peerDependencies`` are runtime,
``devDependencies`` dev; all are direct. An exact version (``1.2.3``, ``=1.2.3``,
``v1.2.3``) is pinned; so is a ``workspace:``/``link:`` reference (a package of the same repository,
built from its source with it, never resolved from a registry); ranges, tags, URLs, git and ``file:``
references are unpinned with their text. ``npm:name@range`` aliases report the real name. A ``package.json``
under ``node_modules`` (or ``site-packages``) belongs to an installed package, not the project, and is skipped.
"""

from __future__ import annotations

import re

from redline.core.packages import PackageManifest
from redline.core.thirdparty import in_installed_package
from redline.core.workspace import FileText, SourceFile
from redline.sources.interface import SourceError
from redline.sources.packages.common import ManifestBuilder, expect_json_object, line_of, load_json
from redline.sources.packages.interface import ManifestParser
from redline.sources.packages.yarn_lock import split_descriptor

#: protocols that name another package of the same workspace (pnpm, yarn, bun): its source is in this repository;
#: ``file:`` names a folder or tarball of the repository too (penpot's mcp/packages/server: ``"penpot-mcp": "file:.."``)
_WORKSPACE_PROTOCOLS = ("workspace:", "link:", "file:")
_EXACT = re.compile(r"^\s*[=v]?\s*(\d+\.\d+\.\d+(?:-[0-9A-Za-z.-]+)?(?:\+[0-9A-Za-z.-]+)?)\s*$")
_FIELDS = (
    ("dependencies", False),
    ("optionalDependencies", False),
    ("peerDependencies", False),
    ("devDependencies", True),
)


class PackageJsonParser(ManifestParser):
    name = "package-json"
    file_names = ("package.json",)

    def wants(self, file: SourceFile) -> bool:
        return super().wants(file) and not in_installed_package(file.path)

    def parse_manifest(self, text: FileText) -> PackageManifest | None:
        data = load_json(text.text)
        if isinstance(data, list):
            return None  # a list is no npm manifest (Wikimedia's charts keep their module versions in one)
        data = expect_json_object(data)
        lines = text.lines
        name = data.get("name")
        b = ManifestBuilder(
            text.file.path, "package.json", "npm", is_lockfile=False, name=name if isinstance(name, str) else ""
        )
        for field, dev in _FIELDS:
            table = data.get(field)
            if table is None:
                continue
            if not isinstance(table, dict):
                raise SourceError(f"{field} must be an object")
            start = max(line_of(lines, f'"{field}"') - 1, 0)
            for name, spec in table.items():
                if not isinstance(spec, str):
                    raise SourceError(f"{field}.{name} must be a version string")
                real = name
                rng = spec
                if spec.startswith("npm:"):
                    real, rng = split_descriptor(spec[4:])
                exact = _EXACT.match(rng)
                local = rng.startswith(_WORKSPACE_PROTOCOLS)
                key = b.add(
                    real,
                    exact.group(1) if exact else "",
                    pinned=bool(exact) or local,
                    requirement="" if exact else spec,
                    line=line_of(lines, f'"{name}"', start),
                    dev=dev,
                    direct=True,
                    managed=local,  # fixed by the workspace's own source, as a BOM fixes a Maven version
                )
                b.root(key, dev=dev)
        return b.build()
