"""The HEALTHCHECK scripts source: the command's script read in each form, its image path traced back through
WORKDIR and COPY (``--from`` a stage, globs, a renamed file, the context above the Dockerfile) to the repository."""

from __future__ import annotations

from pathlib import Path

import pytest

from redline.core.config import Config
from redline.core.facts import Facts
from redline.core.filekinds import kind_of
from redline.core.workspace import SourceFile
from redline.sources.containers.compose import ComposeSource
from redline.sources.containers.dockerfile import parse_dockerfile
from redline.sources.containers.healthcheck import HealthcheckScript, HealthcheckScriptSource, in_force, script_paths
from redline.sources.interface import ProjectContext


def test_only_the_shell_form_expands_the_images_variables() -> None:
    dockerfile = parse_dockerfile(
        "Dockerfile",
        "FROM python:3.12\nENV APP=/srv/app\nHEALTHCHECK CMD python $APP/probe.py\n"
        'HEALTHCHECK CMD ["python", "$APP/probe.py"]\n',
    )
    shell, array = [i for i in dockerfile.instructions if i.cmd == "HEALTHCHECK"]
    env = {"APP": "/srv/app"}
    assert script_paths(shell, "/", env) == ["/srv/app/probe.py"]
    assert script_paths(array, "/", env) == ["/$APP/probe.py"]  # Docker runs it as written: no such file


@pytest.mark.parametrize(
    ("healthcheck", "scripts"),
    [
        ("CMD ./fetchstatus.py", ["/opt/app/fetchstatus.py"]),  # healthchecks' form
        ('CMD ["python3", "-u", "probe.py"]', ["/opt/app/probe.py"]),
        ("--interval=30s --timeout=3s CMD python /srv/health.py || exit 1", ["/srv/health.py"]),
        ('CMD ["sh", "-c", "PORT=8000 exec python tools/ping.py > /dev/null 2>&1"]', ["/opt/app/tools/ping.py"]),
        ("CMD sh -c 'node dist/health.js && echo ok'", ["/opt/app/dist/health.js"]),
        ("CMD python -m app.health", ["/opt/app/app/health.py"]),
        ("CMD deno run --allow-net health.ts", ["/opt/app/health.ts"]),
        ("CMD curl -fsS http://localhost:8000/health || exit 1", []),
        ("CMD python -c \"import urllib.request as u; u.urlopen('http://localhost')\"", []),
        ("CMD node -e \"fetch('http://localhost:3000')\"", []),
        ("CMD healthcheck.py", []),  # a bare name is looked up on PATH, not in WORKDIR
        ("CMD python 'unclosed.py", []),
        ("NONE", []),
    ],
)
def test_the_script_a_command_runs(healthcheck: str, scripts: list[str]) -> None:
    dockerfile = parse_dockerfile("Dockerfile", f"FROM python:3.12\nWORKDIR /opt/app\nHEALTHCHECK {healthcheck}\n")
    (ins,) = in_force(dockerfile)
    assert script_paths(ins, "/opt/app") == scripts


def _scripts(dockerfiles: dict[str, str], files: list[str]) -> list[tuple[str, str, int]]:
    facts = Facts(parse_dockerfile(path, text) for path, text in dockerfiles.items())
    listed = tuple(SourceFile(path, f"/nowhere/{path}", "python", 1) for path in files)
    out = HealthcheckScriptSource().collect(ProjectContext(Path("/nowhere"), Config(), listed, facts))
    assert not out.errors and not out.skipped
    return [(s.path, s.declared_in, s.line) for s in out.facts if isinstance(s, HealthcheckScript)]


def test_a_script_named_through_the_images_environment() -> None:
    """mealie's docker/Dockerfile (b5643a9), cut down: the script is named as ``$MEALIE_HOME/...``, set by ``ENV``
    in a parent stage; the shell running the check expands it, so the path is expanded before it is traced."""
    dockerfile = (
        'FROM python:3.10-slim AS python-base\nENV MEALIE_HOME="/app"\n'
        "FROM python-base AS production\nCOPY ./mealie $MEALIE_HOME/mealie\nWORKDIR /\n"
        "HEALTHCHECK CMD python $MEALIE_HOME/mealie/scripts/healthcheck.py || exit 1\n"
        "HEALTHCHECK CMD python $UNSET_HOME/mealie/scripts/healthcheck.py\n"
    )
    files = ["docker/Dockerfile", "mealie/scripts/healthcheck.py", "mealie/app.py"]
    assert _scripts({"docker/Dockerfile": dockerfile}, files) == []  # the last HEALTHCHECK names an unset variable
    first_only = dockerfile.rsplit("HEALTHCHECK", 1)[0]
    assert _scripts({"docker/Dockerfile": first_only}, files) == [
        ("mealie/scripts/healthcheck.py", "docker/Dockerfile", 6)
    ]


