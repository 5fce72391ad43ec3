"""Rust ``Cargo.lock`` (v1 to v4): packages and edges from ``dependencies``
(``"name"``, ``"name version"`` or ``"name version (source)"``). Packages without a
``source`` are the workspace's own crates: their dependencies are the direct ones."""

from __future__ import annotations

from redline.core.packages import PackageManifest
from redline.core.workspace import FileText
from redline.sources.interface import SourceError
from redline.sources.packages.common import (
    ManifestBuilder,
    expect_list,
    load_toml,
    toml_packages,
)
from redline.sources.packages.interface import ManifestParser

SUPPORTED_VERSIONS = (1, 2, 3, 4)


class CargoLockParser(ManifestParser):
    name = "cargo-lock"
    file_names = ("cargo.lock",)

    def parse_manifest(self, text: FileText) -> PackageManifest:
        data = load_toml(text.text)
        version = data.get("version", 1)
        if version not in SUPPORTED_VERSIONS:
            raise SourceError(f"unsupported Cargo.lock version {version!r} (supported: 1-4)")
        if "package" not in data and "version" not in data and "metadata" not in data:
            raise SourceError("no [[package]] entries and no version: not a Cargo.lock")
        b = ManifestBuilder(text.file.path, f"Cargo.lock v{version}", "crates.io")
        by_name: dict[str, list[tuple[str, str]]] = {}
        local: set[str] = set()
        entries: list[tuple[str, list[object]]] = []
        for entry in toml_packages(data, text.lines):
            name, ver, pkg = entry.name, entry.version, entry.table
            source = str(pkg.get("source", ""))
            if not source:
                key = f"local:{name}@{ver}"
                local.add(key)
            else:
                key = b.add(name, ver, requirement="" if source.startswith("registry+") else source, line=entry.line)
            by_name.setdefault(name, []).append((ver, key))
            entries.append((key, expect_list(pkg.get("dependencies"), "dependencies")))
        for key, deps in entries:
            for dep in deps:
                parts = str(dep).split(" ")
                candidates = by_name.get(parts[0], [])
                if len(parts) > 1:
                    candidates = [c for c in candidates if c[0] == parts[1]]
                for _ver, child in candidates[:1]:
                    if child in local:
                        continue
                    if key in local:
                        b.root(child)
                    else:
                        b.depends(key, child)
        return b.build()
