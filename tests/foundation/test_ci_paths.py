"""The one definition of CI pipeline files (synthesis/test_values) and CI files with their scripts (secrets)."""

from __future__ import annotations

import pytest

from redline.core.filekinds import CI_FILE, CI_PIPELINE

_PIPELINES = [
    ".github/workflows/ci.yml",
    "svc/.gitlab-ci.yml",
    "ci/tests.gitlab-ci.yml",  # a file .gitlab-ci.yml includes (Mayan EDMS's shape)
    ".gitlab/ci/test.yml",
    ".circleci/config.yaml",
    "azure-pipelines-release.yml",
    "bitbucket-pipelines.yml",
    ".woodpecker.yml",
    ".drone.yml",
    "Jenkinsfile",
    "Jenkinsfile.release",
    "Jenkinsfiles/nightly.groovy",
    ".travis.yml",
]
_SCRIPTS = [
    "ci/run-tests.sh",
    ".github/scripts/setup.sh",
    ".buildkite/pipeline.sh",
    "scripts/ci-python",
    "bin/run_ci.sh",
]
_NEITHER = [
    "docs/gitlab-ci.md",
    "docs/ci.md",
    "src/config.yml",
    ".github/dependabot.yml",
    "scripts/deploy.sh",
    "circleci/config.yml",
]


@pytest.mark.parametrize("path", _PIPELINES)
def test_pipeline_definitions(path: str) -> None:
    assert CI_PIPELINE.search(path)
    assert CI_FILE.search(path)


@pytest.mark.parametrize("path", _SCRIPTS)
def test_ci_scripts_are_ci_files_not_pipelines(path: str) -> None:
    assert CI_FILE.search(path)
    assert not CI_PIPELINE.search(path)


@pytest.mark.parametrize("path", _NEITHER)
def test_other_files(path: str) -> None:
    assert not CI_FILE.search(path)
