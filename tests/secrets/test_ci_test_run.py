"""A CI pipeline value under a key that names the test run (vikunja's ``VEANS_E2E_TESTING_TOKEN`` for its
end-to-end suite) is what the job hands the application it tests: the context step, not a leak. The same value
under any other key of the pipeline, or under a test-named key outside a pipeline, is judged as before."""

from __future__ import annotations

from pathlib import Path

import pytest

from redline.checks.secrets.report import CI_TEST_RUN
from redline.checks.secrets.scan import scan_blob
from redline.checks.secrets.settings import build_settings
from redline.checks.secrets.tree import SecretsFileCheck
from redline.core.config import Config

_CHECK = SecretsFileCheck()
_VALUE = "aVeryLong" + "Secret4e2e" + "SeedsTheDb9"  # built here so no scanner of this repository reads one
_WORKFLOW = f"""jobs:
  e2e:
    runs-on: ubuntu-latest
    env:
      VEANS_E2E_TESTING_TOKEN: {_VALUE}
      DEPLOY_API_TOKEN: {_VALUE}
      INTEGRATION_SECRET: {_VALUE}
      LATEST_TOKEN: {_VALUE}
"""


def _found(path: str) -> list[tuple[int, str]]:
    settings = build_settings(Config(jobs=1), Path("."))
    return [(s.line, s.context) for s in scan_blob(settings, _CHECK.core_rules, path, _WORKFLOW.encode())]


def test_a_pipeline_value_under_a_test_run_key_takes_the_context_step() -> None:
    # lines 5 and 7 name the test run (E2E/TESTING, INTEGRATION); 6 deploys; 8's LATEST is no test word
    assert _found(".github/workflows/e2e.yml") == [(5, CI_TEST_RUN), (6, ""), (7, CI_TEST_RUN), (8, "")]


@pytest.mark.parametrize("path", ["deploy/values.yml", "config/e2e.yml"])
def test_outside_a_pipeline_a_test_run_key_says_nothing(path: str) -> None:
    assert {context for _, context in _found(path)} == {""}
