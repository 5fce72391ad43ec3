"""Secret scanning checks: provider rules over the working tree and git history, credential
files, Kubernetes Secret manifests and container build context."""

from __future__ import annotations

from redline.checks.interface import Check
from redline.checks.secrets.containers import DockerSecretCheck, KubeSecretCheck
from redline.checks.secrets.history import SecretHistoryCheck
from redline.checks.secrets.tree import SecretsFileCheck


def checks() -> list[Check]:
    return [SecretsFileCheck(), SecretHistoryCheck(), KubeSecretCheck(), DockerSecretCheck()]
