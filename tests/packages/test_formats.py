"""Exact package sets (name, version, dev, direct) for one representative real sample per format,
and the dependency edges / "why is this here" paths for a few of them."""

from __future__ import annotations

from pathlib import Path

import pytest

from redline.sources.packages.graph import dependency_path, dependency_paths

from .helpers import parse_sample, rows

REPRESENTATIVE: list[tuple[str, str, set[tuple[str, str, bool, bool]]]] = [
    (
        "python/requirements/testdata/with_versions.txt",
        "requirements.txt",
        {
            ("asdf", "", False, True),
            ("combination-also-valid", "", False, True),
            ("hy-phen", "1.2", False, True),
            ("newspaper3k", "", False, True),
            ("nltk", "3.2.2", False, True),
            ("pkg", "", False, True),
            ("pkg-dot-name", "5.0.0", False, True),
            ("qwerty", "0.1", False, True),
            ("tabulate", "0.7.7", False, True),
            ("under-score", "1.3", False, True),
            ("yolo", "1.0", False, True),
        },
    ),
    (
        "python/pyprojecttoml/testdata/optional_deps.toml",
        "pyproject.toml",
        {
            ("aiohttp", "", False, True),
            ("black", "23.1.0", True, True),
            ("pytest", "", True, True),
            ("requests", "2.32.0", False, True),
        },
    ),
    (
        "python/poetrylock/testdata/multiple-packages.v2.lock",
        "poetry.lock",
        {
            ("async-timeout", "5.0.1", False, False),
            ("factory-boy", "3.3.1", True, False),
            ("faker", "33.3.0", True, False),
            ("proto-plus", "1.22.0", False, False),
            ("proto-plus", "1.23.0", False, False),
            ("protobuf", "4.25.5", False, False),
            ("python-dateutil", "2.9.0.post0", True, False),
            ("redis", "5.2.1", False, False),
            ("six", "1.17.0", False, False),
            ("typing-extensions", "4.12.2", True, False),
            ("urllib3", "2.3.0", True, False),
        },
    ),
    (
        "python/pipfilelock/testdata/two-packages.json",
        "Pipfile.lock",
        {
            ("itsdangerous", "2.1.2", False, False),
            ("markupsafe", "2.1.1", True, False),
        },
    ),
    (
        "python/uvlock/testdata/grouped-packages.lock",
        "uv.lock v1",
        {
            ("black", "24.10.0", True, True),
            ("click", "8.1.7", False, True),
            ("colorama", "0.4.6", False, False),
            ("emoji", "2.14.0", False, True),
            ("flake8", "7.1.1", True, True),
            ("mccabe", "0.7.0", True, False),
            ("mypy-extensions", "1.0.0", True, False),
            ("packaging", "24.2", True, False),
            ("pathspec", "0.12.1", True, False),
            ("platformdirs", "4.3.6", True, False),
            ("pycodestyle", "2.12.1", True, False),
            ("pyflakes", "3.2.0", True, False),
            ("tomli", "2.2.1", True, False),
            ("typing-extensions", "4.12.2", True, False),
        },
    ),
    (
        "python/pdmlock/testdata/dev-dependency.toml",
        "pdm.lock 4.4.1",
        {
            ("pyroute2", "0.7.11", True, False),
            ("toml", "0.10.2", False, False),
            ("win-inet-pton", "1.1.0", True, False),
        },
    ),
    (
        "python/pylock/testdata/example.toml",
        "pylock.toml 1.0",
        {
            ("attrs", "25.1.0", False, False),
            ("cattrs", "24.1.2", False, False),
            ("numpy", "2.2.3", False, False),
        },
    ),
    (
        "javascript/packagejson/testdata/deps/accepts/package.json",
        "package.json",
        {
            ("deep-equal", "1.0.1", True, True),
            ("eslint", "7.32.0", True, True),
            ("eslint-config-standard", "14.1.1", True, True),
            ("eslint-plugin-import", "2.25.4", True, True),
            ("eslint-plugin-markdown", "2.2.1", True, True),
            ("eslint-plugin-node", "11.1.0", True, True),
            ("eslint-plugin-promise", "4.3.1", True, True),
            ("eslint-plugin-standard", "4.1.0", True, True),
            ("mime-types", "", False, True),
            ("mocha", "9.2.0", True, True),
            ("negotiator", "0.6.3", False, True),
            ("nyc", "15.1.0", True, True),
        },
    ),
    (
        "javascript/packagelockjson/testdata/nested-dependencies.v1.json",
        "package-lock.json v1",
        {
            ("postcss", "6.0.23", False, False),
            ("postcss", "7.0.16", False, False),
            ("postcss-calc", "7.0.1", False, True),
            ("supports-color", "5.5.0", False, False),
            ("supports-color", "6.1.0", False, False),
        },
    ),
    (
        "javascript/packagelockjson/testdata/optional-package.v2.json",
        "package-lock.json v2",
        {
            ("supports-color", "5.5.0", True, False),
            ("wrappy", "1.0.2", True, True),
        },
    ),
    (
        "javascript/packagelockjson/testdata/bundled-dependencies.v3.json",
        "package-lock.json v3",
        {
            ("ansi-regex", "6.2.2", False, False),
            ("semver", "7.7.2", True, True),
            ("strip-ansi", "7.1.2", False, True),
        },
    ),
    (
        "javascript/packagelockjson/testdata/npm-shrinkwrap-only/npm-shrinkwrap.json",
        "npm-shrinkwrap.json v2",
        {
            ("supports-color", "5.5.0", False, True),
            ("wrappy", "1.0.2", False, True),
        },
    ),
    (
        "javascript/yarnlock/testdata/with-aliases.v1.lock",
        "yarn.lock v1",
        {
            ("@babel/helper-validator-identifier", "7.22.20", False, True),
            ("ansi-regex", "5.0.1", False, True),
            ("ansi-regex", "6.0.1", False, True),
        },
    ),
    (
        "javascript/yarnlock/testdata/exclude-root.v2.lock",
        "yarn.lock berry (v8)",
        {
            ("ansi-regex", "6.1.0", False, True),
        },
    ),
    (
        "javascript/pnpmlock/testdata/mixed-groups.v54.yaml",
        "pnpm-lock.yaml v5.4",
        {
            ("ansi-regex", "5.0.1", False, True),
            ("is-number", "7.0.0", True, True),
            ("uuid", "8.3.2", False, True),
        },
    ),
    (
        "javascript/pnpmlock/testdata/peer-dependencies-v6.yaml",
        "pnpm-lock.yaml v6.0",
        {
            ("js-tokens", "4.0.0", False, False),
            ("loose-envify", "1.4.0", False, False),
            ("react", "18.2.0", False, False),
            ("react-dom", "18.2.0", False, True),
            ("scheduler", "0.23.0", False, False),
        },
    ),
    (
        "javascript/pnpmlock/testdata/mixed-groups.v9.yaml",
        "pnpm-lock.yaml v9.0",
        {
            ("ansi-regex", "5.0.1", False, True),
            ("is-number", "7.0.0", True, True),
            ("uuid", "8.3.2", False, True),
        },
    ),
    (
        "javascript/bunlock/testdata/nested-dependencies.json5",
        "bun.lock v0",
        {
            ("ansi-styles", "4.3.0", True, False),
            ("chalk", "4.1.2", True, True),
            ("color-convert", "2.0.1", True, False),
            ("color-name", "1.1.4", True, False),
            ("has-flag", "2.0.0", False, True),
            ("has-flag", "3.0.0", False, False),
            ("has-flag", "4.0.0", True, False),
            ("supports-color", "5.5.0", False, True),
            ("supports-color", "7.2.0", True, False),
        },
    ),
    (
        "golang/gomod/testdata/indirect-packages.mod",
        "go.mod",
        {
            ("github.com/BurntSushi/toml", "1.0.0", False, True),
            ("github.com/mattn/go-colorable", "0.1.9", False, False),
            ("github.com/mattn/go-isatty", "0.0.14", False, False),
            ("golang.org/x/sys", "0.0.0-20210630005230-0f9fa26af87c", False, False),
            ("gopkg.in/yaml.v2", "2.4.0", False, True),
        },
    ),
    (
        "golang/gomod/testdata/replace-mixed.mod",
        "go.mod",
        {
            ("example.com/fork/net", "1.4.5", False, True),
            ("golang.org/x/net", "0.5.6", False, True),
        },
    ),
    (
        "golang/gomod/testdata/indirect-1.16.sum",
        "go.sum",
        {
            ("github.com/davecgh/go-spew", "1.1.1", False, False),
            ("github.com/pmezard/go-difflib", "1.0.0", False, False),
            ("github.com/sirupsen/logrus", "1.9.3", False, False),
            ("github.com/stretchr/testify", "1.7.0", False, False),
            ("golang.org/x/sys", "0.0.0-20220715151400-c0bba94af5f8", False, False),
            ("gopkg.in/yaml.v3", "3.0.0-20200313102051-9f266ea9e77c", False, False),
        },
    ),
    (
        "rust/cargolock/testdata/two-packages-with-local.lock",
        "Cargo.lock v3",
        {
            ("addr2line", "0.15.2", False, False),
        },
    ),
    (
        "ruby/gemfilelock/testdata/has-git-gem.lock",
        "Gemfile.lock",
        {
            ("concurrent-ruby", "1.1.7", False, False),
            ("hanami-controller", "2.0.0.alpha1", False, False),
            ("hanami-utils", "2.0.0.alpha1", False, True),
            ("rack", "2.2.3", False, False),
            ("transproc", "1.1.1", False, False),
        },
    ),
    (
        "php/composerlock/testdata/drupal-packages.json",
        "composer.lock",
        {
            ("drupal/core", "10.4.5", False, False),
            ("drupal/field_time", "1.0.0-beta5", True, False),
            ("drupal/tfa", "2.0.0-alpha4", False, False),
            ("theseer/tokenizer", "1.1.3", False, False),
        },
    ),
    (
        "java/pomxml/testdata/with-parent.xml",
        "pom.xml",
        {
            ("org.alice:alice", "1.0.0", False, True),
            ("org.bob:bob", "2.0.0", False, True),
            ("org.chuck:chuck", "3.0.0", False, True),
            ("org.frank:frank", "", False, True),
        },
    ),
    (
        "java/gradlelockfile/testdata/5-pkg",
        "gradle.lockfile",
        {
            ("org.springframework.boot:spring-boot-autoconfigure", "2.7.4", False, False),
            ("org.springframework.boot:spring-boot-configuration-processor", "2.7.5", False, False),
            ("org.springframework.boot:spring-boot-devtools", "2.7.6", False, False),
            ("org.springframework.boot:spring-boot-starter-aop", "2.7.7", False, False),
            ("org.springframework.boot:spring-boot-starter-data-jpa", "2.7.8", False, False),
        },
    ),
    (
        "dotnet/packageslockjson/testdata/valid/packages.lock.json",
        "packages.lock.json v1",
        {
            ("Another.Longer.Name.Dep", "4.5.4", False, False),
            ("Core.Dep", "1.24.0", False, True),
            ("Some.Dep.Five", "4.7.2", False, False),
            ("Some.Dep.Four", "4.5.0", False, False),
            ("Some.Dep.One", "1.1.1", False, False),
            ("Some.Dep.Three", "1.0.2", False, False),
            ("Some.Dep.Two", "4.6.0", False, False),
            ("Some.Longer.Name.Dep", "4.7.2", False, False),
        },
    ),
]


