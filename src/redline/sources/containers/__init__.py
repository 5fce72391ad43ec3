"""Sources: Kubernetes manifests, Dockerfiles (their build contexts, health-check scripts and the bake targets that
build them), compose files, Procfiles and the shell scripts that start a JVM."""

from __future__ import annotations

from redline.sources.containers.bake import BakeSource
from redline.sources.containers.build_context import BuildContextSource
from redline.sources.containers.compose import ComposeSource
from redline.sources.containers.dockerfile import DockerfileSource
from redline.sources.containers.healthcheck import HealthcheckScriptSource
from redline.sources.containers.kubernetes import KubernetesSource
from redline.sources.containers.procfile import ProcfileSource
from redline.sources.containers.scripts import ShellScriptSource
from redline.sources.interface import FileSource, ProjectSource


def file_sources() -> list[FileSource]:
    return [KubernetesSource(), DockerfileSource(), ShellScriptSource(), ProcfileSource()]


def project_sources() -> list[ProjectSource]:
    return [ComposeSource(), BuildContextSource(), HealthcheckScriptSource(), BakeSource()]
