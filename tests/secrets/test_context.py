"""Context before verdict: secrets in tests, docs, examples, fixtures, cassettes and dev/test config are
reported at low severity, tagged for their own section, and never fail the gate unless configured."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from redline.checks.secrets.report import SAMPLE_TAG
from redline.checks.secrets.ruleset import SECTION
from redline.core.config import parse_config
from redline.core.filekinds import looks_like_test_or_sample
from redline.core.model import Severity
from redline.core.result import GATE_EXEMPT_TAG, AuditResult

# a seed-rule credential (SEC495 in _engine_seed.toml), written split so no scanner reads it here
TOKEN = "ghp_" + "lJWiztlaYu16Gb9guAOeqEt3BeABegLbHiEs"


@pytest.mark.parametrize(("path", "sample"), [
    ("config/dev.exs", True), ("config/test.exs", True), ("apps/web/config/test.exs", True),
    ("config/prod.exs", False), ("config/runtime.exs", False),
    ("mysite/settings/dev.py", True), ("mysite/settings/test.py", True), ("mysite/settings/production.py", False),
    ("ci/app.test.yml", True), ("deploy/app.yml", False),
    ("spec/cassettes/stripe_charge.yml", True), ("tests_recorded/__recordings__/api_123/recording.har", True),
    ("src/vcr_cassettes/login.yaml", True), ("betamax/x.json", True),
    ("src/main/resources/application-test.yml", True), ("src/main/resources/application.yml", False),
    (".env.example", True), (".env.sample", True), (".env.template", True), (".env", False), (".env.production", False),
    ("config/environments/test.rb", True), ("config/environments/production.rb", False),
])
def test_sample_paths(path: str, sample: bool) -> None:
    assert looks_like_test_or_sample(path) is sample


def _seed_token_tree(root: Path) -> None:
    for rel in ("app/settings.py", "tests/test_api.py", "spec/cassettes/charge.yml", "docs/setup.md",
                "config/dev.exs"):
        target = root / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(f'token = "{TOKEN}"\n')


def test_sample_secrets_low_tagged_and_not_gating(tmp_path: Path, run_secrets: Callable[..., AuditResult]) -> None:
    _seed_token_tree(tmp_path)
    result = run_secrets(tmp_path)
    by_path = {f.location.path: f for f in result.findings}
    assert set(by_path) == {"app/settings.py", "tests/test_api.py", "spec/cassettes/charge.yml", "docs/setup.md",
                            "config/dev.exs"}
    real = by_path.pop("app/settings.py")
    assert real.severity == Severity.HIGH and SAMPLE_TAG not in real.tags
    for finding in by_path.values():
        assert finding.severity == Severity.LOW, finding.location.path
        assert SAMPLE_TAG in finding.tags and GATE_EXEMPT_TAG in finding.tags
    # even a gate at "low" fails only on the real one
    assert [f.location.path for f in result.gating(Severity.LOW)] == ["app/settings.py"]


def test_gate_samples_setting_lets_samples_gate(tmp_path: Path, run_secrets: Callable[..., AuditResult]) -> None:
    _seed_token_tree(tmp_path)
    cfg = parse_config({"secrets": {"gate_samples": True}, "jobs": 1}, "redline.toml", sections=[SECTION])
    result = run_secrets(tmp_path, config=cfg)
    gating = sorted(f.location.path for f in result.gating(Severity.LOW))
    assert gating == ["app/settings.py", "config/dev.exs", "docs/setup.md", "spec/cassettes/charge.yml",
                      "tests/test_api.py"]
    assert all(GATE_EXEMPT_TAG not in f.tags for f in result.findings)
