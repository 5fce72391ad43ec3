"""``package-lock.json`` v1, v2, v3 and ``npm-shrinkwrap.json``.

v2/v3 read ``packages`` (keys are install paths such as
``node_modules/a/node_modules/b``); each dependency is resolved like Node does,
from the nearest ``node_modules`` upwards, which gives the edges. The root entry
``""`` (and workspace members, linked from ``node_modules``) name the direct
dependencies, ``devDependencies`` as dev roots. v1 reads the nested
``dependencies`` tree and its ``requires`` maps; it has no root entry, so the
``package.json`` beside it names the direct ones (without it, top-level packages
nobody requires are taken as direct). ``dev``/``devOptional``
flags written by npm are used as they are. Git and file sources keep the version
npm recorded and carry the (credential-free) source as ``requirement``.
"""

from __future__ import annotations

from typing import Any

from redline.core.packages import PackageManifest
from redline.core.workspace import FileText
from redline.sources.interface import SourceError
from redline.sources.packages.common import ManifestBuilder, expect_dict, json_key_lines, json_type, load_json_object
from redline.sources.packages.interface import ManifestParser
from redline.sources.packages.siblings import DeclaredDeps, package_json_beside

SUPPORTED_VERSIONS = (1, 2, 3)
_NM = "node_modules/"
_DEP_FIELDS = ("dependencies", "optionalDependencies", "peerDependencies")


class NpmLockParser(ManifestParser):
    name = "npm-lock"
    file_names = ("package-lock.json", "npm-shrinkwrap.json")

    def parse_manifest(self, text: FileText) -> PackageManifest:
        data = load_json_object(text.text)
        version = data.get("lockfileVersion")
        if version is None:
            raise SourceError("no lockfileVersion: not an npm lockfile")
        if version not in SUPPORTED_VERSIONS:
            raise SourceError(f"unsupported lockfileVersion {version!r} (supported: 1, 2, 3)")
        base = "npm-shrinkwrap.json" if text.file.path.lower().endswith("npm-shrinkwrap.json") else "package-lock.json"
        b = ManifestBuilder(text.file.path, f"{base} v{version}", "npm")
        if version >= 2 and "packages" in data:
            _read_packages(b, expect_dict(data["packages"], "packages"), json_key_lines(text.lines))
        else:
            _read_v1(b, expect_dict(data.get("dependencies"), "dependencies"), package_json_beside(text))
        return b.build()


def _name_from_path(path: str) -> str:
    idx = path.rfind(_NM)
    return path[idx + len(_NM) :] if idx >= 0 else path.rsplit("/", 1)[-1]


def _source(entry: dict[str, Any]) -> str:
    resolved = entry.get("resolved")
    if isinstance(resolved, str) and not ("/-/" in resolved and ".tgz" in resolved):
        return resolved
    return ""


def _is_project(path: str) -> bool:
    """The project itself, or a workspace member's folder (not an installed package)."""
    return path == "" or (_NM not in path and not path.startswith("node_modules"))


def _read_packages(b: ManifestBuilder, packages: dict[str, Any], key_lines: dict[str, int]) -> None:
    keys, entries, links = _add_packages(b, packages, key_lines)
    _link_packages(b, packages, keys, entries, links)


def _add_packages(
    b: ManifestBuilder, packages: dict[str, Any], key_lines: dict[str, int]
) -> tuple[dict[str, str], dict[str, dict[str, Any]], dict[str, str]]:
    """Every installed package: (install path -> key, install path -> entry, link path -> workspace)."""
    keys: dict[str, str] = {}
    entries: dict[str, dict[str, Any]] = {}
    links: dict[str, str] = {}
    for path, raw in packages.items():
        entry = expect_dict(raw, f"packages[{path!r}]")
        entries[path] = entry
        if _is_project(path):
            continue
        if entry.get("link"):
            links[path] = str(entry.get("resolved", ""))
            continue
        version = entry.get("version")
        source = _source(entry)
        if version is None and source:
            version = ""
        if not isinstance(version, str):
            raise SourceError(f"packages[{path!r}] has no version (found {json_type(version)})")
        name = entry.get("name") or _name_from_path(path)
        dev = True if entry.get("dev") or entry.get("devOptional") else None
        lic = entry.get("license")
        keys[path] = b.add(
            str(name),
            version,
            dev=dev,
            requirement=source,
            license=lic if isinstance(lic, str) else "",
            line=key_lines.get(path, 0),
        )
    return keys, entries, links


