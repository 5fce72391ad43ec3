"""Dockerfile parsing and the DKR rules (exact file, line and span per finding)."""

from __future__ import annotations

import pytest

from redline.checks.containers.dockerfiles import DockerfileCheck
from redline.checks.interface import CheckContext
from redline.core.config import Config
from redline.core.facts import Facts
from redline.core.model import Confidence, Finding, Severity
from redline.sources.containers.dockerfile import Dockerfile, env_pairs, parse_dockerfile, substitute
from redline.sources.interface import SourceError

from .helpers import FIXTURES

DOCKER = FIXTURES / "docker"

EXPECTED = {
    # postgres_base (entrypoint drops to `postgres`), entrypoint_drops_root (installs su-exec for its own
    # entrypoint, as memos' image does), k6_base (USER k6), distroless :nonroot, the scratch
    # export stages (export, apk_export) and a toolchain build environment (buildenv) are look-alikes;
    # the postgres image whose entrypoint is replaced keeps root, and nginx's master process stays root
    "DKR101": {
        ("root_nouser.Dockerfile", 1, 4),
        ("root_explicit.Dockerfile", 5, 7),
        ("dev.Dockerfile", 1, 3),
        ("postgres_own_entrypoint.Dockerfile", 1, 3),
        ("nginx.Dockerfile", 1, 3),
        # s6-overlay with no s6-setuidgid, and a package list in an ARG no RUN installs; paperless-ngx's shapes
        # (gosu_in_package_arg: gosu in ARG RUNTIME_PACKAGES; s6_overlay: s6-setuidgid) are look-alikes
        ("s6_overlay_root.Dockerfile", 1, 7),
    },
    "DKR102": {("pinning.Dockerfile", 4, 4), ("pinning.Dockerfile", 5, 5), ("pinning.Dockerfile", 11, 11)},
    "DKR103": {("add_url.Dockerfile", 2, 2), ("add_url.Dockerfile", 5, 7)},
    "DKR104": {
        ("secrets.Dockerfile", 2, 2),
        ("secrets.Dockerfile", 4, 4),
        ("secrets.Dockerfile", 6, 6),
        ("secrets.Dockerfile", 7, 7),
        ("secrets.Dockerfile", 12, 12),
    },
    # pinning.Dockerfile's last stage sets HEALTHCHECK; buildenv and the exports never run
    "DKR105": {("root_nouser.Dockerfile", 1, 4), ("inherit_user.Dockerfile", 5, 8)},  # not asked of dev.Dockerfile
    "DKR106": {("update.Dockerfile", 2, 2), ("update.Dockerfile", 6, 6), ("update.Dockerfile", 9, 9)},
}


def _check(*dockerfiles: Dockerfile, codes: frozenset[str] = frozenset()) -> list[Finding]:
    check = DockerfileCheck()
    ctx = CheckContext(DOCKER, Config(), codes or frozenset(r.code for r in check.rules))
    return list(check.check(Facts(list(dockerfiles)), ctx))


def _all() -> list[tuple[str, str, int, int]]:
    dfs = [parse_dockerfile(path.name, path.read_text()) for path in sorted(DOCKER.glob("*.Dockerfile"))]
    return [(f.rule, f.location.path, f.location.start_line, f.location.end_line) for f in _check(*dfs)]


def test_context_lowers_test_files_and_groups_root_by_image() -> None:
    dfs = [parse_dockerfile(path.name, path.read_text()) for path in sorted(DOCKER.glob("*.Dockerfile"))]
    by_path = {(f.rule, f.location.path): f for f in _check(*dfs)}
    dev = by_path[("DKR101", "dev.Dockerfile")]
    assert dev.severity == Severity.LOW and dev.confidence == Confidence.MEDIUM
    assert "context:sample" in dev.tags and "gate:exempt" in dev.tags
    prod = by_path[("DKR101", "root_nouser.Dockerfile")]
    assert prod.severity == Severity.MEDIUM and prod.group == "cause:runs-as-root:root_nouser.Dockerfile"
    assert "nginx-unprivileged" in by_path[("DKR101", "nginx.Dockerfile")].message
    assert all(f.remediation for f in by_path.values())


@pytest.mark.parametrize("code", sorted(EXPECTED))
def test_rule_fires_exactly_on_expected_files_and_lines(code: str) -> None:
    got = [(p, a, b) for rule, p, a, b in _all() if rule == code]
    assert len(got) == len(set(got))
    assert set(got) == EXPECTED[code]


