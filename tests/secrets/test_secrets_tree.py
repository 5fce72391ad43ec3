"""The working-tree scan end to end: exact findings on the fixture tree, redaction in every output,
fingerprints that survive line moves, allowlists and inline suppressions."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

from conftest import FIXTURES
from redline.checks.secrets.settings import SECTION
from redline.core.config import Config, SectionSpec, parse_config
from redline.core.model import Confidence
from redline.core.result import AuditResult
from redline.report.formats import write_reports
from redline.report.interface import OutputFormat

EXPECTED = {
    ("SEC901", ".env", 3),  # DB_PASSWORD
    ("SEC901", ".env", 6),  # the password inside DATABASE_URL
    ("SEC902", ".git-credentials", 1),
    ("SEC902", ".netrc", 1),
    ("SEC902", ".npmrc", 2),  # line 3 is ${GH_PACKAGES_TOKEN}
    ("SEC902", ".pypirc", 6),
    ("SEC904", "Dockerfile", 4),  # ENV DB_PASSWORD=...; ARG without default and ENV ${...} are not
    ("SEC905", "Dockerfile", 6),  # COPY .npmrc
    ("SEC905", "Dockerfile", 8),  # COPY . takes .env and .npmrc (twice), not what .dockerignore excludes
    ("SEC495", "app/settings.py", 3),
    ("SEC498", "app/settings.py", 7),
    ("SEC496", "config/aws.ini", 2),
    ("SEC497", "config/aws.ini", 3),  # config/orphan.ini has the secret without a key id: not reported
    ("SEC903", "k8s/secret.yaml", 9),  # data (base64) with a real password; username/empty/ConfigMap are not
    ("SEC903", "k8s/secret.yaml", 12),  # stringData api-key; 'note: changeme' is not
    ("SEC499", "keys/deploy.pem", 2),
    ("SEC495", "tests/test_api.py", 2),
}

RAW_SECRETS = (
    "ghp_URbL2F5rEY05VirPm212yfAO0N3enR8GrIvU",
    "Ib2q5CVCWsrLoe",
    "ghp_Jv1kjscOrbgEOlycUA45swaSr0eeNWCYaa9y",
    "AKIAJRH33BZO62VK3NRF",
    "wjNQlXiv6LSvQUelDnKQOam3FRX3iO+BXZ0Pqqf7",
    "osMVPi21KwK0Tz",
    "tDFTaU9ywUEkon",
    "npm_aflO5xQl6APTW7uBGbioeE5MTICke7DNRZcF",
    "MBa3QBchDE9YNa",
    "Ia4gUWnobw3bqq",
    "ynYeMRPmg10MT7",
    "dzBSNDdTVkdOSDFzOU5LS0FS",
    "w0R47SVGNH1s9NKKAR",
    "dY/UpigffE0wUhR1CMlzZ1X1zXB9kS9znZIqMAHTMo7NNNZOfbP9bBQ3kZbZEGE7",
)


def _keys(result: AuditResult) -> set[tuple[str, str, int]]:
    return {(f.rule, f.location.path, f.location.start_line) for f in result.findings}


def test_fixture_tree_exact_findings(run_secrets: Callable[..., AuditResult]) -> None:
    result = run_secrets(FIXTURES / "tree")
    assert not result.errors
    assert _keys(result) == EXPECTED
    copy_lines = [f for f in result.findings if f.rule == "SEC905" and f.location.start_line == 8]
    assert sorted(f.evidence.text("file") for f in copy_lines) == [".env", ".npmrc"]


def test_confidence_lowered_in_test_paths_not_dropped(run_secrets: Callable[..., AuditResult]) -> None:
    result = run_secrets(FIXTURES / "tree")
    by_path = {f.location.path: f for f in result.findings if f.rule == "SEC495"}
    assert by_path["app/settings.py"].confidence == Confidence.HIGH
    assert by_path["tests/test_api.py"].confidence == Confidence.MEDIUM


def test_no_raw_secret_in_any_output(run_secrets: Callable[..., AuditResult], tmp_path: Path) -> None:
    result = run_secrets(FIXTURES / "tree")
    written = write_reports(result, tmp_path / "out", list(OutputFormat))
    assert {p.suffix for p in written} >= {".json", ".sarif", ".md", ".html"}
    for path in written:
        text = path.read_text(encoding="utf-8")
        for raw in RAW_SECRETS:
            assert raw not in text, f"{raw[:4]}… leaked into {path.name}"
    finding = next(f for f in result.findings if f.rule == "SEC495")
    assert finding.location.snippet == 'GITHUB_TOKEN = "ghp_…(40 chars)"'
    evidence = finding.evidence
    assert evidence["secret"] == "ghp_…(40 chars)"
    digest = evidence.text("secret_hash")
    assert digest.startswith("hmac-sha256:") and len(digest) == 12 + 32
    assert "git filter-repo" in finding.remediation and "github.com/settings/tokens" in finding.remediation


def test_fingerprint_survives_line_moves_and_depends_on_salt(
    run_secrets: Callable[..., AuditResult], tmp_path: Path
) -> None:
    root = tmp_path / "t"
    (root / "app").mkdir(parents=True)
    line = 'TOKEN = "ghp_URbL2F5rEY05VirPm212yfAO0N3enR8GrIvU"\n'
    (root / "app" / "a.py").write_text(line)
    before = run_secrets(root).findings
    (root / "app" / "a.py").write_text("import os\n\n\n# moved down\n" + line)
    after = run_secrets(root).findings
    assert [f.location.start_line for f in before] == [1] and [f.location.start_line for f in after] == [5]
    assert before[0].fingerprint == after[0].fingerprint
    salted = run_secrets(
        root, config=parse_config({"secrets": {"salt": "other"}}, "redline.toml", sections=_sections())
    ).findings
    assert salted[0].fingerprint != after[0].fingerprint
    assert dict(salted[0].evidence)["secret_hash"] != dict(after[0].evidence)["secret_hash"]


def _sections() -> list[SectionSpec[Any]]:
    return [SECTION]


def test_allowlist_inline_and_file(run_secrets: Callable[..., AuditResult], tmp_path: Path) -> None:
    root = tmp_path / "t"
    shutil.copytree(FIXTURES / "tree", root)
    first = run_secrets(root)
    target = next(f for f in first.findings if f.rule == "SEC495" and f.location.path == "app/settings.py")
    cfg = parse_config({"secrets": {"allowlist": [target.fingerprint]}}, "redline.toml", sections=_sections())
    inline = run_secrets(root, config=cfg)
    assert [f.fingerprint for f in inline.findings if f.suppressed] == [target.fingerprint]
    assert len(inline.active) == len(first.active) - 1
    (root / "allow.txt").write_text(f"# accepted: fixture token\n{target.fingerprint}  # rotated 2024-01\n")
    cfg = parse_config({"secrets": {"allowlist": "allow.txt"}}, str(root / "missing.toml"), sections=_sections())
    from_file = run_secrets(root, config=cfg)
    assert [f.fingerprint for f in from_file.findings if f.suppressed] == [target.fingerprint]


def test_inline_suppression_with_reason(run_secrets: Callable[..., AuditResult], tmp_path: Path) -> None:
    root = tmp_path / "t"
    root.mkdir()
    (root / "a.py").write_text(
        'A = "ghp_URbL2F5rEY05VirPm212yfAO0N3enR8GrIvU"  # redline: ignore[SEC495] revoked in INC-12\n'
        'B = "ghp_Jv1kjscOrbgEOlycUA45swaSr0eeNWCYaa9y"  # redline: ignore[SEC495]\n'
    )
    result = run_secrets(root)
    assert [(f.location.start_line, f.suppressed) for f in result.findings] == [(1, "revoked in INC-12"), (2, None)]


def test_include_ignored_scans_gitignored_dotenv(run_secrets: Callable[..., AuditResult], tmp_path: Path) -> None:
    root = tmp_path / "t"
    root.mkdir()
    (root / ".gitignore").write_text(".env\n")
    (root / ".env").write_text("STRIPE_SECRET=osMVPi21KwK0Tz\n")
    assert run_secrets(root).findings == ()
    found = run_secrets(root, include_ignored=True).findings
    assert [(f.rule, f.location.path, f.location.start_line) for f in found] == [("SEC901", ".env", 1)]


def test_bad_config_values_are_errors(run_secrets: Callable[..., AuditResult], tmp_path: Path) -> None:
    (tmp_path / "a.py").write_text('A = "ghp_URbL2F5rEY05VirPm212yfAO0N3enR8GrIvU"\n')
    cfg = parse_config({"secrets": {"allowlist": "nope.txt"}}, "redline.toml", sections=_sections())
    result = run_secrets(tmp_path, config=cfg)
    assert result.fatal_errors and "secrets.allowlist" in result.fatal_errors[0].reason


def test_default_config_is_used(run_secrets: Callable[..., AuditResult], tmp_path: Path) -> None:
    (tmp_path / "a.py").write_text("nothing here\n")
    assert run_secrets(tmp_path, config=Config(jobs=1)).findings == ()
