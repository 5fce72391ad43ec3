"""The repository's scripts a compose service's ``healthcheck.test`` runs: Compose kills the check at its
``timeout`` (30 s when none is given), as Docker does a Dockerfile's ``HEALTHCHECK``.

The script's path in the container is traced back to the repository through a bind mount of the service
(``./probe.py:/probe.py``) or, for a service that builds, through its Dockerfile's ``COPY`` lines from the build
context the service names (``image_paths``). A relative path is relative to the service's ``working_dir``, else to
the image's ``WORKDIR``. A service whose image is pulled and whose script is not mounted is not traced.
"""

from __future__ import annotations

import posixpath
from collections.abc import Iterator, Mapping
from typing import Any

from redline.sources.containers.compose import ComposeProject, ComposeService
from redline.sources.containers.compose_dev import volume_source, volume_target
from redline.sources.containers.dockerfile import Dockerfile
from redline.sources.containers.image_paths import origin, workdir
from redline.sources.containers.script_commands import scripts_run, shell_commands


def compose_scripts(
    project: ComposeProject,
    dockerfiles: Mapping[str, Dockerfile],
    files: frozenset[str],
) -> Iterator[tuple[ComposeService, str]]:
    """(service, repository path) for each script a service's health check runs that the repository holds."""
    for service in project.services:
        words = _test_commands(service.body.get("healthcheck"))
        if not words:
            continue
        built = _built_image(service, dockerfiles)
        cwd = str(service.body.get("working_dir") or (workdir(*built) if built else "/"))
        for command in words:
            for written in scripts_run(command):
                image_path = posixpath.normpath(posixpath.join(cwd, written))
                found = _mounted(service, image_path, files) or _copied(service, built, image_path, files)
                if found is not None:
                    yield service, found


def _test_commands(healthcheck: Any) -> list[list[str]]:
    """``test: ["CMD", "python", "probe.py"]``, ``["CMD-SHELL", "…"]`` or a string (run by the shell); none when
    the check is disabled (``disable: true``, ``["NONE"]``)."""
    if not isinstance(healthcheck, Mapping) or healthcheck.get("disable") is True:
        return []
    test = healthcheck.get("test")
    if isinstance(test, str):
        return shell_commands(test)
    if not isinstance(test, list) or not test or not all(isinstance(w, str) for w in test):
        return []
    if test[0] == "CMD":
        return [list(test[1:])] if len(test) > 1 else []
    if test[0] == "CMD-SHELL" and len(test) == 2:
        return shell_commands(test[1])
    return []


def _built_image(service: ComposeService, dockerfiles: Mapping[str, Dockerfile]) -> tuple[Dockerfile, int] | None:
    """The Dockerfile a service builds and the stage it targets (``build.target``, else the last)."""
    path = service.dockerfile_path
    dockerfile = dockerfiles.get(path) if path else None
    if dockerfile is None or not dockerfile.stages:
        return None
    build = service.body.get("build")
    target = str(build.get("target", "")).lower() if isinstance(build, Mapping) else ""
    stage = next((s.index for s in dockerfile.stages if target and s.name == target), dockerfile.stages[-1].index)
    return dockerfile, stage


def _copied(
    service: ComposeService, built: tuple[Dockerfile, int] | None, image_path: str, files: frozenset[str]
) -> str | None:
    if built is None:
        return None
    directory = service.build_directory
    root = _relative(directory) if directory is not None else None
    if root is None:
        return None
    found = origin(*built, image_path, lambda path: _relative(posixpath.join(root, path)) in files)
    return None if found is None else _relative(posixpath.join(root, found))


def _mounted(service: ComposeService, image_path: str, files: frozenset[str]) -> str | None:
    """The repository file a bind mount puts at ``image_path`` (``./probe.py:/probe.py``, or a folder mounted
    above it); named volumes and read-only flags change nothing."""
    volumes = service.body.get("volumes")
    for entry in volumes if isinstance(volumes, list) else []:
        source, target = volume_source(entry), volume_target(entry)
        if not source.startswith((".", "/")) or not target:
            continue
        target = posixpath.normpath(target)
        if image_path == target:
            rel = ""
        elif image_path.startswith(target.rstrip("/") + "/"):
            rel = image_path[len(target.rstrip("/")) + 1 :]
        else:
            continue
        host = _relative(posixpath.join(service.directory, source, rel))
        if host is not None and host in files:
            return host
    return None


def _relative(path: str) -> str | None:
    """A repository path from one joined onto the compose folder; None when it leaves the repository."""
    normal = posixpath.normpath(path)
    if normal.startswith(("/", "..")):
        return None
    return "" if normal == "." else normal
