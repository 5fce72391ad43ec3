"""A CI pipeline's copy of a credential that a test file also holds is the test run's value (outline's ci.yml and
.env.test share SECRET_KEY): lowered like the test file's copy. A value only the pipeline holds, and a copy outside
CI pipelines, keep their place in the main list."""

from __future__ import annotations

from pathlib import Path

from audit_helpers import audit_catalogue
from redline.core.context import is_in_context
from redline.core.model import Severity
from redline.core.result import AuditResult

# assembled so that no scanner reading this file sees a value
_TEST_KEY = "F0E5AD933D7F6FD8" + "F4DBB3E038C501C0"
_DEPLOY_KEY = "9b1c7e2a4d6f8h0j" + "Kq3Lm5Np7Rs9Tv2W"


def _audit(root: Path) -> AuditResult:
    """Every built-in check and step: the secret checks judge each file, the step sees them together."""
    result: AuditResult = audit_catalogue(root)
    return result


def _write(root: Path, files: dict[str, str]) -> None:
    for rel, text in files.items():
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_text(text)


def test_a_pipelines_copy_of_a_test_files_value_is_the_test_runs(tmp_path: Path) -> None:
    _write(
        tmp_path,
        {
            ".env.test": f"NODE_ENV=test\nSECRET_KEY={_TEST_KEY}\n",
            ".github/workflows/ci.yml": f"env:\n  NODE_ENV: test\n  SECRET_KEY: {_TEST_KEY}\n",
            ".github/workflows/deploy.yml": f"env:\n  SECRET_KEY: {_DEPLOY_KEY}\n",
            "deploy/values.yaml": f"app:\n  secret_key: {_TEST_KEY}\n",
        },
    )
    found = {(f.location.path, f.location.start_line): f for f in _audit(tmp_path).findings if f.rule.startswith("SEC")}
    assert sorted(found) == [
        (".env.test", 2),
        (".github/workflows/ci.yml", 3),
        (".github/workflows/deploy.yml", 2),
        ("deploy/values.yaml", 2),
    ]
    ci = found[(".github/workflows/ci.yml", 3)]
    assert is_in_context(ci) and ci.severity == Severity.LOW
    assert ci.group == found[(".env.test", 2)].group and ci.group.startswith("secret:sample:")
    assert "the test run's value" in ci.message
    assert not is_in_context(found[(".github/workflows/deploy.yml", 2)])  # only the pipeline holds it
    assert not is_in_context(found[("deploy/values.yaml", 2)])  # the same value outside a pipeline: still a leak
