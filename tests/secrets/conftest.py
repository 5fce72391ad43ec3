"""Fixtures for the secret engine tests: the seed rules, a scanner, and a pipeline runner."""

from __future__ import annotations

import subprocess
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from redline.checks.interface import Check
from redline.checks.secrets.containers import DockerSecretCheck, KubeSecretCheck
from redline.checks.secrets.engine import SecretScanner
from redline.checks.secrets.history import SecretHistoryCheck
from redline.checks.secrets.ruleset import SecretRule, load_seed_rules
from redline.checks.secrets.tree import SecretsFileCheck
from redline.core.config import Config
from redline.core.result import AuditResult
from redline.pipeline.run import AuditRequest, run_audit
from redline.sources.builtin import builtin_file_sources, builtin_project_sources

FIXTURES = Path(__file__).parent / "fixtures"


@pytest.fixture(scope="session")
def seed_rules() -> tuple[SecretRule, ...]:
    return load_seed_rules()


@pytest.fixture(scope="session", params=["hyperscan", "re"])
def scanner(request: pytest.FixtureRequest, seed_rules: tuple[SecretRule, ...]) -> SecretScanner:
    """Every engine test runs on both engines: their answers must be identical."""
    return SecretScanner(seed_rules, use_hyperscan=request.param == "hyperscan")


@pytest.fixture()
def run_secrets(seed_rules: tuple[SecretRule, ...]) -> Callable[..., AuditResult]:
    def run(
        root: Path,
        *,
        config: Config | None = None,
        options: dict[str, Any] | None = None,
        include_ignored: bool = False,
    ) -> AuditResult:
        checks: list[Check] = [
            SecretsFileCheck(seed_rules),
            SecretHistoryCheck(seed_rules),
            KubeSecretCheck(),
            DockerSecretCheck(),
        ]
        req = AuditRequest(
            root=root,
            config=config or Config(jobs=1),
            checks=list(checks),
            file_sources=builtin_file_sources(),
            project_sources=builtin_project_sources(),
            options=dict(options or {}),
            include_ignored=include_ignored,
        )
        return run_audit(req)

    return run


def git(repo: Path, *args: str, env: dict[str, str] | None = None) -> str:
    base = {
        "GIT_AUTHOR_NAME": "Ada",
        "GIT_AUTHOR_EMAIL": "ada@example.test",
        "GIT_COMMITTER_NAME": "Ada",
        "GIT_COMMITTER_EMAIL": "ada@example.test",
        "HOME": str(repo),
        "PATH": "/usr/bin:/bin",
    }
    out = subprocess.run(
        ["git", "-C", str(repo), *args], check=True, capture_output=True, text=True, env={**base, **(env or {})}
    )
    return out.stdout.strip()


@pytest.fixture()
def make_repo(tmp_path: Path) -> Callable[[], Path]:
    def make() -> Path:
        repo = tmp_path / "repo"
        repo.mkdir()
        git(repo, "init", "-q", "-b", "main")
        return repo

    return make
