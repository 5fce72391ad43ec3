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
    '{"lockfileVersion": 1, "dependencies": {"a": {"version": "1.0.0", "requires": ["b"], "dependencies": {"b": 3}}}}',
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
    "[project]\ndependencies = [1]\n[tool.poetry.dependencies]\nflask = 3\n",
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


#: what each parser makes of every sample, fed under its own file name: (manifests, SourceErrors, packages);
#: anything else (another exception) fails the test first. A change here is a change in what a parser
#: accepts: look at which sample moved before updating the numbers.
SAMPLE_OUTCOMES = {
    "requirements": (35, 233, 378),
    "pyproject": (46, 222, 11),
    "poetry-lock": (16, 252, 29),
    "pipfile-lock": (8, 260, 13),
    "uv-lock": (8, 260, 22),
    "pdm-lock": (13, 255, 18),
    "pylock": (6, 262, 27),
    "package-json": (46, 222, 92),
    "npm-lock": (29, 239, 118),
    "yarn-lock": (28, 240, 75),
    "pnpm-lock": (28, 240, 89),
    "bun-lock": (27, 241, 58),
    "go-mod": (13, 255, 29),
    "go-sum": (1, 267, 6),
    "cargo-lock": (29, 239, 40),
    "gemfile-lock": (11, 257, 102),
    "composer-lock": (7, 261, 13),
    "maven-pom": (17, 251, 28),
    "gradle-lockfile": (7, 261, 6),
    "nuget-lock": (1, 267, 8),
    "dotnet-project": (0, 268, 0),
    "mix-lock": (0, 268, 0),  # no .csproj or mix.lock among the samples
}
#: the same for the hostile documents: almost all refused with a SourceError, none crashes
HOSTILE_OUTCOMES = {
    "requirements": (4, 25, 11),
    "pyproject": (4, 25, 0),
    "poetry-lock": (1, 28, 1),
    "pipfile-lock": (0, 29, 0),
    "uv-lock": (0, 29, 0),
    "pdm-lock": (0, 29, 0),
    "pylock": (0, 29, 0),
    "package-json": (6, 22, 0),  # and "[1, 2, 3]": not npm's (NOT_THIS_FORMAT)
    "npm-lock": (0, 29, 0),
    "yarn-lock": (0, 29, 0),
    "pnpm-lock": (0, 29, 0),
    "bun-lock": (1, 28, 0),
    "go-mod": (0, 29, 0),
    "go-sum": (0, 29, 0),
    "cargo-lock": (1, 28, 1),
    "gemfile-lock": (0, 29, 0),
    "composer-lock": (0, 29, 0),
    "maven-pom": (1, 28, 1),
    "gradle-lockfile": (0, 29, 0),
    "nuget-lock": (0, 29, 0),
    "dotnet-project": (0, 29, 0),
    "mix-lock": (0, 29, 0),
}


#: documents a parser declares of another format sharing its file name (``parse`` returns ``None``): a package.json
#: holding a JSON list is not npm's
NOT_THIS_FORMAT = {("package-json", "hostile"): 1}


def _outcome(parser: ManifestParser, paths: list[tuple[Path, str]], kind: str) -> tuple[int, int, int]:
    manifests = errors = packages = others = 0
    for path, name in paths:
        try:
            result = parser.parse(file_text(path, name))
        except SourceError as exc:
            assert str(exc), f"{parser.name}: a SourceError without a message for {path.name}"
            errors += 1
            continue
        if result is None:
            others += 1
            continue
        assert isinstance(result, PackageManifest)
        assert all(p.name and p.manifest == result.path for p in result.packages), parser.name
        manifests += 1
        packages += len(result.packages)
    assert others == NOT_THIS_FORMAT.get((parser.name, kind), 0), parser.name
    return manifests, errors, packages


@pytest.mark.parametrize("parser", PARSERS, ids=[p.name for p in PARSERS])
def test_every_sample_through_every_parser(shared_data: Path, parser: ManifestParser) -> None:
    name = parser.file_names[0].replace("*", "x")
    paths = [(shared_data / SAMPLES / rel, name) for rel in all_samples(shared_data)]
    assert _outcome(parser, paths, "samples") == SAMPLE_OUTCOMES[parser.name]


@pytest.mark.parametrize("parser", PARSERS, ids=[p.name for p in PARSERS])
def test_hostile_documents(tmp_path: Path, parser: ManifestParser) -> None:
    name = parser.file_names[0].replace("*", "x")
    paths = []
    for i, doc in enumerate(HOSTILE):
        path = tmp_path / str(i) / name
        path.parent.mkdir()
        path.write_bytes(doc.encode("utf-8", "surrogateescape"))
        paths.append((path, name))
    assert _outcome(parser, paths, "hostile") == HOSTILE_OUTCOMES[parser.name]


def _alias_bomb(header: str) -> str:
    lines = [header, 'l0: &l0 {a: "1", b: "1", c: "1", d: "1", e: "1", f: "1", g: "1", h: "1", i: "1", j: "1"}']
    for i in range(1, 9):
        keys = ", ".join(f"k{k}: *l{i - 1}" for k in range(10))
        lines.append(f"l{i}: &l{i} {{{keys}}}")
    return "\n".join(lines) + "\npackages: *l8\n"


@pytest.mark.parametrize(
    ("name", "header"), [("pnpm-lock.yaml", "lockfileVersion: '9.0'"), ("yarn.lock", "__metadata:\n  version: 8")]
)
def test_yaml_alias_bomb_in_a_lockfile_is_refused(tmp_path: Path, name: str, header: str) -> None:
    """A lockfile is input like any other: a 'billion laughs' document stops with a reason."""
    (parser,) = [p for p in PARSERS if name in p.file_names]
    path = tmp_path / name
    path.write_text(_alias_bomb(header))
    with pytest.raises(SourceError, match="alias expansion exceeds"):
        parser.parse(file_text(path, name))
