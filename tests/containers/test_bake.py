"""docker buildx bake files: a ``FROM`` naming a target's named context is not a registry pull (DKR102)."""

from __future__ import annotations

from pathlib import Path

from audit_helpers import audit_with
from redline.checks.containers.dockerfiles import DockerfileCheck
from redline.core.config import Config
from redline.core.model import Stage
from redline.core.workspace import Workspace
from redline.sources.containers.bake import BakeSource, BakeTarget, bake_targets
from redline.sources.interface import ProjectContext

from .helpers import FIXTURES, run

BAKE = FIXTURES / "bake"


def _collect(root: Path) -> tuple[list[object], list[tuple[str, str, Stage]]]:
    walk = Workspace(root, max_file_size=1024 * 1024).walk()
    out = BakeSource().collect(ProjectContext(root, Config(), tuple(walk.files)))
    return out.facts, [(e.where, e.reason, e.stage) for e in out.errors]


def test_unpinned_bases_that_are_no_named_context_of_a_target_building_them() -> None:
    got = {(f.rule, f.location.path, f.location.start_line, f.evidence.text("image")) for f in run(BAKE, "DKR102")}
    assert got == {
        # `FROM tools` is `docker-image://alpine` (judged instead); deps, vendor and runtime (debian:12-slim) are not
        ("DKR102", "images/app/Dockerfile", 3, "alpine"),
        ("DKR102", "images/app/Dockerfile", 5, "redis"),
        # Dockerfile.${ARCH}: both variants; `wheels` comes from the inherited `_common`, `cuda` from its own contexts
        ("DKR102", "images/gpu/Dockerfile.amd64", 3, "nvidia/cuda"),
        ("DKR102", "images/gpu/Dockerfile.arm64", 3, "nvidia/cuda"),
        ("DKR102", "images/other/Dockerfile", 1, "deps"),  # its target's contexts name only `unrelated`
        ("DKR102", "standalone/Dockerfile", 1, "wheels"),  # no bake target builds it
        ("DKR102", "local/Dockerfile", 2, "node"),  # `src` is a context of local/rk.hcl's target (beside it)
        ("DKR102", "json/Dockerfile", 2, "ubuntu"),  # `base` is a context in docker-bake.json
        ("DKR102", "broken/Dockerfile", 1, "base"),  # its bake file does not parse
    }


def test_a_docker_image_context_is_named_in_the_message() -> None:
    alpine = next(f for f in run(BAKE, "DKR102") if f.evidence.text("image") == "alpine")
    assert "`FROM tools`, bake context `tools`" in alpine.message
    assert alpine.remediation == "FROM alpine:<version>@sha256:<digest>"


def test_targets_resolved_against_the_tree_and_other_hcl_ignored() -> None:
    facts, errors = _collect(BAKE)
    assert all(isinstance(f, BakeTarget) for f in facts)
    got = {(t.path, t.name, t.dockerfiles, t.contexts) for t in facts if isinstance(t, BakeTarget)}
    assert got == {
        ("docker-bake.hcl", "base", ("images/base/Dockerfile",), ()),
        (
            "docker-bake.hcl",
            "app",
            ("images/app/Dockerfile",),
            (
                ("deps", "target:base"),
                ("runtime", "docker-image://debian:12-slim"),
                ("tools", "docker-image://alpine"),
                ("vendor", "./vendor"),
            ),
        ),
        (
            "docker-bake.hcl",
            "gpu",
            ("images/gpu/Dockerfile.amd64", "images/gpu/Dockerfile.arm64"),
            (("cuda", "target:base"), ("wheels", "target:base")),
        ),
        ("docker-bake.hcl", "other", ("images/other/Dockerfile",), (("unrelated", "target:base"),)),
        ("local/rk.hcl", "rk", ("local/Dockerfile",), (("src", "target:sources"),)),
        ("json/docker-bake.json", "j", ("json/Dockerfile",), (("base", "target:x"),)),
    }
    # the broken bake file is named; the Nomad file (unparsable), the Packer file and tool/targets.hcl are not
    assert errors == [("broken/docker-bake.hcl", "docker bake: invalid HCL at line 2", Stage.PARSE)]


def test_a_bad_bake_file_is_reported_and_the_run_goes_on() -> None:
    result = audit_with(BAKE, [DockerfileCheck()], Config(jobs=1, select=("DKR102",)))
    assert [(e.where, e.stage, e.fatal) for e in result.errors] == [("broken/docker-bake.hcl", Stage.PARSE, False)]
    assert len([f for f in result.findings if f.rule == "DKR102"]) == 9


def test_bake_targets_reads_hcl_and_json_shapes() -> None:
    hcl = bake_targets('target "a" {\n  context = "."\n  args = { X = X }\n}\n', hcl=True)
    assert hcl == {"a": {"context": ".", "args": {"X": None}}}  # an expression is not evaluated
    assert bake_targets('{"target": {"b": {"dockerfile": "D"}}}', hcl=False) == {"b": {"dockerfile": "D"}}
    assert bake_targets("[]", hcl=False) == {}
    cycle = bake_targets('target a {\n  inherits = ["b"]\n}\ntarget b {\n  inherits = ["a"]\n}\n', hcl=True)
    assert set(cycle) == {"a", "b"}