def test_healthchecks_own_dockerfile_from_the_root_context() -> None:
    """healthchecks/healthchecks' docker/Dockerfile (29b5ec2), cut down: built with `context: ..`; the builder's
    `COPY . /opt/healthchecks/` holds no ./fetchstatus.py, the final stage's own COPY does."""
    dockerfile = (
        "FROM python:3.14-slim AS builder\nCOPY requirements.txt /tmp\nCOPY . /opt/healthchecks/\n"
        "FROM python:3.14-slim\nWORKDIR /opt/healthchecks\n"
        "COPY --from=builder /opt/healthchecks/ /opt/healthchecks/\nCOPY docker/fetchstatus.py /opt/healthchecks/\n"
        "HEALTHCHECK --start-period=20s --interval=60s --retries=1 CMD ./fetchstatus.py\n"
        'CMD [ "uwsgi", "/opt/healthchecks/docker/uwsgi.ini"]\n'
    )
    files = ["requirements.txt", "manage.py", "docker/fetchstatus.py", "docker/Dockerfile", "hc/settings.py"]
    assert _scripts({"docker/Dockerfile": dockerfile}, files) == [("docker/fetchstatus.py", "docker/Dockerfile", 8)]


def test_paths_traced_through_stages_globs_renames_and_variables() -> None:
    dockerfile = (
        "FROM node:20 AS build\nWORKDIR /build\nCOPY . .\n"
        'FROM node:20-slim\nENV APP_HOME=/srv/app\nWORKDIR "$APP_HOME"\n'  # quoted, as ArchiveBox's
        "COPY --from=build /build/dist ./dist\n"  # a folder out of the build stage
        "COPY --from=node:20 /usr/local/bin/node /usr/local/bin/\n"  # out of another image
        "COPY probes/*.py /usr/local/lib/probes/\n"
        "COPY probes/check.sh /usr/local/bin/healthcheck\n"  # copied onto a new name
        "HEALTHCHECK CMD node dist/health.js && python /usr/local/lib/probes/db.py && /usr/local/bin/healthcheck\n"
    )
    files = ["web/dist/health.js", "web/probes/db.py", "web/probes/check.sh", "web/Dockerfile"]
    assert _scripts({"web/Dockerfile": dockerfile}, files) == [
        ("web/dist/health.js", "web/Dockerfile", 11),
        ("web/probes/db.py", "web/Dockerfile", 11),
        ("web/probes/check.sh", "web/Dockerfile", 11),
    ]


def test_only_the_healthcheck_in_force_and_only_what_a_copy_provides() -> None:
    """A later HEALTHCHECK replaces an earlier one; a script the image holds from no COPY (made by a RUN, or not
    copied at all) is not guessed at."""
    dockerfile = (
        "FROM python:3.12\nWORKDIR /app\nCOPY app/ ./app/\n"
        "HEALTHCHECK CMD python app/old_probe.py\n"
        "RUN echo 'print(1)' > /app/made.py\n"
        "HEALTHCHECK CMD python app/probe.py && python made.py && python tools/not_copied.py\n"
    )
    files = ["app/probe.py", "app/old_probe.py", "tools/not_copied.py", "made.py", "Dockerfile"]
    assert _scripts({"Dockerfile": dockerfile}, files) == [("app/probe.py", "Dockerfile", 6)]


def _compose_scripts(root: Path, files: dict[str, str]) -> list[tuple[str, str, int]]:
    """The source over a tree of ``files``: the Dockerfiles parsed, the compose projects read, as a run does."""
    for path, text in files.items():
        (root / path).parent.mkdir(parents=True, exist_ok=True)
        (root / path).write_text(text)
    listed = tuple(SourceFile(p, str(root / p), kind_of(p), len(t)) for p, t in files.items())
    facts = Facts(parse_dockerfile(p, t) for p, t in files.items() if p.endswith("Dockerfile"))
    ctx = ProjectContext(root, Config(), listed, facts)
    facts.extend(ComposeSource().collect(ctx).facts)
    out = HealthcheckScriptSource().collect(ctx)
    return sorted((s.path, s.declared_in, s.line) for s in out.facts if isinstance(s, HealthcheckScript))


def test_compose_health_checks_through_mounts_builds_and_working_dir(tmp_path: Path) -> None:
    compose = """services:
  api:
    build: {context: ./api, target: runtime}
    working_dir: /srv/app
    healthcheck:
      test: ["CMD", "node", "health.mjs"]
  mounted:
    image: python:3.12-slim
    volumes:
      - type: bind
        source: ./ops
        target: /ops
        read_only: true
    healthcheck:
      test: ["CMD-SHELL", "python3 /ops/probe.py"]
  off:
    image: python:3.12-slim
    volumes: ["./ops:/ops"]
    healthcheck:
      test: ["CMD", "python3", "/ops/off.py"]
      disable: true
  none:
    image: python:3.12-slim
    volumes: ["./ops:/ops"]
    healthcheck:
      test: ["NONE"]
  named:
    image: python:3.12-slim
    volumes: ["ops:/ops"]
    healthcheck:
      test: python3 /ops/named.py
volumes:
  ops: {}
"""
    dockerfile = (
        "FROM node:20 AS build\nWORKDIR /build\nCOPY . .\n"
        "FROM node:20-slim AS runtime\nCOPY --from=build /build /srv/app\n"
        "FROM runtime AS debug\n"
    )
    files = {
        "docker-compose.yml": compose,
        "api/Dockerfile": dockerfile,
        "api/health.mjs": "fetch('http://localhost:3000/healthz')\n",
        "ops/probe.py": "",
        "ops/off.py": "",
        "ops/named.py": "",
    }
    assert _compose_scripts(tmp_path, files) == [
        ("api/health.mjs", "docker-compose.yml", 5),  # the `runtime` stage, relative to working_dir
        ("ops/probe.py", "docker-compose.yml", 14),  # a long-form bind of the folder above it
    ]  # disabled, NONE, and a named volume (no repository folder) are not traced
