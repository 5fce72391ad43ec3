"""``redline audit --history``: the git-history secret scan inside the whole audit."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

from redline.cli.main import main

GHP = "ghp_URbL2F5rEY05VirPm212yfAO0N3enR8GrIvU"  # FAKE, random, in GitHub's token format


def _git(repo: Path, *args: str) -> str:
    env = {
        "GIT_AUTHOR_NAME": "Ada",
        "GIT_AUTHOR_EMAIL": "ada@example.test",
        "GIT_COMMITTER_NAME": "Ada",
        "GIT_COMMITTER_EMAIL": "ada@example.test",
        "HOME": str(repo),
        "PATH": "/usr/bin:/bin",
        "GIT_AUTHOR_DATE": "2024-02-01T10:00:00+00:00",
        "GIT_COMMITTER_DATE": "2024-02-01T10:00:00+00:00",
    }
    out = subprocess.run(["git", "-C", str(repo), *args], check=True, capture_output=True, text=True, env=env)
    return out.stdout.strip()


def _commit(repo: Path, message: str) -> str:
    _git(repo, "add", "-A")
    _git(repo, "commit", "-q", "-m", message)
    return _git(repo, "rev-parse", "HEAD")


def _audit(repo: Path, out: Path, *flags: str) -> list[dict[str, object]]:
    assert main(["audit", "-q", str(repo), "--out", str(out), "--format", "json", "--exit-zero", *flags]) == 0
    text = (out / "findings.json").read_text(encoding="utf-8")
    assert GHP not in text
    return [f for f in json.loads(text)["findings"] if str(f["rule"]).startswith("SEC")]


def _repo(tmp_path: Path) -> tuple[Path, str, str]:
    repo = tmp_path / "repo"
    repo.mkdir()
    _git(repo, "init", "-q", "-b", "main")
    (repo / "README.md").write_text("shop\n")
    first = _commit(repo, "init")
    (repo / "client.py").write_text(f'import os\nTOKEN = "{GHP}"\n')
    introduced = _commit(repo, "add client")
    (repo / "client.py").write_text('import os\nTOKEN = os.environ["TOKEN"]\n')
    _commit(repo, "read the token from the environment")
    return repo, first, introduced


def test_deleted_secret_is_found_only_with_history(tmp_path: Path) -> None:
    repo, first, introduced = _repo(tmp_path)
    assert _audit(repo, tmp_path / "plain") == []
    [finding] = _audit(repo, tmp_path / "history", "--history")
    evidence = dict(finding["evidence"])  # type: ignore[call-overload]
    assert finding["rule"] == "SEC150"  # github-pat
    assert evidence["introduced_in"] == introduced and evidence["present_at_head"] is False
    assert finding["location"] == {**finding["location"], "path": "client.py", "start_line": 2}  # type: ignore[dict-item]
    [since] = _audit(repo, tmp_path / "since", "--since", first)
    assert dict(since["evidence"])["introduced_in"] == introduced  # type: ignore[call-overload]
    assert _audit(repo, tmp_path / "late", "--since", introduced) == []


def test_secret_still_at_head_is_one_finding(tmp_path: Path) -> None:
    repo, _, introduced = _repo(tmp_path)
    (repo / "api.py").write_text(f'\n\nGITHUB = "{GHP}"\n')
    _commit(repo, "put it back")
    [finding] = _audit(repo, tmp_path / "out", "--history")  # the tree's and the history's finding merged
    evidence = dict(finding["evidence"])  # type: ignore[call-overload]
    assert evidence["introduced_in"] == introduced and evidence["present_at_head"] is True
    assert (finding["location"]["path"], finding["location"]["start_line"]) == ("api.py", 3)  # type: ignore[index]


def test_history_finding_and_name_based_finding_merge(tmp_path: Path) -> None:
    repo = tmp_path / "repo"
    repo.mkdir()
    _git(repo, "init", "-q", "-b", "main")
    key = "sk_live_4eC39HqLyjWDarjtT1zdp7dcQ2Ab9xZ1"  # FAKE, random, in Stripe's format
    (repo / "Dockerfile").write_text(f"FROM python:3.12-slim\nENV STRIPE_SECRET={key}\nUSER app\n")
    introduced = _commit(repo, "image")
    out = tmp_path / "out"
    assert (
        main(
            [
                "audit",
                "-q",
                str(repo),
                "--select",
                "SEC,DKR104",
                "--out",
                str(out),
                "--format",
                "json",
                "--exit-zero",
                "--history",
            ]
        )
        == 0
    )
    findings = json.loads((out / "findings.json").read_text(encoding="utf-8"))["findings"]
    assert [
        (f["rule"], f["location"]["start_line"], dict(f["evidence"])["also"], dict(f["evidence"])["introduced_in"])
        for f in findings
    ] == [("SEC220", 2, ["DKR104", "SEC904"], introduced)]
