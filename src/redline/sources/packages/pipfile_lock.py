"""``Pipfile.lock``: ``default`` (runtime) and ``develop`` (dev) sections.

The lock is flat: it records neither edges nor which packages the Pipfile
names. The ``Pipfile`` beside it (when present) marks the direct ones; without it
none is marked direct. No edges, so no path. A package in both sections is
runtime. Git/path entries are unpinned.
"""

from __future__ import annotations

from redline.core.packages import PackageManifest, pep503
from redline.core.workspace import FileText
from redline.sources.interface import SourceError
from redline.sources.packages.common import ManifestBuilder, expect_dict, load_json_object
from redline.sources.packages.interface import ManifestParser
from redline.sources.packages.siblings import pipfile_beside


class PipfileLockParser(ManifestParser):
    name = "pipfile-lock"
    file_names = ("pipfile.lock",)

    def parse_manifest(self, text: FileText) -> PackageManifest:
        data = load_json_object(text.text)
        if "_meta" not in data and "default" not in data and "develop" not in data:
            raise SourceError("no _meta, default or develop section: not a Pipfile.lock")
        spec = expect_dict(data.get("_meta"), "_meta").get("pipfile-spec", 6)
        if not isinstance(spec, int) or not 1 <= spec <= 6:
            raise SourceError(f"unsupported pipfile-spec {spec!r} (supported: up to 6)")
        b = ManifestBuilder(text.file.path, "Pipfile.lock", "PyPI")
        declared = pipfile_beside(text)
        direct = {pep503(n) for n in (*declared.runtime, *declared.dev)} if declared is not None else set()
        for section, dev in (("default", False), ("develop", True)):
            for name, raw in expect_dict(data.get(section), section).items():
                entry = expect_dict(raw, f"{section}.{name}")
                version = entry.get("version")
                is_direct = pep503(name) in direct
                if isinstance(version, str) and version.startswith("==") and "*" not in version:
                    b.add(name, version[2:].strip(), dev=dev, direct=is_direct)
                    continue
                source = next(
                    (f"{k}: {entry[k]}" for k in ("git", "hg", "svn", "path", "file") if k in entry), str(version or "")
                )
                ref = entry.get("ref")
                b.add(
                    name, "", pinned=False, dev=dev, direct=is_direct, requirement=source + (f"@{ref}" if ref else "")
                )
        return b.build()