@pytest.mark.parametrize(("rel", "fmt", "expected"), REPRESENTATIVE, ids=[r[0].split("/")[1] for r in REPRESENTATIVE])
def test_exact_package_set(shared_data: Path, rel: str, fmt: str, expected: set[tuple[str, str, bool, bool]]) -> None:
    manifest = parse_sample(shared_data, rel)
    assert manifest.format == fmt
    assert rows(manifest) == expected


def test_uv_edges_and_paths(shared_data: Path) -> None:
    m = parse_sample(shared_data, "python/uvlock/testdata/grouped-packages.lock")
    edges = {(e.parent, e.child) for e in m.edges}
    assert ("PyPI/black@24.10.0", "PyPI/click@8.1.7") in edges
    assert ("PyPI/click@8.1.7", "PyPI/colorama@0.4.6") in edges
    assert ("", "PyPI/emoji@2.14.0") in edges
    assert dependency_path(m, "PyPI/colorama@0.4.6") == ["PyPI/click@8.1.7", "PyPI/colorama@0.4.6"]
    assert dependency_path(m, "PyPI/mccabe@0.7.0") == ["PyPI/flake8@7.1.1", "PyPI/mccabe@0.7.0"]
    assert dependency_path(m, "PyPI/emoji@2.14.0") == ["PyPI/emoji@2.14.0"]


