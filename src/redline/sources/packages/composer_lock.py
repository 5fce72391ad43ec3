"""PHP ``composer.lock``: ``packages`` (runtime) and ``packages-dev`` (dev), with edges from
each package's ``require``. Platform requirements (``php``, ``ext-*``) are not packages.
The lock does not record which packages composer.json names: the ``composer.json`` beside it
(when present) gives the direct ones; without it none is marked direct.
Branch versions (``dev-main``) are unpinned with the source reference. Declared licences
(a list meaning any of them) are kept as an ``OR`` expression."""

from __future__ import annotations

from redline.core.packages import PackageManifest
from redline.core.workspace import FileText
from redline.sources.interface import SourceError
from redline.sources.packages.common import ManifestBuilder, expect_dict, expect_list, load_json_object
from redline.sources.packages.interface import ManifestParser
from redline.sources.packages.siblings import composer_json_beside


class ComposerLockParser(ManifestParser):
    name = "composer-lock"
    file_names = ("composer.lock",)

    def parse_manifest(self, text: FileText) -> PackageManifest:
        data = load_json_object(text.text)
        if "packages" not in data and "packages-dev" not in data:
            raise SourceError("no packages or packages-dev: not a composer.lock")
        b = ManifestBuilder(text.file.path, "composer.lock", "Packagist")
        by_name: dict[str, str] = {}
        pending: list[tuple[str, dict[str, object]]] = []
        for section, dev in (("packages", False), ("packages-dev", True)):
            for i, raw in enumerate(expect_list(data.get(section), section)):
                pkg = expect_dict(raw, f"{section}[{i}]")
                key = _add(b, pkg, f"{section}[{i}]", dev)
                by_name.setdefault(str(pkg["name"]).lower(), key)
                pending.append((key, expect_dict(pkg.get("require"), "require")))
        for key, requires in pending:
            for dep in requires:
                child = by_name.get(str(dep).lower())
                if child:
                    b.depends(key, child)
        declared = composer_json_beside(text)
        if declared is not None:
            for table, dev in ((declared.runtime, False), (declared.dev, True)):
                for dep in table:
                    child = by_name.get(dep.lower())
                    if child:
                        b.root(child, dev=dev)
        return b.build()


def _add(b: ManifestBuilder, pkg: dict[str, object], where: str, dev: bool) -> str:
    """One locked package; a ``dev-…`` branch is kept unpinned with the commit it resolved to."""
    name, version = pkg.get("name"), pkg.get("version")
    if not isinstance(name, str) or not isinstance(version, str):
        raise SourceError(f"{where} lacks a name or version")
    source = expect_dict(pkg.get("source"), "source")
    licenses = pkg.get("license")
    lic = " OR ".join(str(x) for x in licenses) if isinstance(licenses, list) else str(licenses or "")
    if version.startswith("dev-") or version.endswith("-dev"):
        ref = source.get("reference", "")
        return b.add(name, "", pinned=False, dev=dev, requirement=f"{version}#{ref}" if ref else version, license=lic)
    return b.add(name, version, dev=dev, license=lic)