def test_multistage_arg_substitution_and_stage_links() -> None:
    df = parse_dockerfile("Dockerfile", (DOCKER / "pinning.Dockerfile").read_text())
    assert [s.image for s in df.stages][:3] == ["python:3.12", "node", "ubuntu:latest"]
    assert df.stages[5].parent == 0 and not df.stages[5].external
    assert df.stages[6].image == "$UNKNOWN"
    assert df.stages[7].platform == "$BUILDPLATFORM" and df.stages[7].image == "golang:1.23"
    assert df.global_args == {"PY_TAG": "3.12", "UNKNOWN": None}
    assert df.instructions[0].stage == -1 and df.instructions[-1].stage == 8


def test_a_templated_base_image_keeps_its_stage_name() -> None:
    """Mayan EDMS's dockerfile.tmpl names its first stage after a Jinja placeholder with spaces in it: the later
    ``FROM base_image`` stages build on that stage (DKR102 called ``base_image`` an untagged image, twice); an
    untagged image after a templated stage is still one."""
    text = (
        "FROM {{ DOCKER_LINUX_IMAGE_VERSION }} as base_image\n"
        "RUN echo base\n"
        "FROM base_image AS builder_image\n"
        "FROM base_image\n"
        "FROM debian\n"
    )
    df = parse_dockerfile("dockerfile.tmpl", text)
    assert [(s.base, s.name, s.parent) for s in df.stages] == [
        ("{{ DOCKER_LINUX_IMAGE_VERSION }}", "base_image", None),
        ("base_image", "builder_image", 0),
        ("base_image", "", 0),
        ("debian", "", None),
    ]
    assert [(f.rule, f.location.start_line) for f in _check(df, codes=frozenset({"DKR102"}))] == [("DKR102", 5)]


def test_continuations_comments_heredocs_flags_exec_form() -> None:
    text = (
        "# escape=\\\n"
        "FROM alpine:3.20 AS base\n"
        "RUN apk add --no-cache \\\n"
        "    # a comment inside the continuation\n"
        "    curl \\\n"
        "\n"
        "    jq\n"
        "COPY --from=base --chown=app:app <<EOF /etc/app.conf\n"
        "key=value\n"
        "EOF\n"
        "RUN <<-SCRIPT\n"
        "\techo one\n"
        "\tSCRIPT\n"
        'CMD ["/bin/app", "--port", "8080"]\n'
        "ENTRYPOINT /bin/app --flag\n"
        "EXPOSE 8080/tcp\n"
    )
    df = parse_dockerfile("Dockerfile", text)
    cmds = [(i.cmd, i.line, i.end_line) for i in df.instructions]
    assert cmds == [
        ("FROM", 2, 2),
        ("RUN", 3, 7),
        ("COPY", 8, 10),
        ("RUN", 11, 13),
        ("CMD", 14, 14),
        ("ENTRYPOINT", 15, 15),
        ("EXPOSE", 16, 16),
    ]
    run = df.instructions[1]
    assert run.value.split() == ["apk", "add", "--no-cache", "curl", "jq"]
    copy = df.instructions[2]
    assert copy.heredoc and copy.flag("from") == "base" and copy.flag("chown") == "app:app"
    assert copy.value.endswith("\nkey=value")
    assert df.instructions[4].exec_form == ("/bin/app", "--port", "8080")
    assert df.instructions[5].exec_form is None


def test_backtick_escape_directive() -> None:
    df = parse_dockerfile(
        "Dockerfile",
        "# escape=`\nFROM mcr.microsoft.com/windows/servercore:ltsc2022\nRUN dir c:\\ `\n    && echo done\n",
    )
    assert df.escape == "`"
    assert df.instructions[1].value == "dir c:\\ && echo done"
    assert (df.instructions[1].line, df.instructions[1].end_line) == (3, 4)


def test_user_is_per_stage() -> None:
    df = parse_dockerfile("Dockerfile", "FROM a:1 AS build\nUSER builder\nFROM b:1\nRUN x\n")
    assert df.effective_user(0) is not None
    assert df.effective_user(1) is None  # USER does not carry over to an unrelated stage


def test_bad_input_is_a_clear_error() -> None:
    with pytest.raises(SourceError, match="no FROM"):
        parse_dockerfile("Dockerfile", "RUN echo hi\n")
    with pytest.raises(SourceError, match="not a Dockerfile"):
        parse_dockerfile("Dockerfile", "hello world\nthis is prose\n")
    with pytest.raises(SourceError):
        parse_dockerfile("Dockerfile", "")


def test_substitute_forms() -> None:
    env = {"A": "1", "E": ""}
    assert substitute("x${A}y$A${B:-d}${E:-e}${A:+set}${B:+no}", env) == "x1y1deset"
    assert substitute("${NOPE}", env) == "${NOPE}"


