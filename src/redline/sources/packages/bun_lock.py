"""``bun.lock`` (bun ≥ 1.1.39's text lockfile: JSON with trailing commas).

``packages`` maps an install path (``chalk/supports-color`` nests under ``chalk``)
to a tuple ``[name@version-or-source, registry, {dependencies…}, integrity]``.
Dependencies resolve like Node: the nearest enclosing path first. Workspaces
(``""`` is the project) name the direct dependencies, ``devDependencies`` as dev roots.
"""

from __future__ import annotations

from typing import Any

from redline.core.packages import PackageManifest
from redline.core.workspace import FileText
from redline.sources.interface import SourceError
from redline.sources.packages.common import ManifestBuilder, expect_dict, json_key_lines, json_type
from redline.sources.packages.interface import ManifestParser
from redline.sources.packages.jsonc import load_jsonc
from redline.sources.packages.yarn_lock import split_descriptor

SUPPORTED_VERSIONS = (0, 1)
_DEP_FIELDS = ("dependencies", "optionalDependencies", "peerDependencies")


class BunLockParser(ManifestParser):
    name = "bun-lock"
    file_names = ("bun.lock",)

    def parse_manifest(self, text: FileText) -> PackageManifest:
        data = load_jsonc(text.text)
        if not isinstance(data, dict):
            raise SourceError(f"expected an object at the top level, found {json_type(data)}")
        version = data.get("lockfileVersion")
        if version is None:
            raise SourceError("no lockfileVersion: not a bun.lock")
        if version not in SUPPORTED_VERSIONS:
            raise SourceError(f"unsupported bun.lock lockfileVersion {version!r} (supported: 0, 1)")
        b = ManifestBuilder(text.file.path, f"bun.lock v{version}", "npm")
        packages = expect_dict(data.get("packages"), "packages")
        keys: dict[str, str] = {}
        deps_of: dict[str, dict[str, Any]] = {}
        key_lines = json_key_lines(text.lines, after="packages")
        for path, raw in packages.items():
            if not isinstance(raw, list) or not raw or not isinstance(raw[0], str):
                raise SourceError(f"packages[{path!r}] is not a [name@version, …] tuple")
            name, ref = split_descriptor(raw[0])
            if not name:
                raise SourceError(f"packages[{path!r}] names no package")
            meta = next((x for x in raw[1:] if isinstance(x, dict)), {})
            version, source = ref, ""
            if not ref[:1].isdigit():  # file:, github:, git+…, npm alias never here (resolved)
                version, source = "", ref
            keys[path] = b.add(name, version, pinned=bool(version), requirement=source, line=key_lines.get(path, 0))
            deps_of[path] = meta
        _link(b, data, keys, deps_of)
        return b.build()


def _link(b: ManifestBuilder, data: dict[str, Any], keys: dict[str, str], deps_of: dict[str, dict[str, Any]]) -> None:
    """Edges between installed packages, then the workspaces' own dependencies as roots."""
    for path, meta in deps_of.items():
        for field in _DEP_FIELDS:
            for dep in expect_dict(meta.get(field), field):
                child = _resolve(path, str(dep), keys)
                if child:
                    b.depends(keys[path], child)
    for ws_path, raw_ws in expect_dict(data.get("workspaces"), "workspaces").items():
        ws = expect_dict(raw_ws, f"workspaces[{ws_path!r}]")
        for field, dev in (*((f, False) for f in _DEP_FIELDS), ("devDependencies", True)):
            for dep in expect_dict(ws.get(field), field):
                child = _resolve("", str(dep), keys)
                if child:
                    b.root(child, dev=dev)


def _segments(path: str) -> list[str]:
    """Split an install path into package names (``@scope/name`` is one)."""
    parts = path.split("/")
    out: list[str] = []
    i = 0
    while i < len(parts):
        if parts[i].startswith("@") and i + 1 < len(parts):
            out.append(f"{parts[i]}/{parts[i + 1]}")
            i += 2
        else:
            out.append(parts[i])
            i += 1
    return out


def _resolve(path: str, dep: str, keys: dict[str, str]) -> str | None:
    segs = _segments(path) if path else []
    while True:
        candidate = "/".join([*segs, dep])
        if candidate in keys:
            return keys[candidate]
        if not segs:
            return None
        segs.pop()
