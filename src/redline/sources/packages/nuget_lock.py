"""NuGet ``packages.lock.json``: per target framework, ``Direct``/``Transitive``/``Project``
entries with ``resolved`` versions and ``dependencies`` edges. Project references are not
packages. NuGet ids are case-insensitive; they are kept as written (OSV's spelling)."""

from __future__ import annotations

from redline.core.packages import PackageManifest
from redline.core.workspace import FileText
from redline.sources.interface import SourceError
from redline.sources.packages.common import ManifestBuilder, expect_dict, load_json_object
from redline.sources.packages.interface import ManifestParser

SUPPORTED_VERSIONS = (1, 2)


class NugetLockParser(ManifestParser):
    name = "nuget-lock"
    file_names = ("packages.lock.json",)

    def parse_manifest(self, text: FileText) -> PackageManifest:
        data = load_json_object(text.text)
        version = data.get("version")
        if version is None:
            raise SourceError("no version: not a packages.lock.json")
        if version not in SUPPORTED_VERSIONS:
            raise SourceError(f"unsupported packages.lock.json version {version!r} (supported: 1, 2)")
        b = ManifestBuilder(text.file.path, f"packages.lock.json v{version}", "NuGet")
        for framework, raw in expect_dict(data.get("dependencies"), "dependencies").items():
            entries = expect_dict(raw, f"dependencies[{framework!r}]")
            keys: dict[str, str] = {}
            for name, raw_entry in entries.items():
                entry = expect_dict(raw_entry, f"{framework}.{name}")
                if str(entry.get("type", "")).lower() == "project":
                    continue
                resolved = entry.get("resolved")
                if not isinstance(resolved, str):
                    raise SourceError(f"{framework}.{name} has no resolved version")
                keys[name.lower()] = b.add(name, resolved)
                if str(entry.get("type", "")).lower() == "direct":
                    b.root(keys[name.lower()])
            for name, raw_entry in entries.items():
                parent = keys.get(name.lower())
                if parent is None:
                    continue
                for dep in expect_dict(expect_dict(raw_entry, name).get("dependencies"), "dependencies"):
                    child = keys.get(str(dep).lower())
                    if child:
                        b.depends(parent, child)
        return b.build()
