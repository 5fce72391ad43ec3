"""``poetry.lock``: every locked package, with ``[package.dependencies]`` edges.

Poetry ≥ 1.5/2 writes ``groups``; older files write ``category`` ("main"/"dev").
The lock does not say which packages the project names itself, so no package
is marked direct and the dev flag comes from the lock, not from the graph.
"""

from __future__ import annotations

from redline.core.packages import PackageManifest, pep503
from redline.core.workspace import FileText
from redline.sources.interface import SourceError
from redline.sources.packages.common import (
    ManifestBuilder,
    expect_dict,
    load_toml,
    toml_packages,
)
from redline.sources.packages.interface import ManifestParser

SUPPORTED_MAJORS = ("1", "2")


class PoetryLockParser(ManifestParser):
    name = "poetry-lock"
    file_names = ("poetry.lock",)

    def parse_manifest(self, text: FileText) -> PackageManifest:
        data = load_toml(text.text)
        packages = toml_packages(data, text.lines, label="[[package]]")
        if not packages and "metadata" not in data:
            raise SourceError("no [[package]] entries and no [metadata]: not a poetry.lock")
        lock_version = str(expect_dict(data.get("metadata"), "[metadata]").get("lock-version", ""))
        if lock_version and lock_version.split(".", maxsplit=1)[0] not in SUPPORTED_MAJORS:
            raise SourceError(f"unsupported poetry.lock lock-version {lock_version!r} (supported: 1.x, 2.x)")
        b = ManifestBuilder(text.file.path, "poetry.lock", "PyPI")
        by_name: dict[str, str] = {}
        pending: list[tuple[str, dict[str, object]]] = []
        for entry in packages:
            name, version, pkg, line = entry.name, entry.version, entry.table, entry.line
            dev = _is_dev(pkg)
            source = expect_dict(pkg.get("source"), f"{entry.where}.source")
            stype = source.get("type")
            if stype in ("git", "directory", "file", "url"):
                ref = source.get("resolved_reference") or source.get("reference") or ""
                key = b.add(
                    name,
                    version,
                    dev=dev,
                    line=line,
                    requirement=f"{stype}: {source.get('url', '')}" + (f"@{ref}" if ref else ""),
                )
            else:
                key = b.add(name, version, dev=dev, line=line)
            by_name[pep503(name)] = key
            pending.append((key, expect_dict(pkg.get("dependencies"), f"{entry.where}.dependencies")))
        for key, deps in pending:
            for dep in deps:
                child = by_name.get(pep503(dep))
                if child:
                    b.depends(key, child)
        return b.build()


def _is_dev(pkg: dict[str, object]) -> bool:
    groups = pkg.get("groups")
    if isinstance(groups, list) and groups:
        return "main" not in groups
    return pkg.get("category") == "dev"
