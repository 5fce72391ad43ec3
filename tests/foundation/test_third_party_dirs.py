"""One list of third-party folders (core.thirdparty) for every reader that tells the application's own files
from a dependency's: the code index, the secret rules' noise filter, compose discovery, the unread-manifest
list and web.xml. Each test uses a folder that only some of their former copies knew (``jspm_packages`` only
the code index's, ``vendors`` and ``third_party`` only the secrets' and compose's, ``thirdparty`` only
compose's, a capitalised ``Vendor`` none of the case-sensitive ones), at exact paths."""

from __future__ import annotations

from pathlib import Path, PurePosixPath

import pytest

from redline.checks.secrets.scan import scan_blob
from redline.checks.secrets.settings import build_settings
from redline.checks.secrets.tree import SecretsFileCheck
from redline.core.config import Config
from redline.core.thirdparty import (
    THIRD_PARTY_DIRS,
    folder_names,
    in_folder_named,
    in_installed_package,
    in_third_party_dir,
)
from redline.core.workspace import SourceFile, Workspace
from redline.sources.code.source import CodeIndexSource
from redline.sources.code.webxml import WebXmlSource
from redline.sources.containers.compose import ComposeSource
from redline.sources.interface import ProjectContext
from redline.sources.packages.npm_package_json import PackageJsonParser
from redline.sources.packages.unsupported import unsupported_reason

_SECRETS = SecretsFileCheck()
# a generic keyword rule's hit (SEC438), written split so no scanner reading this file sees a value
_GENERIC = 'const apiToken = "' + "Vq7Nw2Lx9Kp4" + 'Zt8Rm3Hs6Jd1";\n'
# a provider-format credential (SEC150 GitHub token): still reported inside third-party folders
_GITHUB = 'const token = "' + "ghp_" + 'lJWiztlaYu16Gb9guAOeqEt3BeABegLbHiEs";\n'


def _secrets(path: str, text: str) -> list[tuple[str, int]]:
    settings = build_settings(Config(jobs=1), Path("."))
    return [(f.rule.code, f.line) for f in scan_blob(settings, _SECRETS.core_rules, path, text.encode())]


@pytest.mark.parametrize(
    ("path", "third_party"),
    [
        ("node_modules/express/index.js", True),
        ("web/jspm_packages/npm/lodash@4.17.21/lodash.js", True),
        ("lib/vendors/chart.js", True),
        ("third_party/protobuf/src/x.go", True),
        ("src/third-party/zlib/zlib.js", True),
        ("thirdparty/leveldb/db.go", True),
        ("ios/Vendor/AFNetworking/AFHTTP.ts", True),  # Xcode projects' capitalised Vendor/
        ("src/vendor.js", False),  # a file name, not a folder
        ("src/external/stripe.ts", False),  # the app's own adapters for external services
        ("src/vendorize/index.js", False),
    ],
)
def test_one_list_of_third_party_folders(path: str, third_party: bool) -> None:
    assert in_third_party_dir(path) is third_party


@pytest.mark.parametrize(
    "path",
    ["a/b/c.py", "c.py", "vendor/", "a//vendor/x.js", "./vendor/x.js", "vendor/.", "/abs/vendor/x", "a/../b/x", ""],
)
def test_folder_names_are_the_path_objects_parents(path: str) -> None:
    """The string split every per-file reader uses answers as the path object did, odd spellings included."""
    assert folder_names(path) == [p for p in PurePosixPath(path).parts[:-1] if p != "/"]  # "/": an absolute root
    assert in_third_party_dir(path) is any(p.lower() == "vendor" for p in PurePosixPath(path).parts[:-1])


@pytest.mark.parametrize(
    ("path", "named"),
    [
        ("ios/Vendor/x.ts", True),  # the shared list, lower-cased
        ("deps/External/compose.yml", True),  # the reader's own name, lower-cased
        ("src/external.py", False),  # a file name, never a folder
        ("src/externals/x.py", False),  # whole folder names only
    ],
)
def test_a_readers_own_folders_beside_the_shared_list(path: str, named: bool) -> None:
    """``in_folder_named`` answers for the shared list and a reader's additions in one walk of the path."""
    assert in_folder_named(path, THIRD_PARTY_DIRS | frozenset({"external"})) is named


def test_code_index_skips_every_third_party_folder() -> None:
    source = CodeIndexSource()
    skipped = [
        "web/jspm_packages/npm/lodash@4.17.21/lodash.js",
        "lib/vendors/chart.js",
        "third_party/protobuf/src/descriptor.go",
        "src/third-party/zlib/zlib.ts",
        "thirdparty/leveldb/db.go",
        "ios/Vendor/AFNetworking/client.ts",
    ]
    kinds = {".js": "javascript", ".ts": "typescript", ".go": "go"}
    assert [p for p in skipped if source.wants(SourceFile(p, "", kinds[p[p.rindex(".") :]], 1))] == []
    assert source.wants(SourceFile("src/external/stripe.ts", "", "typescript", 1))
    assert source.wants(SourceFile("src/vendor.js", "", "javascript", 1))


