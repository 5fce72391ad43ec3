"""``PackageManifest.name``: the package a manifest itself defines (DEP101 leaves dependencies on it out)."""

from __future__ import annotations

from pathlib import Path

import pytest

from redline.core.packages import PackageManifest
from redline.sources.packages import NpmLockParser, PackageJsonParser, PyprojectParser
from redline.sources.packages.interface import ManifestParser

from .helpers import file_text


def _parse(tmp_path: Path, parser: ManifestParser, name: str, text: str) -> PackageManifest:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    manifest = parser.parse(file_text(path, name))
    assert isinstance(manifest, PackageManifest)
    return manifest


@pytest.mark.parametrize(
    ("parser", "file_name", "text", "name"),
    [
        (
            PackageJsonParser(),
            "package.json",
            '{"name": "@karrio/admin", "dependencies": {"@karrio/hooks": "*"}}',
            "@karrio/admin",
        ),
        (PackageJsonParser(), "package.json", '{"dependencies": {"lodash": "^4"}}', ""),
        (PackageJsonParser(), "package.json", '{"name": ["not", "a", "name"]}', ""),
        (
            PyprojectParser(),
            "pyproject.toml",
            '[project]\nname = "Karrio_Server.Core"\ndependencies = ["karrio"]\n',
            "karrio-server-core",
        ),
        (
            PyprojectParser(),
            "pyproject.toml",
            '[tool.poetry]\nname = "karrio_fedex"\n[tool.poetry.dependencies]\nkarrio = "*"\n',
            "karrio-fedex",
        ),
        (PyprojectParser(), "pyproject.toml", "[tool.ruff]\nline-length = 100\n", ""),
        (
            NpmLockParser(),
            "package-lock.json",
            '{"name": "root", "lockfileVersion": 3, "packages": {"": {"name": "root"}}}',
            "",
        ),
    ],
)
def test_the_manifest_names_the_package_it_defines(
    tmp_path: Path, parser: ManifestParser, file_name: str, text: str, name: str
) -> None:
    """Spelt like ``Package.name`` (PEP 503 for PyPI); a lockfile, or a manifest naming nothing, defines none."""
    assert _parse(tmp_path, parser, file_name, text).name == name
