"""Sources: manifests and lockfiles of every ecosystem, one parser per format.

Each parser is a ``FileSource`` producing a ``core.packages.PackageManifest``;
``graph.dependency_path`` answers "why is this package here".
"""

from __future__ import annotations

from redline.sources.interface import FileSource, ProjectSource
from redline.sources.packages.bun_lock import BunLockParser
from redline.sources.packages.cargo_lock import CargoLockParser
from redline.sources.packages.composer_lock import ComposerLockParser
from redline.sources.packages.csproj import CsprojParser
from redline.sources.packages.gemfile_lock import GemfileLockParser
from redline.sources.packages.go_imports import GoImportsSource
from redline.sources.packages.go_mod import GoModParser, GoSumParser
from redline.sources.packages.gradle_lock import GradleLockParser
from redline.sources.packages.interface import ManifestParser
from redline.sources.packages.maven_pom import PomParser
from redline.sources.packages.mix_lock import MixLockParser
from redline.sources.packages.npm_lock import NpmLockParser
from redline.sources.packages.npm_package_json import PackageJsonParser
from redline.sources.packages.nuget_lock import NugetLockParser
from redline.sources.packages.pdm_lock import PdmLockParser
from redline.sources.packages.pipfile_lock import PipfileLockParser
from redline.sources.packages.pnpm_lock import PnpmLockParser
from redline.sources.packages.poetry_lock import PoetryLockParser
from redline.sources.packages.pylock import PylockParser
from redline.sources.packages.pyproject import PyprojectParser
from redline.sources.packages.python_requirements import RequirementsParser
from redline.sources.packages.unsupported import UnsupportedManifestSource
from redline.sources.packages.uv_lock import UvLockParser
from redline.sources.packages.yarn_lock import YarnLockParser

PARSERS: tuple[type[ManifestParser], ...] = (
    RequirementsParser,
    PyprojectParser,
    PoetryLockParser,
    PipfileLockParser,
    UvLockParser,
    PdmLockParser,
    PylockParser,
    PackageJsonParser,
    NpmLockParser,
    YarnLockParser,
    PnpmLockParser,
    BunLockParser,
    GoModParser,
    GoSumParser,
    CargoLockParser,
    GemfileLockParser,
    ComposerLockParser,
    PomParser,
    GradleLockParser,
    NugetLockParser,
    CsprojParser,
    MixLockParser,
)


def manifest_parsers() -> list[ManifestParser]:
    return [cls() for cls in PARSERS]


def parser_for(path: str) -> ManifestParser | None:
    """The parser whose file names match ``path`` (its base name), if any."""
    return next((p for p in manifest_parsers() if p.matches(path)), None)


def file_sources() -> list[FileSource]:
    return [*manifest_parsers(), GoImportsSource()]


def project_sources() -> list[ProjectSource]:
    return [UnsupportedManifestSource()]
