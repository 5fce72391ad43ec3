"""Read real samples with the parser their folder stands for (sample names are not real file names)."""

from __future__ import annotations

from pathlib import Path, PurePosixPath

from redline.core.filekinds import kind_of
from redline.core.packages import PackageManifest
from redline.core.workspace import FileText, SourceFile
from redline.sources.packages import (
    BunLockParser,
    CargoLockParser,
    ComposerLockParser,
    GemfileLockParser,
    GoModParser,
    GoSumParser,
    GradleLockParser,
    NpmLockParser,
    NugetLockParser,
    PackageJsonParser,
    PdmLockParser,
    PipfileLockParser,
    PnpmLockParser,
    PoetryLockParser,
    PomParser,
    PylockParser,
    PyprojectParser,
    RequirementsParser,
    UvLockParser,
    YarnLockParser,
)
from redline.sources.packages.interface import ManifestParser

SAMPLES = "lockfiles/by-ecosystem"

_BY_FOLDER: dict[str, type[ManifestParser]] = {
    "dotnet/packageslockjson": NugetLockParser,
    "java/gradlelockfile": GradleLockParser,
    "java/pomxml": PomParser,
    "javascript/bunlock": BunLockParser,
    "javascript/packagejson": PackageJsonParser,
    "javascript/packagelockjson": NpmLockParser,
    "javascript/pnpmlock": PnpmLockParser,
    "javascript/yarnlock": YarnLockParser,
    "php/composerlock": ComposerLockParser,
    "python/pdmlock": PdmLockParser,
    "python/pipfilelock": PipfileLockParser,
    "python/poetrylock": PoetryLockParser,
    "python/pylock": PylockParser,
    "python/pyprojecttoml": PyprojectParser,
    "python/requirements": RequirementsParser,
    "python/uvlock": UvLockParser,
    "ruby/gemfilelock": GemfileLockParser,
    "rust/cargolock": CargoLockParser,
}


def parser_for_sample(rel: str) -> ManifestParser:
    """``rel`` is relative to ``lockfiles/by-ecosystem``."""
    folder = "/".join(PurePosixPath(rel).parts[:2])
    if folder == "golang/gomod":
        return GoSumParser() if rel.endswith(".sum") else GoModParser()
    return _BY_FOLDER[folder]()


def file_text(path: Path, rel: str | None = None) -> FileText:
    data = path.read_bytes()
    rel = rel or path.name
    return FileText(SourceFile(rel, str(path), kind_of(rel), len(data)), data, data.decode("utf-8", "replace"))


def parse_sample(shared_data: Path, rel: str) -> PackageManifest:
    path = shared_data / SAMPLES / rel
    manifest = parser_for_sample(rel).parse(file_text(path, PurePosixPath(rel).name))
    assert manifest is not None, rel
    return manifest


def all_samples(shared_data: Path) -> list[str]:
    base = shared_data / SAMPLES
    return sorted(p.relative_to(base).as_posix() for p in base.rglob("*") if p.is_file())


def rows(manifest: PackageManifest) -> set[tuple[str, str, bool, bool]]:
    """(name, version, dev, direct) of every package."""
    return {(p.name, p.version, p.dev, p.direct) for p in manifest.packages}
