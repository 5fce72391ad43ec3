"""``pnpm-lock.yaml`` v5 (5.x), v6 and v9.

Package keys differ by version: ``/name/1.2.3_peer@1`` (v5), ``/name@1.2.3(peer@1)``
(v6), ``name@1.2.3(peer@1)`` (v9, with the graph under ``snapshots``); a registry host
may prefix the key. Non-registry entries (git, tarball, ``file:``) carry ``name`` and
``version`` fields. Direct dependencies come from the importers (``.`` and workspace
members in v6 ≥ 5.4 style ``importers`` and v9, or the top-level sections in v5/v6),
``devDependencies`` as dev roots; ``dev: true/false`` flags (v5, v6) are used as written.
A key that names no package is bad input.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

from redline.core.packages import PackageManifest
from redline.core.workspace import FileText
from redline.sources.interface import SourceError
from redline.sources.packages.common import ManifestBuilder, expect_dict, json_type, load_yaml
from redline.sources.packages.interface import ManifestParser

_VERSION = re.compile(r"^\d+\.\d+")
_SECTIONS = (("dependencies", False), ("optionalDependencies", False), ("devDependencies", True))


class PnpmLockParser(ManifestParser):
    name = "pnpm-lock"
    file_names = ("pnpm-lock.yaml",)

    def parse_manifest(self, text: FileText) -> PackageManifest:
        data = load_yaml(text.text)
        if data is None:
            raise SourceError("no YAML content: not a pnpm lockfile")
        if not isinstance(data, dict):
            raise SourceError(f"expected a YAML mapping at the top level, found {json_type(data)}")
        raw_version = data.get("lockfileVersion")
        if raw_version is None:
            raise SourceError("no lockfileVersion: not a pnpm lockfile")
        try:
            major = int(float(str(raw_version)))
        except (ValueError, OverflowError):  # "x", or inf
            raise SourceError(f"unreadable lockfileVersion {raw_version!r}") from None
        if major not in (5, 6, 7, 9):
            raise SourceError(f"unsupported pnpm lockfileVersion {raw_version!r} (supported: 5.x, 6.x, 9.x)")
        b = ManifestBuilder(text.file.path, f"pnpm-lock.yaml v{raw_version}", "npm")
        packages = expect_dict(data.get("packages"), "packages")
        snapshots = expect_dict(data.get("snapshots"), "snapshots")
        keys = _add_packages(b, packages)
        _add_snapshots(b, snapshots, keys)
        _edges(b, snapshots.items() if snapshots else packages.items(), keys)  # v9 snapshots, v5/v6 packages
        _roots(b, data, keys)
        return b.build()


def _source(resolution: dict[str, Any]) -> str:
    """Where a package not from the registry comes from (git commit, tarball URL, folder)."""
    if "commit" in resolution:
        return f"git: {resolution.get('repo', '')}#{resolution['commit']}"
    tarball = str(resolution.get("tarball", ""))
    if "tarball" in resolution and not ("/-/" in tarball and tarball.endswith(".tgz")):
        return tarball
    if "directory" in resolution:
        return f"directory: {resolution['directory']}"
    return ""


def _add_packages(b: ManifestBuilder, packages: dict[str, Any]) -> dict[str, str]:
    """Every package: normalised id (name@version(peers)), and the id without peers -> package key."""
    keys: dict[str, str] = {}
    for raw_key, raw in packages.items():
        entry = expect_dict(raw, f"packages[{raw_key!r}]")
        name, version = parse_key(str(raw_key))
        name = str(entry.get("name") or name)
        version = str(entry.get("version") or version)
        if not name:
            raise SourceError(f"package key {raw_key!r} names no package and version")
        dev = entry.get("dev")
        # a local folder or URL in place of a version (penpot's mcp/pnpm-lock.yaml: ``penpot-mcp@file:packages``,
        # resolution {directory: packages}): the package is kept with where it comes from, as a snapshot's is
        source = _source(expect_dict(entry.get("resolution"), "resolution"))
        key = b.add(
            name,
            version,
            dev=dev if isinstance(dev, bool) else None,
            requirement=source or ("" if version else str(raw_key)),
        )
        keys[_norm_id(str(raw_key))] = key
        keys.setdefault(_strip_peers(_norm_id(str(raw_key))), key)
    return keys


def _add_snapshots(b: ManifestBuilder, snapshots: dict[str, Any], keys: dict[str, str]) -> None:
    """v9 snapshot ids (with peers) point at their package; one with no package entry is added."""
    for snap_key in snapshots:
        base = _norm_id(str(snap_key))
        found = keys.get(base) or keys.get(_strip_peers(base))
        if found is None:
            name, version = parse_key(str(snap_key))
            if not name:
                raise SourceError(f"snapshot key {snap_key!r} names no package")
            found = b.add(name, version, requirement="" if version else str(snap_key))
            keys[_strip_peers(base)] = found
        keys[base] = found


def _edges(b: ManifestBuilder, graph: Iterable[tuple[Any, Any]], keys: dict[str, str]) -> None:
    for src_key, raw in graph:
        entry = expect_dict(raw, f"entry {src_key!r}")
        parent = keys.get(_norm_id(str(src_key))) or keys.get(_strip_peers(_norm_id(str(src_key))))
        if parent is None:
            continue
        for field in ("dependencies", "optionalDependencies"):
            for dep, ref in expect_dict(entry.get(field), field).items():
                child = _lookup(keys, str(dep), str(ref))
                if child:
                    b.depends(parent, child)


def _roots(b: ManifestBuilder, data: dict[str, Any], keys: dict[str, str]) -> None:
    """The importers' (workspace projects', or the lock's own top level) dependencies."""
    importers = expect_dict(data.get("importers"), "importers")
    roots: list[dict[str, Any]] = list(importers.values()) if importers else [data]
    for importer in roots:
        imp = expect_dict(importer, "importer")
        for section, dev in _SECTIONS:
            for dep, ref in expect_dict(imp.get(section), section).items():
                ref_version = ref.get("version") if isinstance(ref, dict) else ref
                child = _lookup(keys, str(dep), str(ref_version))
                if child:
                    b.root(child, dev=dev)