@pytest.mark.parametrize(
    ("path", "text", "found"),
    [
        ("web/jspm_packages/npm/client@1.0.0/config.go", _GENERIC, []),
        ("thirdparty/sdk/config.go", _GENERIC, []),
        ("lib/vendors/client/config.go", _GENERIC, []),
        ("app/config.go", _GENERIC, [("SEC438", 1)]),
        ("src/external/stripe.ts", _GENERIC, [("SEC438", 1)]),
        ("web/jspm_packages/npm/client@1.0.0/config.go", _GITHUB, [("SEC150", 1)]),
    ],
)
def test_generic_secret_rules_skip_every_third_party_folder(path: str, text: str, found: list[tuple[str, int]]) -> None:
    assert _secrets(path, text) == found


def test_compose_files_in_every_third_party_folder_are_skipped(tmp_path: Path) -> None:
    compose = "services:\n  app:\n    image: acme/app:1.0\n"
    for rel in ("docker-compose.yml", "web/jspm_packages/tool/docker-compose.yml", "external/ci/docker-compose.yml"):
        (tmp_path / rel).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / rel).write_text(compose)
    files = tuple(Workspace(tmp_path, max_file_size=10**7).walk().files)
    out = ComposeSource().collect(ProjectContext(tmp_path, Config(), files))
    assert sorted(s.path for s in out.skipped) == [
        "external/ci/docker-compose.yml",
        "web/jspm_packages/tool/docker-compose.yml",
    ]


def test_manifests_in_every_third_party_folder_are_not_listed_as_unread() -> None:
    assert unsupported_reason("ios/Podfile.lock", set()).startswith("format not supported: CocoaPods")
    assert unsupported_reason("third_party/ios/Podfile.lock", set()) == ""
    assert unsupported_reason("web/bower_components/x/Podfile.lock", set()) == ""
    assert unsupported_reason("ios/Vendor/Alamofire/Podfile.lock", set()) == ""


def test_web_xml_in_every_third_party_folder_is_not_the_apps() -> None:
    source = WebXmlSource()
    assert source.wants(SourceFile("src/main/webapp/WEB-INF/web.xml", "", "xml", 1))
    assert not source.wants(SourceFile("target/app/WEB-INF/web.xml", "", "xml", 1))  # build output
    assert not source.wants(SourceFile("vendor/tomcat/conf/web.xml", "", "xml", 1))
    assert not source.wants(SourceFile("third_party/jetty/etc/web.xml", "", "xml", 1))
    assert not source.wants(SourceFile("lib/thirdparty/servlet/WEB-INF/web-fragment.xml", "", "xml", 1))


@pytest.mark.parametrize(
    "path",
    ["web/dist/app.js", "web/Dist/app.js", "web/DIST/app.js", "node_modules/x/index.js", "lib/Vendor/x.js"],
)
def test_code_index_skips_build_output_whatever_its_case(path: str) -> None:
    """``dist`` compares lower-cased as the third-party folders do (one walk of the path for both lists)."""
    assert not CodeIndexSource().wants(SourceFile(path, "", "javascript", 1))


@pytest.mark.parametrize("path", ["src/distance/app.js", "src/dist.js", "distribution/app.js"])
def test_code_index_keeps_folders_that_only_start_like_build_output(path: str) -> None:
    assert CodeIndexSource().wants(SourceFile(path, "", "javascript", 1))


@pytest.mark.parametrize(
    ("path", "installed"),
    [
        ("node_modules/express/package.json", True),
        ("web/node_modules/@scope/pkg/package.json", True),
        (".venv/lib/python3.11/site-packages/jupyterlab/static/package.json", True),
        ("web/Node_Modules/x/package.json", True),  # compared lower-cased, as every folder list is
        ("package.json", False),
        ("my_node_modules/x/package.json", False),  # whole folder names only (a substring test matched it)
        ("site-packages.json", False),  # a file name, never a folder
        ("vendor/x/package.json", False),  # vendored: third-party, but not where a package manager installs
    ],
)
def test_one_definition_of_an_installed_packages_folder(path: str, installed: bool) -> None:
    assert in_installed_package(path) is installed


def test_package_json_of_an_installed_package_is_not_a_project_manifest() -> None:
    parser = PackageJsonParser()
    assert parser.wants(SourceFile("web/package.json", "", "package-manifest", 1))
    assert not parser.wants(SourceFile("node_modules/express/package.json", "", "package-manifest", 1))
    assert not parser.wants(
        SourceFile(".venv/lib/python3.11/site-packages/jupyterlab/static/package.json", "", "package-manifest", 1)
    )
