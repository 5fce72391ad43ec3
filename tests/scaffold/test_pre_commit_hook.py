"""The shipped pre-commit hook scans only the staged files it is given, in a real git repository: a
secret in a staged file blocks the commit, one in an unstaged or untracked file does not (and is never
read), and a file outside the tree or deleted is listed as not covered."""

from __future__ import annotations

import json
import os
import shlex
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from redline.cli.main import main

#: built at run time so the repository itself holds no live-looking token
TOKEN = "ghp_" + "lJWiztlaYu16Gb9guAOeqEt3BeABegLbHiEs"
REPO = Path(__file__).resolve().parents[2]


def _git(repo: Path, *args: str) -> str:
    env = {**os.environ, "GIT_CONFIG_GLOBAL": os.devnull, "GIT_CONFIG_NOSYSTEM": "1"}
    proc = subprocess.run(["git", "-C", str(repo), *args], capture_output=True, text=True, env=env, check=False)
    assert proc.returncode == 0 or args[0] == "commit", proc.stderr
    return proc.stdout + proc.stderr


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    repo = tmp_path / "repo"
    repo.mkdir()
    _git(repo, "init", "-q", "-b", "main")
    _git(repo, "config", "user.email", "dev@example.test")
    _git(repo, "config", "user.name", "dev")
    (repo / "README.md").write_text("hello\n")
    _git(repo, "add", "README.md")
    _git(repo, "commit", "-q", "-m", "start")
    (repo / "clean.py").write_text("print('nothing to see')\n")
    (repo / "leak.py").write_text(f'TOKEN = "{TOKEN}"\n')
    (repo / "untracked.py").write_text(f'OTHER = "{TOKEN}"\n')
    return repo


def _hook_argv() -> list[str]:
    (hook,) = yaml.safe_load((REPO / ".pre-commit-hooks.yaml").read_text())
    assert hook["pass_filenames"] is True and hook["entry"].endswith("--files")
    return shlex.split(hook["entry"])[1:]  # without the leading "redline"


def _install_git_hook(repo: Path, out: Path) -> None:
    """What pre-commit does: run the hook's entry with the staged file names appended."""
    argv = [a if a != ".redline/pre-commit" else str(out) for a in _hook_argv()]
    hook = repo / ".git" / "hooks" / "pre-commit"
    hook.write_text(
        "#!/bin/sh\n"
        f"exec {shlex.quote(sys.executable)} -m redline {' '.join(map(shlex.quote, argv))} "
        "$(git diff --cached --name-only --diff-filter=ACMR)\n"
    )
    hook.chmod(0o755)


def test_a_staged_secret_blocks_the_commit_an_unstaged_one_does_not(repo: Path, tmp_path: Path) -> None:
    out = tmp_path / "hook-out"
    _install_git_hook(repo, out)
    _git(repo, "add", "clean.py")
    assert "1 file changed" in _git(repo, "commit", "-m", "clean only")  # leak.py and untracked.py not staged
    _git(repo, "add", "leak.py")
    refused = _git(repo, "commit", "-m", "with the leak")
    assert "1 file changed" not in refused and _git(repo, "log", "--format=%s") == "clean only\nstart\n"
    summary = (out / "summary.md").read_text()
    assert "leak.py:1" in summary and "untracked.py" not in summary and TOKEN not in summary


def test_only_the_given_files_are_read(repo: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(repo)
    out = tmp_path / "out"
    code = main(["secrets", "--quiet", "--format", "json", "--out", str(out), "--files", "leak.py", "clean.py"])
    assert code == 1
    doc = json.loads((out / "findings.json").read_text())
    assert {f["location"]["path"] for f in doc["findings"]} == {"leak.py"}
    assert doc["summary"]["files_scanned"] == 2  # not README.md, not untracked.py
    assert main(["secrets", "--quiet", "--format", "json", "--out", str(out), "--files", "clean.py"]) == 0


def test_missing_and_outside_files_are_not_covered(repo: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(repo)
    outside = tmp_path / "elsewhere.py"
    outside.write_text(f'X = "{TOKEN}"\n')
    out = tmp_path / "out"
    argv = ["secrets", "--quiet", "--format", "json", "--out", str(out), "--files", "gone.py", str(outside), "clean.py"]
    assert main(argv) == 0
    doc = json.loads((out / "findings.json").read_text())
    assert doc["findings"] == []
    assert {(n["path"], n["reason"]) for n in doc["not_covered"]} == {
        ("gone.py", "not found (deleted or renamed)"),
        (str(outside), "outside the audited tree"),
    }