def _link_packages(
    b: ManifestBuilder,
    packages: dict[str, Any],
    keys: dict[str, str],
    entries: dict[str, dict[str, Any]],
    links: dict[str, str],
) -> None:
    """Edges by Node's lookup; the project's (and workspaces') dependencies are the roots."""
    required: set[str] = set()
    has_roots = False
    for path, entry in entries.items():
        is_project = _is_project(path)
        parent = keys.get(path)
        if path in links or (not is_project and parent is None):
            continue
        fields = _DEP_FIELDS + (("devDependencies",) if is_project else ())
        for field in fields:
            for dep in expect_dict(entry.get(field), f"{path}.{field}"):
                child_path = _resolve(path, dep, packages, links)
                child = keys.get(child_path) if child_path is not None else None
                if child is None:
                    continue
                if is_project:
                    b.root(child, dev=field == "devDependencies")
                    has_roots = True
                else:
                    b.depends(parent or "", child)
                    required.add(child)
    if not has_roots:  # no root entry: top-level packages nobody requires are the direct ones
        for path, key in keys.items():
            if path.startswith(_NM) and _NM not in path[len(_NM) :] and key not in required:
                b.root(key)


def _resolve(path: str, dep: str, packages: dict[str, Any], links: dict[str, str]) -> str | None:
    """Node's lookup: ``<path>/node_modules/<dep>``, then each ancestor's ``node_modules``."""
    base = path
    while True:
        candidate = f"{base}/{_NM}{dep}" if base else f"{_NM}{dep}"
        if candidate in packages:
            return candidate
        if not base:
            return None
        idx = base.rfind("/" + _NM)
        if idx >= 0:
            base = base[:idx]
        elif base.startswith(_NM):
            base = ""
        else:  # a workspace folder: fall back to the root node_modules
            base = ""


def _add_v1(b: ManifestBuilder, name: str, entry: dict[str, Any]) -> str:
    """One v1 entry: an ``npm:<name>@<version>`` alias is the aliased package; a URL or git ref is unpinned."""
    version = entry.get("version")
    if not isinstance(version, str):
        raise SourceError(f"dependencies[{name!r}] has no version")
    real_name, real_version, source = name, version, ""
    if version.startswith("npm:"):  # an alias: npm:<name>@<version>
        real_name, _, real_version = version[4:].rpartition("@")
    elif not version[:1].isdigit():
        source, real_version = version, ""
    return b.add(real_name, real_version, pinned=bool(real_version), requirement=source, dev=bool(entry.get("dev")))


def _read_v1(b: ManifestBuilder, deps: dict[str, Any], declared: DeclaredDeps | None) -> None:
    required: set[str] = set()
    top: list[str] = []
    top_by_name: dict[str, str] = {}

    def walk(tree: dict[str, Any], scope: list[dict[str, str]], parent_key: str) -> None:
        local: dict[str, str] = {}
        items: list[tuple[str, dict[str, Any], str]] = []
        for name, raw in tree.items():
            entry = expect_dict(raw, f"dependencies[{name!r}]")
            key = _add_v1(b, name, entry)
            local[name] = key
            items.append((name, entry, key))
            if parent_key == "":
                top.append(key)
                top_by_name[name] = key
        frames = [local, *scope]
        for _name, entry, key in items:
            for dep in expect_dict(entry.get("requires"), "requires"):
                child = next((f[dep] for f in frames if dep in f), None)
                if child is not None:
                    b.depends(key, child)
                    required.add(child)
            nested = expect_dict(entry.get("dependencies"), "dependencies")
            if nested:
                walk(nested, frames, key)

    walk(deps, [], "")
    _v1_roots(b, declared, top_by_name, [k for k in top if k not in required])


def _v1_roots(
    b: ManifestBuilder, declared: DeclaredDeps | None, top_by_name: dict[str, str], unrequired: list[str]
) -> None:
    """The package.json beside the lock names the direct dependencies; without it, the top-level
    packages nothing else requires are."""
    if declared is not None:
        for table, dev in ((declared.runtime, False), (declared.dev, True)):
            for name in table:
                if name in top_by_name:
                    b.root(top_by_name[name], dev=dev)
        return
    for key in unrequired:
        b.root(key)