def test_npm_v1_nested_resolution(shared_data: Path) -> None:
    """postcss-calc needs postcss ^7 but its own nested copy is 6.0.23; each copy needs its own supports-color."""
    m = parse_sample(shared_data, "javascript/packagelockjson/testdata/nested-dependencies.v1.json")
    edges = {(e.parent, e.child) for e in m.edges}
    assert edges == {
        ("", "npm/postcss-calc@7.0.1"),
        ("npm/postcss-calc@7.0.1", "npm/postcss@6.0.23"),
        ("npm/postcss@6.0.23", "npm/supports-color@5.5.0"),
        ("npm/postcss@7.0.16", "npm/supports-color@6.1.0"),
    }
    assert dependency_path(m, "npm/supports-color@5.5.0") == [
        "npm/postcss-calc@7.0.1",
        "npm/postcss@6.0.23",
        "npm/supports-color@5.5.0",
    ]
    assert dependency_path(m, "npm/supports-color@6.1.0") == []  # nothing the project installs needs it


def test_bun_nested_paths(shared_data: Path) -> None:
    m = parse_sample(shared_data, "javascript/bunlock/testdata/nested-dependencies.json5")
    paths = dependency_paths(m)
    assert paths["npm/has-flag@4.0.0"] == ["npm/chalk@4.1.2", "npm/supports-color@7.2.0", "npm/has-flag@4.0.0"]
    assert paths["npm/has-flag@3.0.0"] == ["npm/supports-color@5.5.0", "npm/has-flag@3.0.0"]