def _norm_id(key: str) -> str:
    """A key without its leading ``/`` (v5 and v6 write one, v9 does not)."""
    return key.lstrip("/")


_V5_PEERS = re.compile(r"^((?:[^/]+\.[^/]+/)?(?:@[^/]+/)?[^/@]+/\d[^_/]*)_.+$")


def _strip_peers(norm: str) -> str:
    """Drop peer suffixes: ``(peer@1)`` (v6, v9) or ``_peer@1`` (v5)."""
    norm = re.sub(r"\(.*$", "", norm)
    m = _V5_PEERS.match(norm)
    return m.group(1) if m else norm


def _lookup(keys: dict[str, str], dep: str, ref: str) -> str | None:
    """A dependency value is a version (maybe with peers), a ``link:``, an alias, or a full key."""
    if ref.startswith("link:"):
        return None
    for c in (f"{dep}@{ref}", f"{dep}/{ref}", _norm_id(ref)):
        if c in keys:
            return keys[c]
        stripped = _strip_peers(c)
        if stripped in keys:
            return keys[stripped]
    return None


_V5_KEY = re.compile(r"^(?P<name>(?:@[^/]+/)?[^/@]+)/(?P<version>\d+\.\d+[^_/]*)(?:_.*)?$")


def parse_key(key: str) -> tuple[str, str]:
    """``(name, version)`` from a package key of any version; the version is empty when the
    key holds a URL instead, and ``("", "")`` when it names no package at all."""
    k = key
    head = k.split("/", 1)[0]
    if not k.startswith(("/", "@")) and "/" in k and "." in head and "@" not in head and ":" not in head:
        k = k[len(head) :]  # drop a registry host: registry.npmjs.org/foo/1.0.0
    k = k.lstrip("/")
    m = _V5_KEY.match(k)
    if m:
        return m.group("name"), m.group("version")
    k = re.sub(r"\(.*$", "", k)  # v6/v9 peer suffix
    at = k.find("@", 1)
    if at > 0 and "/" not in k[:at].lstrip("@").split("/", 1)[-1] and ":" not in k[:at]:
        rest = k[at + 1 :]
        return k[:at], rest if _VERSION.match(rest) else ""
    return "", ""
