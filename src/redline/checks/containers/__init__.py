"""Checks: Kubernetes, Dockerfile and compose hardening, resilience and runtime tuning."""

from __future__ import annotations

from redline.checks.containers.compose_checks import ComposeCheck
from redline.checks.containers.dockerfiles import DockerfileCheck
from redline.checks.containers.kube_cluster import KubeClusterCheck
from redline.checks.containers.kube_objects import KubeObjectCheck
from redline.checks.containers.kube_pods import KubePodSecurityCheck
from redline.checks.containers.runtime import RuntimeTuningCheck
from redline.checks.interface import Check


def checks() -> list[Check]:
    return [
        KubePodSecurityCheck(),
        KubeObjectCheck(),
        KubeClusterCheck(),
        DockerfileCheck(),
        ComposeCheck(),
        RuntimeTuningCheck(),
    ]
