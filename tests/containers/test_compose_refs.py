"""Compose ``extends`` and ``include``: inherited values keep the file and line that set them; bad references
are recorded per file and the run goes on."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from redline.cli.main import main
from redline.core.config import Config
from redline.core.model import ToolError
from redline.core.workspace import Workspace
from redline.sources.containers.compose import ComposeProject, ComposeSource
from redline.sources.interface import ProjectContext, ProjectOutput

from .helpers import FIXTURES, run

REFS = FIXTURES / "compose_refs"
APP = "app/docker-compose.yml"


def _collect(root: Path) -> ProjectOutput:
    files = tuple(Workspace(root, max_file_size=10**7).walk().files)
    return ComposeSource().collect(ProjectContext(root, Config(), files))


def _errors(out: ProjectOutput) -> list[tuple[str, str]]:
    return sorted((e.where, e.reason) for e in out.errors if isinstance(e, ToolError))


def _where(root: Path, code: str) -> set[tuple[str, int, str]]:
    return {(f.location.path, f.location.start_line, f.location.resource) for f in run(root, code)}


def test_extends_from_another_file_reports_at_the_base_files_line() -> None:
    # web inherits privileged: true from common/base.yml line 3; calm overrides it with false; worker's base
    # is not privileged; base.yml itself is only a base, not a project
    assert _where(REFS, "CMP101") == {("common/base.yml", 5, "compose/app/web")}  # privileged: true


def test_extends_in_the_same_file_keeps_the_bases_block() -> None:
    # local inherits "5432:5432" from template (its ports: key, line 27) and adds a loopback-only port of its own
    assert _where(REFS, "CMP104") == {(APP, 27, "compose/app/local"), (APP, 27, "compose/app/template")}
    project = next(p for p in _collect(REFS).facts if isinstance(p, ComposeProject))
    local = next(s for s in project.services if s.name == "local")
    assert local.body["ports"] == ["5432:5432", "127.0.0.1:8080:8080"]
    assert "extends" not in local.body
    assert local.origin("ports", "127.0.0.1:8080:8080") == (APP, 20, 23)
    assert local.origin(None) == (APP, 20, 23)  # a missing setting belongs to the extending service
    web = next(s for s in project.services if s.name == "web")
    assert web.body == {"image": "acme/web:1.0", "privileged": True}
    assert web.origin("image") == (APP, 6, 10)


def test_include_brings_services_into_the_project_with_their_env_file() -> None:
    # portainer (shared/tools.yml) mounts docker.sock; cadvisor's mount comes from ops/monitor.env;
    # socket-lookalike mounts a relative directory named docker.sock.d and stays quiet
    assert _where(REFS, "CMP102") == {
        ("shared/tools.yml", 4, "compose/shared/portainer"),
        ("ops/monitor.yml", 4, "compose/ops/cadvisor"),
    }
    out = _collect(REFS)
    project = next(p for p in out.facts if isinstance(p, ComposeProject))
    assert project.files == (APP,)
    assert project.included == ("shared/tools.yml", "ops/monitor.yml")
    assert [s.name for s in project.services] == [
        "cadvisor",
        "calm",
        "local",
        "portainer",
        "socket-lookalike",
        "template",
        "web",
        "worker",
    ]
    cadvisor = next(s for s in project.services if s.name == "cadvisor")
    assert cadvisor.body["image"] == "gcr.io/cadvisor/cadvisor:v0.49.1"
    assert cadvisor.directory == "ops"
    # ops/monitor.yml also defines `web` (privileged): a clash is recorded, the including file's web is kept
    assert _errors(out) == [
        (
            APP,
            "compose: include ops/monitor.yml: service `web` is already defined; Compose "
            "does not merge them: the included one is not audited",
        )
    ]


def test_extends_cycles_and_bad_references_are_recorded_and_the_run_goes_on(tmp_path: Path) -> None:
    root = tmp_path / "repo"
    root.mkdir()
    (tmp_path / "outside.yml").write_text("services:\n  base:\n    image: x:1\n    privileged: true\n")
    os.symlink(tmp_path / "outside.yml", root / "link.yml")
    (root / "compose.yaml").write_text(
        "services:\n"
        "  a:\n    extends: b\n    image: a:1\n"
        "  b:\n    extends: a\n    image: b:1\n"
        "  up:\n    extends: {file: ../outside.yml, service: base}\n    image: u:1\n"
        "  abs:\n    extends: {file: /etc/compose.yml, service: base}\n    image: v:1\n"
        "  linked:\n    extends: {file: link.yml, service: base}\n    image: w:1\n"
        "  gone:\n    extends: {file: missing.yml, service: base}\n    image: g:1\n"
        "  noname:\n    extends: {file: compose.yaml, service: nothere}\n    image: n:1\n"
        "  remote:\n    extends: {file: 'https://example.com/c.yml', service: base}\n    image: r:1\n"
        "  own:\n    image: o:1\n    privileged: true\n"
    )
    out = _collect(root)
    assert _errors(out) == [
        ("compose.yaml", "compose: extends cycle compose.yaml:a -> compose.yaml:b -> compose.yaml:a: not followed"),
        ("compose.yaml", "compose: extends cycle compose.yaml:b -> compose.yaml:a -> compose.yaml:b: not followed"),
        (
            "compose.yaml",
            "compose: service `abs`: extends file `/etc/compose.yml` is an absolute path outside the "
            "audited root: not followed",
        ),
        ("compose.yaml", "compose: service `gone`: extends file `missing.yml` not found"),
        (
            "compose.yaml",
            "compose: service `linked`: extends file `link.yml` leads outside the audited root (symlink): not followed",
        ),
        ("compose.yaml", "compose: service `noname` extends `nothere`, which compose.yaml does not define"),
        ("compose.yaml", "compose: service `remote`: extends file `https://example.com/c.yml` is remote: not followed"),
        (
            "compose.yaml",
            "compose: service `up`: extends file `../outside.yml` is outside the audited root: not followed",
        ),
    ]
    # every service is still audited with what it defines itself; nothing from outside the root is read
    assert _where(root, "CMP101") == {("compose.yaml", 28, "compose/./own")}
    project = next(p for p in out.facts if isinstance(p, ComposeProject))
    assert [s.name for s in project.services] == ["a", "abs", "b", "gone", "linked", "noname", "own", "remote", "up"]
    # a cycle is cut where it closes: a gets b's own values under its own
    assert next(s for s in project.services if s.name == "a").body == {"image": "a:1"}
    assert [p for p, _ in next(s for s in project.services if s.name == "a").layers] == ["compose.yaml"] * 2


def test_include_cycles_and_bad_references_are_recorded(tmp_path: Path) -> None:
    (tmp_path / "sub").mkdir()
    (tmp_path / "compose.yaml").write_text(
        "include:\n  - sub/loop.yml\n  - ../escape.yml\n  - path: [nothere.yml]\n  - 42\n"
        "services:\n  app:\n    image: a:1\n"
    )
    (tmp_path / "sub" / "loop.yml").write_text(
        "include:\n  - ../compose.yaml\nservices:\n  looped:\n    image: l:1\n    privileged: true\n"
    )
    out = _collect(tmp_path)
    assert _errors(out) == [
        ("compose.yaml", "compose: include `../escape.yml` is outside the audited root: not followed"),
        ("compose.yaml", "compose: include `nothere.yml` not found"),
        ("compose.yaml", "compose: include entry must be a path or a mapping, got 42"),
        ("sub/loop.yml", "compose: include cycle compose.yaml -> sub/loop.yml -> compose.yaml: not followed"),
    ]
    project = next(p for p in out.facts if isinstance(p, ComposeProject))
    assert [s.name for s in project.services] == ["app", "looped"]
    assert _where(tmp_path, "CMP101") == {("sub/loop.yml", 6, "compose/sub/looped")}


def test_include_only_file_and_project_directory(tmp_path: Path) -> None:
    (tmp_path / "svc").mkdir()
    (tmp_path / "svc" / ".env").write_text("TAG=2.0\n")
    (tmp_path / "svc" / "parts.yml").write_text("services:\n  api:\n    image: acme/api:${TAG}\n")
    (tmp_path / "compose.yaml").write_text("include:\n  - path: svc/parts.yml\n    project_directory: svc\n")
    out = _collect(tmp_path)
    assert _errors(out) == []
    project = next(p for p in out.facts if isinstance(p, ComposeProject))
    assert [(s.name, s.directory, s.body["image"]) for s in project.services] == [("api", "svc", "acme/api:2.0")]


def test_a_yaml_file_with_an_unrelated_include_key_is_not_followed(tmp_path: Path) -> None:
    # look-alike: not a compose file name, so its include/extends are never read
    (tmp_path / "ci.yml").write_text("include:\n  - /etc/passwd\nservices:\n  x:\n    extends: y\n")
    assert _collect(tmp_path).errors == []


def test_each_file_is_read_once_across_variants_and_references(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "base.yml").write_text("services:\n  b:\n    image: b:1\n    privileged: true\n")
    (tmp_path / "docker-compose.yml").write_text(
        "include: [extra.yml]\nservices:\n  a:\n    extends: {file: base.yml, service: b}\n"
    )
    (tmp_path / "docker-compose.prod.yml").write_text("services:\n  c:\n    extends: {file: base.yml, service: b}\n")
    (tmp_path / "extra.yml").write_text("services:\n  e:\n    image: e:1\n")
    walk = tuple(Workspace(tmp_path, max_file_size=10**7).walk().files)
    reads: list[str] = []
    real = Path.read_text

    def counting(self: Path, *args: object, **kwargs: object) -> str:
        reads.append(self.name)
        return real(self, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(Path, "read_text", counting)
    out = ComposeSource().collect(ProjectContext(tmp_path, Config(), walk))
    assert sorted(p.files for p in out.facts if isinstance(p, ComposeProject)) == [
        ("docker-compose.yml",),
        ("docker-compose.yml", "docker-compose.prod.yml"),
    ]
    assert sorted(n for n in reads if n.endswith(".yml")) == [
        "base.yml",
        "docker-compose.prod.yml",
        "docker-compose.yml",
        "extra.yml",
    ]


def test_suppression_in_the_base_file_covers_the_inherited_value(tmp_path: Path) -> None:
    (tmp_path / "base.yml").write_text(
        "services:\n"
        "  # redline: ignore[CMP101] device access reviewed 2026-11\n"
        "  b:\n    image: b:1\n    privileged: true\n"
    )
    (tmp_path / "compose.yaml").write_text("services:\n  a:\n    extends: {file: base.yml, service: b}\n")
    out = tmp_path / "out"
    main(["audit", str(tmp_path), "--out", str(out), "--quiet", "--select", "CMP101", "--exit-zero"])
    found = json.loads((out / "findings.json").read_text())["findings"]
    assert [(f["location"]["path"], f["location"]["start_line"], f.get("suppressed")) for f in found] == [
        ("base.yml", 5, "device access reviewed 2026-11")
    ]  # comment above the service still covers it


def test_extends_may_name_a_fragment_file_without_services(tmp_path: Path) -> None:
    # the docs allow extend files that are not valid compose files: services at the top level, no image/build
    (tmp_path / "fragments.yml").write_text("hardening:\n  user: '10001'\nloose:\n  privileged: true\n")
    (tmp_path / "compose.yaml").write_text(
        "services:\n"  # nginx keeps root (known-image table): `user:` from the fragment decides
        "  safe:\n    image: nginx:1.27\n    extends: {file: fragments.yml, service: hardening}\n"
        "  risky:\n    image: nginx:1.27\n    extends: {file: fragments.yml, service: loose}\n"
    )
    out = _collect(tmp_path)
    assert _errors(out) == []
    assert _where(tmp_path, "CMP101") == {("fragments.yml", 4, "compose/./risky")}
    assert {f.location.resource for f in run(tmp_path, "CMP103")} == {"compose/./risky"}


def test_a_variant_extending_the_base_file_reports_once_at_the_base(tmp_path: Path) -> None:
    # the common docker-compose.prod.yml pattern: `web: extends: {file: docker-compose.yml, service: web}`
    (tmp_path / "docker-compose.yml").write_text(
        "services:\n  web:\n    image: w:1\n    privileged: true\n    ports: ['127.0.0.1:3000:3000']\n"
    )
    (tmp_path / "docker-compose.scale.yml").write_text(
        "services:\n"
        "  web2:\n    extends: {file: docker-compose.yml, service: web}\n    ports: ['127.0.0.1:3001:3000']\n"
        "  web3:\n    extends: {file: docker-compose.yml, service: web}\n    privileged: false\n"
    )
    found = run(tmp_path, "CMP101")
    assert [(f.location.path, f.location.start_line, f.location.resource) for f in found] == [
        ("docker-compose.yml", 4, "compose/./web"),
        ("docker-compose.yml", 4, "compose/./web2"),
    ]
    variant = next(
        p
        for p in _collect(tmp_path).facts
        if isinstance(p, ComposeProject) and p.files == ("docker-compose.yml", "docker-compose.scale.yml")
    )
    web2 = next(s for s in variant.services if s.name == "web2")
    assert web2.body["ports"] == ["127.0.0.1:3000:3000", "127.0.0.1:3001:3000"]


def test_a_very_long_extends_chain_is_cut_with_a_note(tmp_path: Path) -> None:
    body = "".join(f"  s{i}:\n    extends: s{i + 1}\n" for i in range(200)) + "  s200:\n    privileged: true\n"
    (tmp_path / "compose.yaml").write_text("services:\n" + body)
    out = _collect(tmp_path)
    assert {e.reason for e in out.errors} == {
        f"compose: service `s{i}`: extends chain deeper than 32: not followed further" for i in range(31, 200)
    }
    # services within reach of the privileged base inherit it at its own line; the run finishes
    assert ("compose.yaml", 403, "compose/./s199") in _where(tmp_path, "CMP101")


def test_diamond_includes_are_loaded_once(tmp_path: Path) -> None:
    # each level includes the next twice: without de-duplication this is 2**30 loads
    for i in range(30):
        (tmp_path / f"l{i}.yml").write_text(
            f"include: [l{i + 1}.yml, l{i + 1}.yml]\nservices:\n  s{i}:\n    image: x:{i}\n"
        )
    (tmp_path / "l30.yml").write_text("services:\n  last:\n    image: y:1\n    privileged: true\n")
    (tmp_path / "compose.yaml").write_text("include: [l0.yml]\n")
    out = _collect(tmp_path)
    assert out.errors == []
    project = next(p for p in out.facts if isinstance(p, ComposeProject))
    assert len(project.services) == 31
    assert project.included == tuple(f"l{i}.yml" for i in range(31))
    assert _where(tmp_path, "CMP101") == {("l30.yml", 4, "compose/./last")}
