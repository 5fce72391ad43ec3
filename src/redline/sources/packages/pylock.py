"""``pylock.toml`` (PEP 751): ``[[packages]]`` with optional ``dependencies`` edges.

Entries without a version (VCS, directory, archive) are unpinned with their source;
a ``directory`` at ``.`` is the project itself and is not a dependency. PEP 751 keeps
groups in markers only, so dev is not derived (all packages runtime, none direct).
"""

from __future__ import annotations

from redline.core.packages import PackageManifest, pep503
from redline.core.workspace import FileText
from redline.sources.interface import SourceError
from redline.sources.packages.common import (
    ManifestBuilder,
    expect_dict,
    expect_list,
    load_toml,
    toml_packages,
)
from redline.sources.packages.interface import ManifestParser


class PylockParser(ManifestParser):
    name = "pylock"
    file_names = ("pylock.toml", "pylock.*.toml")

    def parse_manifest(self, text: FileText) -> PackageManifest:
        data = load_toml(text.text)
        lock_version = data.get("lock-version")
        if lock_version is None:
            raise SourceError("no lock-version: not a pylock.toml")
        if not str(lock_version).startswith("1."):
            raise SourceError(f"unsupported pylock lock-version {lock_version!r} (supported: 1.x)")
        b = ManifestBuilder(text.file.path, f"pylock.toml {lock_version}", "PyPI")
        by_name: dict[str, list[str]] = {}
        pending: list[tuple[str, list[object]]] = []
        for entry in toml_packages(data, text.lines, "packages", need_version=False):
            name, pkg = entry.name, entry.table
            directory = expect_dict(pkg.get("directory"), "directory")
            if directory.get("path") in (".", "./"):
                continue  # the project itself
            version = entry.version
            requirement = _source(pkg, directory)
            key = b.add(
                name, version, pinned=bool(version), requirement="" if version else requirement, line=entry.line
            )
            by_name.setdefault(pep503(name), []).append(key)
            pending.append((key, expect_list(pkg.get("dependencies"), "dependencies")))
        for key, deps in pending:
            for dep in deps:
                ref = expect_dict(dep, "dependency")
                candidates = by_name.get(pep503(str(ref.get("name", ""))), [])
                if ref.get("version"):
                    candidates = [c for c in candidates if c.endswith(f"@{ref['version']}")] or candidates
                for child in candidates:
                    b.depends(key, child)
        return b.build()


def _source(pkg: dict[str, object], directory: dict[str, object]) -> str:
    """Where an unversioned package comes from: a VCS commit, a folder or an archive."""
    if "vcs" in pkg:
        vcs = expect_dict(pkg["vcs"], "vcs")
        return f"{vcs.get('type', 'vcs')}: {vcs.get('url', '')}@{vcs.get('commit-id', '')}"
    if directory:
        return f"path: {directory.get('path', '')}"
    if "archive" in pkg:
        archive = expect_dict(pkg["archive"], "archive")
        return f"archive: {archive.get('url') or archive.get('path', '')}"
    return ""
