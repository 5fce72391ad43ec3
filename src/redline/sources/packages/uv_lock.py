"""``uv.lock``: packages, edges from ``dependencies``, and the project's own entries as roots.

A package whose ``source`` is ``virtual``/``editable`` at a workspace path is the
project (or a workspace member), not a dependency: its ``dependencies`` and
``optional-dependencies`` are runtime roots (extras named like dev groups are dev),
its ``dev-dependencies`` are dev roots.
"""

from __future__ import annotations

from typing import Any

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
from redline.sources.packages.pep508 import is_dev_group

SUPPORTED_VERSIONS = (1,)


class UvLockParser(ManifestParser):
    name = "uv-lock"
    file_names = ("uv.lock",)

    def parse_manifest(self, text: FileText) -> PackageManifest:
        data = load_toml(text.text)
        version = data.get("version")
        if version is None:
            raise SourceError("no lockfile version: not a uv.lock")
        if version not in SUPPORTED_VERSIONS:
            raise SourceError(f"unsupported uv.lock version {version!r} (supported: 1)")
        b = ManifestBuilder(text.file.path, f"uv.lock v{version}", "PyPI")
        keys: dict[str, list[str]] = {}
        projects: list[dict[str, Any]] = []
        nodes: list[tuple[str, dict[str, Any]]] = []
        for entry in toml_packages(data, text.lines, need_version=False):
            name, ver, pkg = entry.name, entry.version, entry.table
            source = expect_dict(pkg.get("source"), f"{entry.where}.source")
            if "virtual" in source or "editable" in source:
                projects.append(pkg)
                continue
            key = b.add(name, ver, requirement=_requirement(source), line=entry.line)
            keys.setdefault(pep503(name), []).append(key)
            nodes.append((key, pkg))
        _link(b, keys, nodes, projects)
        return b.build()


def _requirement(source: dict[str, Any]) -> str:
    """Where a package not from an index comes from (git, a folder, a URL)."""
    if "git" in source:
        return f"git: {source['git']}"
    if "path" in source or "directory" in source:
        return f"path: {source.get('path') or source.get('directory')}"
    if "url" in source:
        return f"url: {source['url']}"
    return ""


def _link(
    b: ManifestBuilder,
    keys: dict[str, list[str]],
    nodes: list[tuple[str, dict[str, Any]]],
    projects: list[dict[str, Any]],
) -> None:
    """Edges (extras included), then the projects' dependencies and groups as roots."""
    _edges(b, keys, nodes)
    _roots(b, keys, projects)


def _edges(b: ManifestBuilder, keys: dict[str, list[str]], nodes: list[tuple[str, dict[str, Any]]]) -> None:
    for key, pkg in nodes:
        for dep in _deps(pkg, "dependencies"):
            for child in _resolve(keys, dep):
                b.depends(key, child)
        for extra_deps in expect_dict(pkg.get("optional-dependencies"), "optional-dependencies").values():
            for dep in expect_list(extra_deps, "optional-dependencies"):
                for child in _resolve(keys, expect_dict(dep, "dependency")):
                    b.depends(key, child)


def _roots(b: ManifestBuilder, keys: dict[str, list[str]], projects: list[dict[str, Any]]) -> None:
    for project in projects:
        for dep in _deps(project, "dependencies"):
            for child in _resolve(keys, dep):
                b.root(child)
        for table, dev_table in (("optional-dependencies", False), ("dev-dependencies", True)):
            for group, deps in expect_dict(project.get(table), table).items():
                for dep in expect_list(deps, f"{table}.{group}"):
                    for child in _resolve(keys, expect_dict(dep, "dependency")):
                        b.root(child, dev=dev_table or is_dev_group(group))


def _deps(pkg: dict[str, Any], field: str) -> list[dict[str, Any]]:
    return [expect_dict(d, field) for d in expect_list(pkg.get(field), field)]


def _resolve(keys: dict[str, list[str]], dep: dict[str, Any]) -> list[str]:
    """A dependency names a package, and its version when the lock holds several."""
    candidates = keys.get(pep503(str(dep.get("name", ""))), [])
    version = dep.get("version")
    if version and len(candidates) > 1:
        exact = [k for k in candidates if k.endswith(f"@{version}")]
        return exact or candidates
    return candidates