def test_only_names_reach_messages() -> None:
    df = parse_dockerfile("Dockerfile", (DOCKER / "secrets.Dockerfile").read_text())
    msgs = [f.message for f in _check(df, codes=frozenset({"DKR104"}))]
    assert msgs and all("changeme" not in m and "ghp_" not in m for m in msgs)


def test_env_forms_and_stage_helpers() -> None:

    assert env_pairs('A=1 B="two words" C=\'x y\' D="esc \\" q" E=') == [
        ("A", "1"),
        ("B", "two words"),
        ("C", "x y"),
        ("D", 'esc \\" q'),
        ("E", ""),
    ]
    assert env_pairs("LEGACY some value") == [("LEGACY", "some value")]
    df = parse_dockerfile("Dockerfile", "FROM a:1 AS b\nENV X=1\nEXPOSE 80 443/tcp\nFROM b\nENV Y=2 X=3\n")
    assert df.env(1) == {"X": "3", "Y": "2"}
    assert df.exposed_ports(1) == ["80", "443/tcp"]


def test_an_image_this_tree_builds_at_a_tag_the_build_passes_is_not_unpinned() -> None:
    """jitsi/docker-jitsi-meet: ``web/Dockerfile`` starts ``FROM ${JITSI_REPO}/base:${BASE_TAG}`` and ``base/`` holds
    the Dockerfile of that image; the Makefile and the release workflow pass the tag. Look-alikes that still fire:
    the same shape whose name is no folder here, an own image at a literal ``latest``, and an untagged one."""
    base = parse_dockerfile("base/Dockerfile", "FROM debian:bookworm-slim@sha256:" + "ab" * 32 + "\nUSER 1000\n")
    web = parse_dockerfile(
        "web/Dockerfile",
        "ARG JITSI_REPO=ghcr.io/jitsi\nARG BASE_TAG=latest\nFROM ${JITSI_REPO}/base:${BASE_TAG}\n"
        "FROM ${JITSI_REPO}/redis:${BASE_TAG}\nFROM ${JITSI_REPO}/base:latest\nFROM ${JITSI_REPO}/base\nUSER 1000\n",
    )
    found = [(f.location.path, f.location.start_line) for f in _check(base, web) if f.rule == "DKR102"]
    assert found == [("web/Dockerfile", 4), ("web/Dockerfile", 5), ("web/Dockerfile", 6)]


def test_a_whole_reference_the_build_passes_defaulting_to_an_image_built_here_is_not_unpinned() -> None:
    """outline/outline: ``Dockerfile`` starts ``FROM ${BASE_IMAGE}`` (``ARG BASE_IMAGE=outlinewiki/outline-base``)
    and ``Dockerfile.base`` builds that image; the release workflow passes it at the digest it has just built.
    Look-alikes that still fire: the same shape defaulting to an upstream image, a default named after a variant
    Dockerfile (``Dockerfile.dev`` is the same image for development, not one named ``dev``), and an own image
    written out without a tag."""
    base = parse_dockerfile("Dockerfile.base", "FROM node:22-slim@sha256:" + "cd" * 32 + "\nUSER 1000\n")
    variant = parse_dockerfile("Dockerfile.dev", "FROM node:22-slim@sha256:" + "cd" * 32 + "\nUSER 1000\n")
    app = parse_dockerfile(
        "Dockerfile",
        "ARG BASE_IMAGE=outlinewiki/outline-base\nARG UPSTREAM=node\nARG TOOLS=acme/tools-dev\n"
        "FROM ${BASE_IMAGE} AS base\nFROM ${UPSTREAM}\nFROM $TOOLS\nFROM outlinewiki/outline-base\nUSER 1000\n",
    )
    found = [(f.location.path, f.location.start_line) for f in _check(base, variant, app) if f.rule == "DKR102"]
    assert found == [("Dockerfile", 5), ("Dockerfile", 6), ("Dockerfile", 7)]


def test_copy_operands_read_as_docker_reads_them() -> None:
    text = (
        "FROM python:3.12\n"
        'COPY --chown=app:app "$APP_DIR" ./requirements.txt /srv/\n'
        'COPY ["my file.txt", "/srv/my file.txt"]\n'
        "COPY [not json /srv/\n"
        "COPY <<EOF /srv/run.sh\necho hi\nEOF\n"
        "ADD 'https://example.com/x.tar.gz' /opt/\n"
    )
    copies = [i for i in parse_dockerfile("Dockerfile", text).instructions if i.cmd in ("COPY", "ADD")]
    assert [c.operands for c in copies] == [
        ("$APP_DIR", "./requirements.txt", "/srv/"),
        ("my file.txt", "/srv/my file.txt"),
        (),
        (),
        ("https://example.com/x.tar.gz", "/opt/"),
    ]
