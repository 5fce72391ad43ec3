"""Secret hashes cannot be reversed from a report: a random per-project key kept outside the reports,
and no prefix of a short secret."""

from __future__ import annotations

import hmac
import json
import os
import stat
from hashlib import sha256
from pathlib import Path

import pytest

from redline.checks.secrets.redact import DEFAULT_SALT, redact
from redline.checks.secrets.salt import salt_file
from redline.cli.main import main

from .helpers import audit, report, write

PASSWORD = "Summer2024!"


def _tree(tmp_path: Path) -> Path:
    src = tmp_path / "src"
    write(src, "config/.env", f"DATABASE_URL=postgres://app:{PASSWORD}@db.internal:5432/app\n")
    return src


def _secret_findings(out: Path) -> list[dict[str, object]]:
    return [f for f in report(out)["findings"] if str(f["rule"]).startswith("SEC")]


def test_short_secrets_show_no_prefix() -> None:
    assert redact(PASSWORD) == "…(11 chars)"
    assert redact("ghp_" + "a" * 36) == "ghp_…(40 chars)"


def test_hash_is_keyed_by_a_private_per_project_salt(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("REDLINE_CONFIG_DIR", str(tmp_path / "config"))
    monkeypatch.delenv("REDLINE_SECRET_SALT", raising=False)
    src, out = _tree(tmp_path), tmp_path / "out"
    audit(src, out, "--exit-zero")
    [finding] = _secret_findings(out)
    evidence = dict(finding["evidence"])  # type: ignore[call-overload]
    public = hmac.new(DEFAULT_SALT.encode(), PASSWORD.encode(), sha256).hexdigest()[:32]
    assert evidence["secret_hash"] != f"hmac-sha256:{public}"
    path = salt_file(src)
    salt = path.read_text().strip()
    assert len(salt) == 64 and stat.S_IMODE(path.stat().st_mode) == 0o600
    assert (
        evidence["secret_hash"] == "hmac-sha256:" + hmac.new(salt.encode(), PASSWORD.encode(), sha256).hexdigest()[:32]
    )
    assert not path.is_relative_to(src) and not path.is_relative_to(out)
    every_output = b"".join(p.read_bytes() for p in out.iterdir())
    assert salt.encode() not in every_output and b"Summer" not in every_output and b"Su\xe2\x80\xa6" not in every_output


def test_fingerprints_are_stable_across_runs(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("REDLINE_CONFIG_DIR", str(tmp_path / "config"))
    src = _tree(tmp_path)
    audit(src, tmp_path / "a", "--exit-zero")
    audit(src, tmp_path / "b", "--exit-zero")
    assert [f["fingerprint"] for f in _secret_findings(tmp_path / "a")] == [
        f["fingerprint"] for f in _secret_findings(tmp_path / "b")
    ]


def test_two_projects_get_different_salts(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("REDLINE_CONFIG_DIR", str(tmp_path / "config"))
    one, two = _tree(tmp_path / "one"), _tree(tmp_path / "two")
    audit(one, tmp_path / "a", "--exit-zero")
    audit(two, tmp_path / "b", "--exit-zero")
    assert salt_file(one).read_text() != salt_file(two).read_text()
    assert _secret_findings(tmp_path / "a")[0]["fingerprint"] != _secret_findings(tmp_path / "b")[0]["fingerprint"]


def test_configured_salt_wins_and_env_salt_serves_ci(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("REDLINE_CONFIG_DIR", str(tmp_path / "config"))
    src = _tree(tmp_path)
    monkeypatch.setenv("REDLINE_SECRET_SALT", "ci-secret-variable")
    audit(src, tmp_path / "env", "--exit-zero")
    assert not salt_file(src).exists()
    expected = hmac.new(b"ci-secret-variable", PASSWORD.encode(), sha256).hexdigest()[:32]
    evidence = dict(_secret_findings(tmp_path / "env")[0]["evidence"])  # type: ignore[call-overload]
    assert evidence["secret_hash"] == f"hmac-sha256:{expected}"


def test_unwritable_config_dir_still_audits_and_says_why(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    blocker = write(tmp_path, "not-a-dir", "x")  # a file where the folder should be: unwritable for root too
    monkeypatch.setenv("REDLINE_CONFIG_DIR", str(blocker / "redline"))
    src = _tree(tmp_path)
    assert main(["audit", str(src), "--out", str(tmp_path / "out"), "--exit-zero"]) == 0
    assert "cannot store the secret-hash salt" in capsys.readouterr().err
    assert len(_secret_findings(tmp_path / "out")) == 1
    assert os.path.isfile(blocker)
    assert json.dumps(report(tmp_path / "out")).count(PASSWORD) == 0
