"""``redline init`` writes valid files and never overwrites; the repository's pre-commit hook is valid."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from redline.cli.main import main
from redline.cli.scaffold import FILES
from redline.core.config import load_config
from redline.core.plan import PLAN_SECTION
from redline.core.policy import POLICY_SECTION
from redline.core.priority import SCORING_SECTION
from redline.pipeline.catalogue import load_catalogue
from redline.store.settings import DEFAULT_SLA_DAYS, HISTORY_SECTION


def test_init_writes_every_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["init", str(tmp_path)]) == 0
    assert sorted(str(p.relative_to(tmp_path)) for p in tmp_path.rglob("*") if p.is_file()) == sorted(
        rel for rel, _, _ in FILES
    )
    assert capsys.readouterr().out.count("  wrote   ") == len(FILES)
    sections = [*load_catalogue().sections, HISTORY_SECTION, SCORING_SECTION, POLICY_SECTION, PLAN_SECTION]
    config = load_config(tmp_path / "redline.toml", sections)  # the commented defaults are the defaults
    assert config.settings(HISTORY_SECTION).sla_days == DEFAULT_SLA_DAYS
    workflow = yaml.safe_load((tmp_path / ".github/workflows/redline.yml").read_text())
    steps = workflow["jobs"]["audit"]["steps"]
    assert any(s.get("uses", "").startswith("github/codeql-action/upload-sarif") for s in steps)
    assert any("GITHUB_STEP_SUMMARY" in s.get("run", "") for s in steps)
    gitlab = yaml.safe_load((tmp_path / ".gitlab/redline.gitlab-ci.yml").read_text())
    assert gitlab["redline"]["artifacts"]["reports"]["junit"] == "redline-report/gate.xml"
    template = (tmp_path / ".github/pull_request_template.md").read_text()
    for section in ("## Performance budget", "## Threat notes", "## Test-data volume"):
        assert section in template


def test_init_never_overwrites(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "redline.toml").write_text("fail_on = 'critical'\n")
    assert main(["init", str(tmp_path)]) == 0
    assert (tmp_path / "redline.toml").read_text() == "fail_on = 'critical'\n"
    assert "  kept    redline.toml (exists; not overwritten)" in capsys.readouterr().out
    assert main(["init", str(tmp_path)]) == 0
    assert capsys.readouterr().out.count("  kept    ") == len(FILES)


def test_pre_commit_hook_is_valid(repo_root: Path) -> None:
    (hook,) = yaml.safe_load((repo_root / ".pre-commit-hooks.yaml").read_text())
    assert hook["id"] == "redline-secrets" and hook["language"] == "python"
    assert hook["entry"].split()[:2] == ["redline", "secrets"]
    assert main([*hook["entry"].split()[1:], "--help"]) == 0