def test_pnpm_v9_snapshot_edges(shared_data: Path) -> None:
    m = parse_sample(shared_data, "javascript/pnpmlock/testdata/peer-dependencies-advanced.v9.yaml")
    path = dependency_path(m, "npm/debug@4.3.4")
    assert len(path) == 2 and path[-1] == "npm/debug@4.3.4"
    assert path[0] in {p.key for p in m.packages if p.direct}
    assert dependency_path(m, "npm/supports-color@7.2.0") == []  # only an optional peer: nothing installs it
    assert ("npm/supports-color@7.2.0", "npm/has-flag@4.0.0") in {(e.parent, e.child) for e in m.edges}


def test_pnpm_v5_peer_suffix_keys(shared_data: Path) -> None:
    m = parse_sample(shared_data, "javascript/pnpmlock/testdata/peer-dependencies.yaml")
    assert rows(m) == {("acorn", "8.7.0", False, True), ("acorn-jsx", "5.3.2", False, True)}
    assert ("npm/acorn-jsx@5.3.2", "npm/acorn@8.7.0") in {(e.parent, e.child) for e in m.edges}


def test_gemfile_edges(shared_data: Path) -> None:
    m = parse_sample(shared_data, "ruby/gemfilelock/testdata/has-git-gem.lock")
    assert dependency_path(m, "RubyGems/transproc@1.1.1") == [
        "RubyGems/hanami-utils@2.0.0.alpha1",
        "RubyGems/transproc@1.1.1",
    ]
    utils = next(p for p in m.packages if p.name == "hanami-utils")
    assert utils.requirement == "git: https://github.com/hanami/utils.git@5904fc9a70683b8749aa2861257d0c8c01eae4aa"
    assert utils.line == 15


