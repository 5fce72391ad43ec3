"""The shared helpers: names, purls, credential redaction, JSONC, the builder's direct/dev rules, paths."""

from __future__ import annotations

import pytest

from redline.core.packages import DependencyEdge, Package, PackageManifest
from redline.core.purl import purl_for
from redline.core.redact import redact_url
from redline.sources.packages.common import ManifestBuilder, normalise_name
from redline.sources.packages.graph import dependency_path, dependency_paths
from redline.sources.packages.jsonc import strip_jsonc
from redline.sources.packages.pnpm_lock import parse_key


@pytest.mark.parametrize(
    ("name", "expected"),
    [("Django", "django"), ("zope.interface", "zope-interface"), ("ruamel__yaml", "ruamel-yaml"), ("A-_.b", "a-b")],
)
def test_pep503(name: str, expected: str) -> None:
    assert normalise_name("PyPI", name) == expected


def test_purls() -> None:
    assert purl_for("npm", "@babel/core", "7.0.0") == "pkg:npm/%40babel/core@7.0.0"
    assert purl_for("Go", "github.com/a/b", "1.2.3") == "pkg:golang/github.com/a/b@v1.2.3"
    assert purl_for("Maven", "org.x:y", "1.0") == "pkg:maven/org.x/y@1.0"
    assert purl_for("Packagist", "drupal/core", "10.0.0") == "pkg:composer/drupal/core@10.0.0"
    assert purl_for("crates.io", "serde", "") == "pkg:cargo/serde"
    assert purl_for("NuGet", "Newtonsoft.Json", "13.0.1") == "pkg:nuget/Newtonsoft.Json@13.0.1"
    assert purl_for("RubyGems", "rails", "7.0.0") == "pkg:gem/rails@7.0.0"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("https://user:pa55@example.com/x.git", "https://user:***@example.com/x.git"),
        ("git+https://ghp_token@github.com/o/r.git#abc", "git+https://***@github.com/o/r.git#abc"),
        ("git+https://0123456789abcdef0123456789abcdef@h/r.git", "git+https://***@h/r.git"),
        ("git+ssh://git@github.com:o/r.git", "git+ssh://git@github.com:o/r.git"),
        ("-e git+https://u:p@h/r.git@v1#egg=r", "-e git+https://u:***@h/r.git@v1#egg=r"),
        ("https://pypi.example.com/simple?token=abc&x=1", "https://pypi.example.com/simple?token=***&x=1"),
        ("requests>=2", "requests>=2"),
    ],
)
def test_redact_url(text: str, expected: str) -> None:
    assert redact_url(text) == expected


def test_strip_jsonc_keeps_strings() -> None:
    assert (
        strip_jsonc('{"a": "x, // not a comment ]", /* c */ "b": [1, 2,],}')
        == '{"a": "x, // not a comment ]",  "b": [1, 2 ] }'
    )


@pytest.mark.parametrize(
    ("key", "expected"),
    [
        ("/lodash/4.17.21", ("lodash", "4.17.21")),
        ("/@babel/core/7.0.0_eslint@8.0.0", ("@babel/core", "7.0.0")),
        ("registry.npmjs.org/foo/1.1.0", ("foo", "1.1.0")),
        ("/react-dom@18.2.0(react@18.2.0)", ("react-dom", "18.2.0")),
        ("@types/node@20.1.0", ("@types/node", "20.1.0")),
        ("ansi-regex@https://codeload.github.com/chalk/ansi-regex/tar.gz/02fa", ("ansi-regex", "")),
        ("invalidpath", ("", "")),
    ],
)
def test_pnpm_keys(key: str, expected: tuple[str, str]) -> None:
    assert parse_key(key) == expected


def test_builder_direct_and_dev_from_the_graph() -> None:
    b = ManifestBuilder("x", "test", "npm")
    app, tool, shared, deep = (b.add(n, "1.0.0") for n in ("app", "tool", "shared", "deep"))
    b.root(app)
    b.root(tool, dev=True)
    b.depends(app, shared)
    b.depends(tool, shared)
    b.depends(tool, deep)
    m = b.build()
    flags = {p.name: (p.direct, p.dev) for p in m.packages}
    assert flags == {"app": (True, False), "tool": (True, True), "shared": (False, False), "deep": (False, True)}


def test_builder_merges_duplicates_runtime_wins() -> None:
    b = ManifestBuilder("x", "test", "PyPI")
    b.add("Foo_Bar", "1.0", dev=True, line=7)
    b.add("foo.bar", "1.0", dev=False, line=3)
    (pkg,) = b.build().packages
    assert (pkg.name, pkg.dev, pkg.line) == ("foo-bar", False, 7)


def _pkg(name: str, direct: bool = False) -> Package:
    return Package("npm", name, "1", f"pkg:npm/{name}@1", "m", direct=direct)


def test_dependency_paths_shortest_and_cycles() -> None:
    pkgs = tuple(_pkg(n, n == "a") for n in "abcde")
    edges = tuple(
        DependencyEdge(p, c)
        for p, c in [
            ("", "npm/a@1"),
            ("npm/a@1", "npm/b@1"),
            ("npm/b@1", "npm/c@1"),
            ("npm/a@1", "npm/c@1"),
            ("npm/c@1", "npm/b@1"),
            ("npm/d@1", "npm/e@1"),
        ]
    )
    m = PackageManifest("m", "test", "npm", pkgs, edges)
    assert dependency_path(m, "npm/c@1") == ["npm/a@1", "npm/c@1"]
    assert dependency_path(m, "npm/b@1") == ["npm/a@1", "npm/b@1"]
    assert dependency_path(m, "npm/e@1") == []  # d is not reachable from the project
    assert set(dependency_paths(m)) == {"npm/a@1", "npm/b@1", "npm/c@1"}
