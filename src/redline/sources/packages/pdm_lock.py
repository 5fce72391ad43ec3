"""``pdm.lock``: packages with their ``groups`` ("default" is runtime; "dev" and groups
named like dev tools are dev; other optional groups are runtime) and edges from the
PEP 508 ``dependencies`` strings. The lock does not mark direct dependencies."""

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
from redline.sources.packages.pep508 import is_dev_group, parse_pep508


class PdmLockParser(ManifestParser):
    name = "pdm-lock"
    file_names = ("pdm.lock",)

    def parse_manifest(self, text: FileText) -> PackageManifest:
        data = load_toml(text.text)
        meta = expect_dict(data.get("metadata"), "[metadata]")
        if not meta:
            raise SourceError("no [metadata] table: not a pdm.lock")
        lock_version = str(meta.get("lock_version", ""))
        if lock_version and lock_version.split(".", maxsplit=1)[0] not in ("3", "4"):
            raise SourceError(f"unsupported pdm.lock lock_version {lock_version!r} (supported: 3.x, 4.x)")
        b = ManifestBuilder(text.file.path, f"pdm.lock {lock_version}".strip(), "PyPI")
        by_name: dict[str, str] = {}
        pending: list[tuple[str, list[object]]] = []
        for entry in toml_packages(data, text.lines):
            name, version, pkg = entry.name, entry.version, entry.table
            groups = [str(g) for g in expect_list(pkg.get("groups"), "groups")]
            dev = bool(groups) and "default" not in groups and all(is_dev_group(g) for g in groups)
            requirement = f"git: {pkg['git']}@{pkg.get('revision', '')}" if "git" in pkg else ""
            key = b.add(name, version, dev=dev, requirement=requirement, line=entry.line)
            by_name[pep503(name)] = key
            pending.append((key, expect_list(pkg.get("dependencies"), "dependencies")))
        for key, deps in pending:
            for dep in deps:
                if isinstance(dep, str):
                    child = by_name.get(pep503(parse_pep508(dep, "dependency").name))
                    if child:
                        b.depends(key, child)
        return b.build()