def test_nuget_edges(shared_data: Path) -> None:
    m = parse_sample(shared_data, "dotnet/packageslockjson/testdata/valid/packages.lock.json")
    assert dependency_path(m, "NuGet/Some.Dep.One@1.1.1") == ["NuGet/Core.Dep@1.24.0", "NuGet/Some.Dep.One@1.1.1"]


def test_poetry_edges(shared_data: Path) -> None:
    m = parse_sample(shared_data, "python/poetrylock/testdata/two-packages.lock")
    assert [(e.parent, e.child) for e in m.edges] == [("PyPI/proto-plus@1.22.0", "PyPI/protobuf@4.21.5")]


def test_composer_edges_and_purl(shared_data: Path) -> None:
    m = parse_sample(shared_data, "php/composerlock/testdata/drupal-packages.json")
    assert len(m.edges) == 2
    core = next(p for p in m.packages if p.name == "drupal/core")
    assert core.purl == "pkg:composer/drupal/core@10.4.5"


def test_purls(shared_data: Path) -> None:
    go = parse_sample(shared_data, "golang/gomod/testdata/indirect-packages.mod")
    assert {p.purl for p in go.packages} >= {
        "pkg:golang/github.com/BurntSushi/toml@v1.0.0",
        "pkg:golang/gopkg.in/yaml.v2@v2.4.0",
    }
    pom = parse_sample(shared_data, "java/pomxml/testdata/with-scope.xml")
    assert {p.purl for p in pom.packages} == {"pkg:maven/abc/xyz@1.2.3", "pkg:maven/junit/junit@4.12"}
    yarn = parse_sample(shared_data, "javascript/yarnlock/testdata/scoped-packages.v1.lock")
    assert "pkg:npm/%40babel/code-frame@7.12.11" in {p.purl for p in yarn.packages}
    unpinned = parse_sample(shared_data, "python/requirements/testdata/no_version.txt")
    assert {p.purl for p in unpinned.packages} == {"pkg:pypi/pycrypto", "pkg:pypi/gmpy2", "pkg:pypi/sympy"}


def test_lines(shared_data: Path) -> None:
    pom = parse_sample(shared_data, "java/pomxml/testdata/with-scope.xml")
    assert {(p.name, p.line) for p in pom.packages} == {("abc:xyz", 3), ("junit:junit", 9)}
    req = parse_sample(shared_data, "python/requirements/testdata/multiline_and_comments.txt")
    assert {(p.name, p.line) for p in req.packages} == {("pkga", 3), ("pkgb", 7)}
    pkg = parse_sample(shared_data, "javascript/packagejson/testdata/package.json")
    assert ("express", 16) in {(p.name, p.line) for p in pkg.packages}


def test_declared_licences(shared_data: Path) -> None:
    npm = parse_sample(shared_data, "javascript/packagelockjson/testdata/commits.v2.json")
    assert {p.name: p.license for p in npm.packages}["babel-preset-php"] == "MIT"
    composer = parse_sample(shared_data, "php/composerlock/testdata/one-package-dev.json")
    assert [p.license for p in composer.packages] == ["MIT"]


def test_lockfile_lines(shared_data: Path) -> None:
    poetry = parse_sample(shared_data, "python/poetrylock/testdata/two-packages.lock")
    assert {(p.name, p.line) for p in poetry.packages} == {("proto-plus", 1), ("protobuf", 15)}
    npm = parse_sample(shared_data, "javascript/packagelockjson/testdata/nested-dependencies.v2.json")
    assert {(p.name, p.version, p.line) for p in npm.packages if p.name == "postcss"} == {
        ("postcss", "6.0.23", 10),
        ("postcss", "7.0.16", 34),
    }
    bun = parse_sample(shared_data, "javascript/bunlock/testdata/nested-dependencies.json5")
    assert {(p.name, p.line) for p in bun.packages if p.name == "chalk"} == {("chalk", 18)}
