"""The repository's scripts a Dockerfile runs as its ``HEALTHCHECK`` (or a compose service as its ``healthcheck``,
``compose_healthcheck``): a fact derived from the Dockerfile and compose facts.

Docker kills a health check that runs longer than its ``--timeout`` (30 s when none is given) and counts it as
failed, so a call in such a script is bounded whatever the script itself sets; the timeout rules read this fact
and leave those scripts alone. healthchecks' ``docker/fetchstatus.py`` (``HEALTHCHECK ... CMD ./fetchstatus.py``,
copied with ``COPY docker/fetchstatus.py /opt/healthchecks/``) is one.

The command is read in both forms (exec: ``CMD ["python", "probe.py"]``; shell: ``CMD python probe.py || exit 1``,
``sh -c "…"`` included); a script is an interpreter's script argument (``python``, ``node``, ``ruby`` …) or a
program named by its path (``./fetchstatus.py``). Its path in the image (relative to the image's ``WORKDIR``) is
traced back through the ``COPY`` lines to the repository (``image_paths``); a script the Dockerfile only names in a
comment or a ``RUN`` line is not one, and a path no ``COPY`` provides is not guessed at.
"""

from __future__ import annotations

import posixpath
from collections.abc import Mapping
from dataclasses import dataclass
from functools import partial

from redline.sources.containers.compose import ComposeProject, ComposeService
from redline.sources.containers.compose_healthcheck import compose_scripts
from redline.sources.containers.dockerfile import Dockerfile, DockerInstruction, exec_form, substitute
from redline.sources.containers.image_paths import context_sources, image_env, origin, workdir
from redline.sources.containers.script_commands import scripts_of
from redline.sources.interface import ProjectContext, ProjectOutput, ProjectSource


@dataclass(frozen=True)
class HealthcheckScript:
    """A repository file a Dockerfile's ``HEALTHCHECK`` or a compose service's ``healthcheck`` runs."""

    path: str  # repository path (relative, POSIX)
    declared_in: str  # the Dockerfile or compose file
    line: int  # the HEALTHCHECK instruction's first line, the service's ``healthcheck`` key


class HealthcheckScriptSource(ProjectSource):
    name = "docker-healthcheck-scripts"
    produces = HealthcheckScript
    needs = (Dockerfile, ComposeProject)

    def collect(self, ctx: ProjectContext) -> ProjectOutput:
        out = ProjectOutput([], [], [])
        named = [
            (dockerfile, ins, path)
            for dockerfile in ctx.facts.of(Dockerfile)
            for ins in in_force(dockerfile)
            for path in script_paths(ins, workdir(dockerfile, ins.stage), image_env(dockerfile, ins.stage))
        ]
        projects = [p for p in ctx.facts.of(ComposeProject) if any(_checks(s) for s in p.services)]
        if not named and not projects:
            return out  # most health checks run curl or wget: the tree's listing is not needed
        files = frozenset(f.path for f in ctx.files)
        folders = frozenset(parent for path in files for parent in _parents(path))
        for dockerfile, ins, image_path in named:
            found = _resolve(dockerfile, ins.stage, image_path, files, folders)
            if found is not None:
                out.facts.append(HealthcheckScript(found, dockerfile.path, ins.line))
        dockerfiles = {d.path: d for d in ctx.facts.of(Dockerfile)}
        for project in projects:
            for service, found in compose_scripts(project, dockerfiles, files):
                where = service.origin("healthcheck")[0]
                out.facts.append(HealthcheckScript(found, where, service.key_line("healthcheck")))
        return out


def _checks(service: ComposeService) -> bool:
    return isinstance(service.body.get("healthcheck"), Mapping)


def in_force(dockerfile: Dockerfile) -> list[DockerInstruction]:
    """The ``HEALTHCHECK`` each stage's image runs: the last one along its lineage (a later one replaces an
    earlier one, a stage built FROM another inherits it), each once, in file order."""
    found: dict[int, DockerInstruction] = {}
    for stage in dockerfile.stages:
        last = next(
            (hc[-1] for s in dockerfile.lineage(stage.index) if (hc := dockerfile.in_stage(s, "HEALTHCHECK"))), None
        )
        if last is not None:
            found[last.line] = last
    return [found[line] for line in sorted(found)]


def script_paths(ins: DockerInstruction, cwd: str, env: Mapping[str, str | None] | None = None) -> list[str]:
    """The absolute image paths of the scripts a ``HEALTHCHECK`` instruction's command runs (``cwd``: the
    image's working directory; ``env``: the variables the shell form's shell expands, as mealie's ``HEALTHCHECK CMD
    python $MEALIE_HOME/mealie/scripts/healthcheck.py``; no shell runs the JSON array form, so nothing expands
    there); none for ``HEALTHCHECK NONE``."""
    word, _, command = ins.arguments.strip().partition(" ")
    if word.upper() != "CMD":
        return []
    argv = exec_form(command.strip())
    run = list(argv) if argv is not None else substitute(command.strip(), env or {})
    return [posixpath.normpath(posixpath.join(cwd, s)) for s in scripts_of(run)]


def _resolve(
    dockerfile: Dockerfile, stage: int, image_path: str, files: frozenset[str], folders: frozenset[str]
) -> str | None:
    """The repository file at ``image_path``, tried in each build context the Dockerfile may be built from: its
    own folder and the folders above it (``context: ..`` with ``dockerfile: docker/Dockerfile``), those that
    hold every file and folder its ``COPY`` lines name first."""
    here = posixpath.dirname(dockerfile.path)
    contexts = [here, *_parents(here)] if here else [""]
    needed = context_sources(dockerfile)
    fitting = [c for c in contexts if all(_under(c, p) in files or _under(c, p) in folders for p in needed)]
    for context in fitting or contexts:
        found = origin(dockerfile, stage, image_path, partial(_holds, files, context))
        if found is not None:
            return _under(context, found)
    return None


def _holds(files: frozenset[str], context: str, path: str) -> bool:
    return _under(context, path) in files


def _under(context: str, path: str) -> str:
    return posixpath.join(context, path) if context and path else context or path


def _parents(path: str) -> list[str]:
    """The folders above a relative path, nearest first, ending with "" (the root)."""
    out: list[str] = []
    while path:
        path = posixpath.dirname(path)
        out.append(path)
    return out
