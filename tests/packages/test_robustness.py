"""Bad input never crashes a parser: every sample fed to every parser, and hostile shapes of valid
JSON/TOML/YAML/XML, end in a manifest or a ``SourceError`` (never another exception)."""

from __future__ import annotations

from pathlib import Path

import pytest

from redline.core.packages import PackageManifest
from redline.sources.interface import SourceError
from redline.sources.packages import manifest_parsers
from redline.sources.packages.interface import ManifestParser

from .helpers import SAMPLES, all_samples, file_text

PARSERS = manifest_parsers()

HOSTILE = [
    '{"lockfileVersion": 3, "packages": {"node_modules/a": {"version": 1, "dependencies": "x"}}}',
    '{"lockfileVersion": 1, "dependencies": {"a": {"version": "1.0.0", "requires": ["b"],'
    ' "dependencies": {"b": 3}}}}',
    '{"lockfileVersion": 2, "packages": {"": {"dependencies": {"a": 1}}, "node_modules/a": []}}',
    '{"lockfileVersion": 0, "packages": {"a": ["a@", {}, 1]}, "workspaces": {"": []}}',
    '{"version": 1, "dependencies": {"net6.0": {"A": {"type": "Direct", "resolved": 5}}}}',
    '{"packages": [{"name": "a/b", "version": ["1"]}], "packages-dev": {}}',
    '{"_meta": {"pipfile-spec": "6"}, "default": {"a": "==1"}}',
    '{"dependencies": ["a"], "devDependencies": {"b": {"version": "1"}}}',
    "[1, 2, 3]",
    '"just a string"',
    '{"a": ' * 200 + "1" + "}" * 200,
    'version = 3\n[[package]]\nname = 1\nversion = "1"\n',
    'version = 1\n[[package]]\nname = "a"\nversion = "1"\nsource = "x"\ndependencies = [{name = 1}]\n',
    '[[package]]\nname = "a"\nversion = "1"\ndependencies = {b = 1}\n[metadata]\nlock-version = "2.0"\n',
    'lock-version = "1.0"\npackages = [{name = "a", vcs = 3}]\n',
    '[project]\ndependencies = "requests"\n',
    '[project]\ndependencies = [1]\n[tool.poetry.dependencies]\nflask = 3\n',
    "lockfileVersion: '9.0'\nimporters: [1]\npackages: {a@1.0.0: 3}\n",
    "lockfileVersion: 5.4\npackages:\n  /a/1.0.0:\n    dependencies: [b]\n",
    "lockfileVersion: x\n",
    '__metadata:\n  version: 8\n"a@npm:1": [1]\n',
    '__metadata:\n  version: 8\n"a@npm:1":\n  version: 1.0.0\n  resolution: 7\n  dependencies: [x]\n',
    "a@^1:\n  version\n    nested-too-deep\n",
    "<project><dependencies><dependency><groupId>${a}</groupId><artifactId>${b}</artifactId>"
    "<version>${a}${a}${a}</version></dependency></dependencies><properties><a>${b}</a><b>${a}</b>"
    "</properties></project>",
    "GEM\n  specs:\n    a (1.0)\n      \n        b\n",
    "module x\nrequire (\n  a\n",
    "a:b:c=\n:::=x\n",
    "-r\n-e\n--hash\n",
    "\x00\x01 binary-ish \udcff",
]


@pytest.mark.parametrize("parser", PARSERS, ids=[p.name for p in PARSERS])
def test_every_sample_through_every_parser(shared_data: Path, parser: ManifestParser) -> None:
    name = parser.file_names[0].replace("*", "x")
    for rel in all_samples(shared_data):
        try:
            result = parser.parse(file_text(shared_data / SAMPLES / rel, name))
        except SourceError:
            continue
        assert isinstance(result, PackageManifest)


@pytest.mark.parametrize("parser", PARSERS, ids=[p.name for p in PARSERS])
def test_hostile_documents(tmp_path: Path, parser: ManifestParser) -> None:
    name = parser.file_names[0].replace("*", "x")
    path = tmp_path / name
    for doc in HOSTILE:
        path.write_bytes(doc.encode("utf-8", "surrogateescape"))
        try:
            result = parser.parse(file_text(path, name))
        except SourceError as exc:
            assert str(exc)
            continue
        assert isinstance(result, PackageManifest)


def _alias_bomb(header: str) -> str:
    lines = [header, 'l0: &l0 {a: "1", b: "1", c: "1", d: "1", e: "1", f: "1", g: "1", h: "1", i: "1", j: "1"}']
    for i in range(1, 9):
        keys = ", ".join(f"k{k}: *l{i - 1}" for k in range(10))
        lines.append(f"l{i}: &l{i} {{{keys}}}")
    return "\n".join(lines) + "\npackages: *l8\n"


@pytest.mark.parametrize(("name", "header"), [("pnpm-lock.yaml", "lockfileVersion: '9.0'"),
                                              ("yarn.lock", "__metadata:\n  version: 8")])
def test_yaml_alias_bomb_in_a_lockfile_is_refused(tmp_path: Path, name: str, header: str) -> None:
    """A lockfile is input like any other: a 'billion laughs' document stops with a reason."""
    (parser,) = [p for p in PARSERS if name in p.file_names]
    path = tmp_path / name
    path.write_text(_alias_bomb(header))
    with pytest.raises(SourceError, match="alias expansion exceeds"):
        parser.parse(file_text(path, name))
