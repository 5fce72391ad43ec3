"""Behaviour the real samples do not cover, on small fixtures written for it (tests/packages/fixtures)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from redline.core.filekinds import kind_of
from redline.core.packages import PackageManifest
from redline.sources.interface import SourceError
from redline.sources.packages import (
    BunLockParser,
    CargoLockParser,
    ComposerLockParser,
    GoModParser,
    GradleLockParser,
    NpmLockParser,
    PackageJsonParser,
    PipfileLockParser,
    PnpmLockParser,
    PoetryLockParser,
    PomParser,
    PyprojectParser,
    RequirementsParser,
    YarnLockParser,
    manifest_parsers,
    parser_for,
)
from redline.sources.packages.graph import dependency_path
from redline.sources.packages.interface import ManifestParser

from .helpers import file_text, rows

FIXTURES = Path(__file__).parent / "fixtures"


def parse(parser: ManifestParser, path: Path, rel: str | None = None) -> PackageManifest:
    manifest = parser.parse(file_text(path, rel))
    assert manifest is not None, path
    return manifest


def by_name(m: PackageManifest) -> dict[str, list[object]]:
    out: dict[str, list[object]] = {}
    for p in m.packages:
        out.setdefault(p.name, []).append(p)
    return out


# ---------------------------------------------------------------- requirements


def test_requirements_includes_constraints_and_unpinned_lines() -> None:
    root = FIXTURES / "reqs"
    m = parse(RequirementsParser(), root / "requirements.txt", "requirements.txt")
    got = {(p.name, p.version, p.pinned, p.manifest, p.line) for p in m.packages}
    assert got == {
        ("django", "3.2.0", True, "requirements.txt", 5),
        ("requests", "", False, "requirements.txt", 6),
        ("pyyaml", "5.3", True, "requirements.txt", 7),  # pinned by constraints.txt
        ("private-lib", "", False, "requirements.txt", 8),
        ("numpy", "", False, "requirements.txt", 9),
        ("urllib3", "1.26.5", True, "base/requirements-base.txt", 1),
        ("six", "1.16.0", True, "base/requirements-base.txt", 3),
        ("idna", "2.10", True, "loop/a.txt", 2),
    }
    assert all(p.direct and not p.dev for p in m.packages)
    req = {p.name: p.requirement for p in m.packages}
    assert req["requests"] == 'requests[security]>=2.8.1; python_version >= "3.8"'
    assert req["numpy"].startswith("https://files.example.com/wheels/numpy-1.26.4")
    # the editable VCS line keeps its text, without the credential
    assert req["private-lib"] == "-e git+https://deploy:***@github.com/example/private-lib.git@v1.0#egg=private_lib"
    assert "s3cr3t" not in repr(m)
    assert "not-required" not in req  # constraints alone install nothing


def test_requirements_dev_file_marks_its_own_lines_dev() -> None:
    root = FIXTURES / "reqs"
    m = parse(RequirementsParser(), root / "requirements-dev.txt", "requirements-dev.txt")
    dev = {p.name: p.dev for p in m.packages}
    assert dev["pytest"] is True
    assert dev["django"] is False  # declared in requirements.txt, included


def test_requirements_include_outside_root_is_refused(tmp_path: Path) -> None:
    (tmp_path / "outside.txt").write_text("flask==2.0.0\n")
    (tmp_path / "repo").mkdir()
    (tmp_path / "repo" / "requirements.txt").write_text("django==4.2\n-r ../outside.txt\n")
    with pytest.raises(SourceError, match=r"line 2: included file '../outside.txt' is outside the audited tree"):
        parse(RequirementsParser(), tmp_path / "repo" / "requirements.txt", "requirements.txt")


def test_requirements_missing_include_and_unknown_option(tmp_path: Path) -> None:
    (tmp_path / "requirements.txt").write_text("django==4.2\n-r nowhere.txt\n")
    with pytest.raises(SourceError, match=r"line 2: requirements file 'nowhere.txt' not found"):
        parse(RequirementsParser(), tmp_path / "requirements.txt", "requirements.txt")
    (tmp_path / "requirements.txt").write_text("--frobnicate\n")
    with pytest.raises(SourceError, match=r"line 1: unknown option '--frobnicate'"):
        parse(RequirementsParser(), tmp_path / "requirements.txt", "requirements.txt")
    (tmp_path / "requirements.txt").write_text("-r https://example.com/r.txt\n")
    with pytest.raises(SourceError, match="is not fetched"):
        parse(RequirementsParser(), tmp_path / "requirements.txt", "requirements.txt")


def test_requirements_sample_with_its_missing_constraints_file(shared_data: Path, tmp_path: Path) -> None:
    """The real example.txt names constraints.txt, absent from the samples: give it one and it parses."""
    src = shared_data / "lockfiles/by-ecosystem/python/requirements/testdata"
    for name in ("example.txt", "other-requirements.txt"):
        shutil.copy(src / name, tmp_path / name)
    (tmp_path / "constraints.txt").write_text("pytest==8.0.0\n")
    m = parse(RequirementsParser(), tmp_path / "example.txt", "example.txt")
    assert {(p.name, p.version, p.pinned) for p in m.packages} == {
        ("pytest", "8.0.0", True),
        ("pytest-cov", "", False),
        ("beautifulsoup4", "", False),
        ("docopt", "0.6.1", True),
        ("requests", "", False),
        ("urllib3", "", False),
        ("keyring", "", False),
        ("coverage", "", False),
        ("mopidy-dirble", "", False),
        ("pandas", "2.2.3", True),
        ("numpy", "", False),
        ("wxpython-phoenix", "", False),
    }
    assert {p.requirement for p in m.packages if p.name == "urllib3"} == {
        "urllib3 @ https://github.com/urllib3/urllib3/archive/refs/tags/1.26.8.zip"
    }


# ---------------------------------------------------------------- Python manifests


def test_pyproject_poetry_groups_and_dependency_groups() -> None:
    m = parse(PyprojectParser(), FIXTURES / "poetry-pyproject.toml", "pyproject.toml")
    assert rows(m) == {
        ("flask", "2.3.2", False, True),
        ("sqlalchemy", "", False, True),
        ("internal", "", False, True),
        ("gunicorn", "21.2.0", False, True),
        ("pytest", "", True, True),
        ("ruff", "0.5.0", True, True),
    }
    internal = next(p for p in m.packages if p.name == "internal")
    assert internal.requirement == "git: https://github.com/example/internal.git@abc123"


# ---------------------------------------------------------------- JavaScript


def test_npm_v3_workspaces_links_and_redacted_git_source() -> None:
    m = parse(NpmLockParser(), FIXTURES / "npm-v3-workspaces.json", "package-lock.json")
    assert m.format == "package-lock.json v3"
    assert rows(m) == {
        ("typescript", "5.3.3", True, True),
        ("react", "18.2.0", False, True),  # a workspace member's dependency is direct
        ("loose-envify", "1.4.0", False, False),
        ("private-ui", "2.1.0", False, True),
    }
    ui = next(p for p in m.packages if p.name == "private-ui")
    assert ui.requirement == (
        "git+https://ci-user:***@github.com/example/private-ui.git#0123456789abcdef0123456789abcdef01234567"
    )
    assert "not-a-real-token" not in repr(m)
    assert dependency_path(m, "npm/loose-envify@1.4.0") == ["npm/react@18.2.0", "npm/loose-envify@1.4.0"]


def test_yarn_berry_workspaces_are_roots_not_packages() -> None:
    m = parse(YarnLockParser(), FIXTURES / "berry-workspaces.lock", "yarn.lock")
    assert rows(m) == {("left-pad", "1.3.0", False, True), ("lodash", "4.17.21", False, True)}
    assert ("npm/lodash@4.17.21", "npm/left-pad@1.3.0") in {(e.parent, e.child) for e in m.edges}
    assert {p.name: p.line for p in m.packages} == {"left-pad": 25, "lodash": 31}


def test_pnpm_v9_importers_and_links() -> None:
    m = parse(PnpmLockParser(), FIXTURES / "pnpm-workspace-v9.yaml", "pnpm-lock.yaml")
    assert rows(m) == {
        ("express", "4.18.2", False, True),
        ("jest", "29.7.0", True, True),
        ("qs", "6.11.0", False, False),
    }
    assert dependency_path(m, "npm/qs@6.11.0") == ["npm/express@4.18.2", "npm/qs@6.11.0"]


def test_pnpm_package_from_a_local_folder_keeps_the_lockfile(tmp_path: Path) -> None:
    """penpot's mcp/pnpm-lock.yaml lists ``penpot-mcp@file:packages`` (resolution: a directory): the whole lockfile
    was refused for that one key, and every package.json of the workspace read "no lockfile pins" (DEP101)."""
    path = tmp_path / "pnpm-lock.yaml"
    path.write_text(
        "lockfileVersion: '9.0'\n"
        "importers:\n  .:\n    dependencies:\n      penpot-mcp:\n        specifier: file:packages\n"
        "        version: file:packages\n      picocolors:\n        specifier: ^1.1.1\n        version: 1.1.1\n"
        "packages:\n  penpot-mcp@file:packages:\n    resolution: {directory: packages, type: directory}\n"
        "  picocolors@1.1.1:\n    resolution: {integrity: sha512-xceH}\n"
        "snapshots:\n  penpot-mcp@file:packages: {}\n  picocolors@1.1.1: {}\n"
    )
    m = parse(PnpmLockParser(), path, "pnpm-lock.yaml")
    assert {(p.name, p.version) for p in m.packages} == {("penpot-mcp", ""), ("picocolors", "1.1.1")}


def test_package_json_file_protocol_is_the_repositorys_own(tmp_path: Path) -> None:
    """penpot's mcp/packages/server/package.json: ``"penpot-mcp": "file:.."`` is the workspace's own folder, pinned
    by the repository as ``workspace:`` and ``link:`` are; a registry range beside it is still loose."""
    path = tmp_path / "package.json"
    path.write_text('{"dependencies": {"penpot-mcp": "file:..", "express": "^5.2.1"}}')
    m = parse(PackageJsonParser(), path, "package.json")
    assert {(p.name, p.pinned) for p in m.packages} == {("penpot-mcp", True), ("express", False)}


def test_package_json_alias_and_pins(tmp_path: Path) -> None:
    path = tmp_path / "package.json"
    path.write_text(
        '{"dependencies": {"cjs-width": "npm:string-width@4.2.3", "left-pad": "=1.3.0",\n'
        ' "x": "github:user/x#abc"}, "devDependencies": {"jest": "latest"}}'
    )
    m = parse(PackageJsonParser(), path, "package.json")
    assert {(p.name, p.version, p.pinned, p.dev) for p in m.packages} == {
        ("string-width", "4.2.3", True, False),
        ("left-pad", "1.3.0", True, False),
        ("x", "", False, False),
        ("jest", "", False, True),
    }
    assert not PackageJsonParser().wants(file_text(path, "node_modules/left-pad/package.json").file)
    assert PackageJsonParser().wants(file_text(path, "web/package.json").file)


def test_a_package_json_holding_a_list_is_not_npm_s(tmp_path: Path) -> None:
    """wikimedia/operations-deployment-charts keeps its chart modules' versions in a package.json that is a JSON
    list: not an npm manifest, not an input left uncovered; any other non-object is a broken manifest."""
    path = tmp_path / "package.json"
    path.write_text('[\n    "app.generic:1.0",\n    "base.statsd:1.0"\n]\n')
    assert PackageJsonParser().parse(file_text(path, "charts/airflow/package.json")) is None
    path.write_text("null\n")
    with pytest.raises(SourceError, match="expected a JSON object at the top level, found null"):
        PackageJsonParser().parse(file_text(path, "package.json"))


def test_bun_lock_comments_and_trailing_commas(tmp_path: Path) -> None:
    path = tmp_path / "bun.lock"
    path.write_text(
        '{\n  // bun writes no comments, people do\n  "lockfileVersion": 1,\n'
        '  "workspaces": {"": {"dependencies": {"a": "^1",},},},\n'
        '  "packages": {"a": ["a@1.0.0", "", {"dependencies": {"b": "^2"}}, "sha512-x"],\n'
        '               "b": ["b@2.0.0", "", {}, "sha512-y"],},\n}\n'
    )
    m = parse(BunLockParser(), path, "bun.lock")
    assert rows(m) == {("a", "1.0.0", False, True), ("b", "2.0.0", False, False)}
    path.write_text('{"lockfileVersion": 7, "packages": {}}')
    with pytest.raises(SourceError, match=r"unsupported bun\.lock lockfileVersion 7"):
        parse(BunLockParser(), path, "bun.lock")


# ---------------------------------------------------------------- other ecosystems


def test_pom_interpolation_management_and_scopes() -> None:
    m = parse(PomParser(), FIXTURES / "pom-interpolation.xml", "pom.xml")
    got = {(p.name, p.version, p.dev, p.pinned, p.line) for p in m.packages}
    assert got == {
        ("com.example:platform-core", "7.1.0", False, True, 25),  # ${project.groupId}/${project.version} via parent
        ("com.example:platform-bom-user", "7.1.0", False, True, 30),
        ("com.fasterxml.jackson.core:jackson-databind", "2.15.2", False, True, 35),  # nested property
        ("org.postgresql:postgresql", "42.6.0", True, True, 40),  # version and provided scope from management
        ("org.example:undefined-prop", "", False, True, 44),  # the parent POM defines it (or Maven fails)
        ("junit:junit", "4.13.2", True, True, 49),
    }
    undefined = next(p for p in m.packages if p.name == "org.example:undefined-prop")
    assert undefined.requirement.startswith("version ${not.defined} managed by parent POM ")


def test_pom_refuses_entities(tmp_path: Path) -> None:
    path = tmp_path / "pom.xml"
    path.write_text(
        '<?xml version="1.0"?>\n<!DOCTYPE p [<!ENTITY x SYSTEM "file:///etc/passwd">]>\n'
        "<project><dependencies/></project>"
    )
    with pytest.raises(SourceError, match="refused XML construct"):
        parse(PomParser(), path, "pom.xml")
    path.write_text("<settings/>")
    with pytest.raises(SourceError, match="root element is <settings>"):
        parse(PomParser(), path, "pom.xml")


def test_cargo_workspace_roots_and_edges() -> None:
    m = parse(CargoLockParser(), FIXTURES / "Cargo-workspace.lock", "Cargo.lock")
    assert rows(m) == {
        ("serde", "1.0.193", False, True),
        ("serde_derive", "1.0.193", False, False),
        ("tokio", "1.35.0", False, True),
        ("tokio", "0.2.25", False, False),
    }
    assert dependency_path(m, "crates.io/serde_derive@1.0.193") == [
        "crates.io/serde@1.0.193",
        "crates.io/serde_derive@1.0.193",
    ]


def test_go_mod_blocks_comments_and_replace() -> None:
    m = parse(GoModParser(), FIXTURES / "go-blocks.mod", "go.mod")
    assert {(p.name, p.version, p.direct, p.line) for p in m.packages} == {
        ("github.com/gin-gonic/gin", "1.9.1", True, 6),
        ("golang.org/x/crypto", "0.17.0", False, 7),
        ("github.com/quoted/mod", "0.1.0", True, 8),
        ("github.com/new/lib", "1.2.0", True, 11),
        ("stdlib", "1.22.0", True, 3),  # the go directive names the standard library release
        ("toolchain", "1.22.0", True, 3),
    }
    assert {p.name: p.dev for p in m.packages}["toolchain"]  # the go command: build time only


def test_gradle_dev_configurations() -> None:
    m = parse(GradleLockParser(), FIXTURES / "gradle-dev.lockfile", "gradle.lockfile")
    assert {(p.name, p.dev) for p in m.packages} == {
        ("com.google.guava:guava", False),
        ("junit:junit", True),
        ("org.projectlombok:lombok", False),
    }


def test_unsupported_versions_are_named(tmp_path: Path) -> None:
    cases = [
        (
            NpmLockParser(),
            "package-lock.json",
            '{"lockfileVersion": 4, "packages": {}}',
            "unsupported lockfileVersion 4",
        ),
        (PnpmLockParser(), "pnpm-lock.yaml", "lockfileVersion: '10.0'\n", "unsupported pnpm lockfileVersion"),
        (CargoLockParser(), "Cargo.lock", "version = 9\n", "unsupported Cargo.lock version 9"),
    ]
    for parser, name, content, message in cases:
        path = tmp_path / name
        path.write_text(content)
        with pytest.raises(SourceError, match=message):
            parse(parser, path, name)


def test_parser_for_names() -> None:
    assert isinstance(parser_for("a/b/requirements-dev.txt"), RequirementsParser)
    assert isinstance(parser_for("Cargo.lock"), CargoLockParser)
    assert isinstance(parser_for("pom.xml"), PomParser)
    assert parser_for("README.md") is None


def test_yarn_v1_uses_the_package_json_beside_it() -> None:
    m = parse(YarnLockParser(), FIXTURES / "yarn-v1-project/yarn.lock", "yarn.lock")
    assert rows(m) == {
        ("debug", "4.3.4", False, True),
        ("ms", "2.1.3", False, True),
        ("ms", "2.1.2", False, False),  # only through debug (runtime)
        ("mocha", "10.2.0", True, True),
        ("supports-color", "8.1.1", True, False),  # only through mocha (dev)
    }


def test_yarn_v1_without_package_json_guesses_roots(tmp_path: Path) -> None:
    shutil.copy(FIXTURES / "yarn-v1-project/yarn.lock", tmp_path / "yarn.lock")
    m = parse(YarnLockParser(), tmp_path / "yarn.lock", "yarn.lock")
    assert {p.name for p in m.packages if p.direct} == {"mocha", "ms"}  # debug is also required by mocha
    assert not any(p.dev for p in m.packages)


def test_pyproject_skips_self_reference_in_extras() -> None:
    m = parse(PyprojectParser(), FIXTURES / "self-extra/pyproject.toml", "pyproject.toml")
    assert rows(m) == {
        ("httpx", "", False, True),
        ("rich", "13.7.1", False, True),
        ("pytest", "", True, True),
        ("mypy", "1.11.0", True, True),
        ("black", "", True, True),
    }


def test_requirements_folder_files_are_wanted() -> None:
    parser = RequirementsParser()
    path = FIXTURES / "reqs/requirements.txt"
    assert parser.wants(file_text(path, "requirements/dev.txt").file)
    assert parser.wants(file_text(path, "svc/requirements-prod.txt").file)
    assert not parser.wants(file_text(path, "requirements/constraints.txt").file)
    assert not parser.wants(file_text(path, "docs/notes.txt").file)


def test_error_reasons_never_carry_credentials(tmp_path: Path) -> None:
    path = tmp_path / "requirements.txt"
    path.write_text("private @ https://deploy:hunter2-token@pypi.example.com/private-1.0.whl ; ==\n")
    with pytest.raises(SourceError) as info:
        parse(RequirementsParser(), path, "requirements.txt")
    assert "line 1: invalid requirement" in str(info.value)
    assert "hunter2" not in str(info.value)
    assert "https://deploy:***@pypi.example.com/private-1.0.whl" in str(info.value)


def test_every_parser_file_name_has_a_manifest_kind() -> None:
    """The pipeline offers a file to a parser only when core.filekinds gives it a manifest kind."""
    for parser in manifest_parsers():
        for pattern in parser.file_names:
            example = pattern.replace("*", "x")
            assert kind_of(example) in parser.kinds, (parser.name, example)
            assert parser.matches(f"some/dir/{example.upper() if parser.name == 'cargo-lock' else example}")


def test_poetry_lock_from_the_future_is_named(tmp_path: Path) -> None:
    path = tmp_path / "poetry.lock"
    path.write_text('[metadata]\nlock-version = "999.0"\n')
    with pytest.raises(SourceError, match=r"unsupported poetry\.lock lock-version '999\.0'"):
        parse(PoetryLockParser(), path, "poetry.lock")


def test_pipfile_and_composer_json_beside_their_locks_mark_direct(shared_data: Path, tmp_path: Path) -> None:
    base = shared_data / "lockfiles/by-ecosystem"
    shutil.copy(base / "python/pipfilelock/testdata/multiple-packages.json", tmp_path / "Pipfile.lock")
    (tmp_path / "Pipfile").write_text('[packages]\nItsDangerous = "*"\n\n[dev-packages]\npluggy = "*"\n')
    m = parse(PipfileLockParser(), tmp_path / "Pipfile.lock", "Pipfile.lock")
    assert rows(m) == {
        ("itsdangerous", "2.1.2", False, True),
        ("markupsafe", "2.1.1", False, False),
        ("pluggy", "1.0.1", False, True),
        ("pluggy", "1.0.0", True, True),
    }
    shutil.copy(base / "php/composerlock/testdata/two-packages.json", tmp_path / "composer.lock")
    (tmp_path / "composer.json").write_text(
        '{"require": {"php": "^8.1", "Sentry/SDK": "^2.0"}, "require-dev": {"theseer/tokenizer": "^1.1"}}'
    )
    m = parse(ComposerLockParser(), tmp_path / "composer.lock", "composer.lock")
    assert rows(m) == {("sentry/sdk", "2.0.4", False, True), ("theseer/tokenizer", "1.1.3", True, True)}


def test_byte_order_mark_is_tolerated(tmp_path: Path) -> None:
    path = tmp_path / "package.json"
    path.write_bytes(b'\xef\xbb\xbf{"dependencies": {"left-pad": "1.3.0"}}')
    m = parse(PackageJsonParser(), path, "package.json")
    assert rows(m) == {("left-pad", "1.3.0", False, True)}


def test_requirements_dev_comes_from_the_file_name_only(tmp_path: Path) -> None:
    for rel, dev in (
        ("requirements-dev.txt", True),
        ("requirements/tests-min.txt", True),
        ("test-harness/requirements.txt", False),
        ("requirements/prod.txt", False),
    ):
        path = tmp_path / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("six==1.16.0\n")
        (pkg,) = parse(RequirementsParser(), path, rel).packages
        assert pkg.dev is dev, rel
