"""History scan on real git repositories built in tmp_path."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from conftest import git
from redline.checks.secrets import history as history_module
from redline.core.config import Config
from redline.core.result import AuditResult
from redline.sources.secrets.git import GitHistory, open_history
from redline.synthesis.overlaps import merge_history

GHP = "ghp_URbL2F5rEY05VirPm212yfAO0N3enR8GrIvU"
GHP2 = "ghp_Jv1kjscOrbgEOlycUA45swaSr0eeNWCYaa9y"


def _commit(repo: Path, message: str, date: str) -> str:
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", message, env={"GIT_AUTHOR_DATE": date, "GIT_COMMITTER_DATE": date})
    return str(git(repo, "rev-parse", "HEAD"))


def test_added_moved_deleted_is_one_finding_not_at_head(
    make_repo: Callable[[], Path], run_secrets: Callable[..., AuditResult]
) -> None:
    repo = make_repo()
    (repo / "README.md").write_text("hello\n")
    _commit(repo, "init", "2024-01-01T10:00:00+00:00")
    (repo / "app.py").write_text(f'import os\nTOKEN = "{GHP}"\n')
    introduced = _commit(repo, "add token", "2024-02-01T10:00:00+00:00")
    (repo / "pkg").mkdir()
    git(repo, "mv", "app.py", "pkg/app.py")
    (repo / "pkg" / "app.py").write_text(f'import os\n\n\nTOKEN = "{GHP}"  # moved and shifted\n')
    _commit(repo, "move", "2024-03-01T10:00:00+00:00")
    git(repo, "rm", "-q", "pkg/app.py")
    _commit(repo, "delete", "2024-04-01T10:00:00+00:00")

    result = run_secrets(repo, options={"history": True})
    assert not result.errors
    [finding] = result.findings
    evidence = finding.evidence
    assert finding.rule == "SEC495"
    assert evidence["introduced_in"] == introduced
    assert evidence["author"] == "Ada <ada@example.test>"
    assert evidence.text("date").startswith("2024-02-01")
    assert evidence["present_at_head"] is False
    assert evidence["blobs"] == 2
    assert (finding.location.path, finding.location.start_line) == ("app.py", 2)
    assert "not present at HEAD" in finding.message and GHP not in finding.message

    assert run_secrets(repo).findings == ()  # without --history the (clean) tree has nothing


def test_secret_still_at_head_merges_with_tree_finding(
    make_repo: Callable[[], Path], run_secrets: Callable[..., AuditResult]
) -> None:
    repo = make_repo()
    (repo / "a.py").write_text(f'T = "{GHP}"\n')
    first = _commit(repo, "one", "2024-01-01T10:00:00+00:00")
    (repo / "a.py").write_text(f'# header\nT = "{GHP}"\n')
    _commit(repo, "two", "2024-01-02T10:00:00+00:00")
    result = run_secrets(repo, options={"history": True})
    assert len(result.findings) == 2  # the tree's and the history's, same fingerprint
    assert len({f.fingerprint for f in result.findings}) == 1
    [merged] = merge_history(result.findings)
    evidence = dict(merged.evidence)
    assert evidence["present_at_head"] is True and evidence["introduced_in"] == first
    assert (merged.location.path, merged.location.start_line) == ("a.py", 2)


def test_every_ref_is_covered_and_each_blob_read_once(
    make_repo: Callable[[], Path], run_secrets: Callable[..., AuditResult]
) -> None:
    repo = make_repo()
    (repo / "a.txt").write_text("base\n")
    _commit(repo, "base", "2024-01-01T10:00:00+00:00")
    git(repo, "checkout", "-q", "-b", "feature")
    (repo / "b.py").write_text(f'T = "{GHP2}"\n')
    (repo / "copy.py").write_text(f'T = "{GHP2}"\n')  # the same blob at two paths
    _commit(repo, "feature", "2024-01-02T10:00:00+00:00")
    git(repo, "checkout", "-q", "main")
    git(repo, "tag", "-a", "-m", "t", "v1", "feature")
    result = run_secrets(repo, options={"history": True})
    [finding] = result.findings
    assert finding.evidence["present_at_head"] is False
    assert finding.evidence["blobs"] == 1
    history = open_history(repo)
    assert history is not None
    intro = history.introductions()
    assert len(intro) == len(set(intro)) == 2  # a.txt and the shared blob


def test_since_scans_only_later_blobs(make_repo: Callable[[], Path], run_secrets: Callable[..., AuditResult]) -> None:
    repo = make_repo()
    (repo / "old.py").write_text(f'T = "{GHP}"\n')
    base = _commit(repo, "old", "2024-01-01T10:00:00+00:00")
    git(repo, "rm", "-q", "old.py")
    (repo / "new.py").write_text(f'T = "{GHP2}"\n')
    _commit(repo, "new", "2024-01-02T10:00:00+00:00")
    everything = [
        f for f in run_secrets(repo, options={"history": True}).findings if dict(f.evidence).get("introduced_in")
    ]
    assert sorted(f.location.path for f in everything) == ["new.py", "old.py"]
    recent = [
        f
        for f in run_secrets(repo, options={"history": True, "since": base}).findings
        if dict(f.evidence).get("introduced_in")
    ]
    assert [f.location.path for f in recent] == ["new.py"]
    bad = run_secrets(repo, options={"history": True, "since": "no-such-rev"})
    assert any("unknown revision 'no-such-rev'" in e.reason for e in bad.fatal_errors)
    dashed = run_secrets(repo, options={"history": True, "since": "--all"})
    assert any("not a revision" in e.reason for e in dashed.fatal_errors)


def test_history_outside_a_repository_is_a_tool_error(tmp_path: Path, run_secrets: Callable[..., AuditResult]) -> None:
    (tmp_path / "a.py").write_text("x = 1\n")
    result = run_secrets(tmp_path, options={"history": True})
    assert any("needs a git repository" in e.reason for e in result.fatal_errors)


def test_repository_config_cannot_run_commands(
    make_repo: Callable[[], Path], tmp_path: Path, run_secrets: Callable[..., AuditResult]
) -> None:
    repo = make_repo()
    marker = tmp_path / "pwned"
    hook = f"touch {marker}"
    git(repo, "config", "core.fsmonitor", hook)
    git(repo, "config", "core.pager", hook)
    git(repo, "config", "diff.external", hook)
    (repo / ".git" / "hooks" / "post-checkout").write_text(f"#!/bin/sh\n{hook}\n")
    (repo / ".git" / "hooks" / "post-checkout").chmod(0o755)
    (repo / "a.py").write_text(f'T = "{GHP}"\n')
    git(repo, "-c", "core.fsmonitor=false", "add", "-A")
    git(repo, "-c", "core.fsmonitor=false", "commit", "-q", "--no-verify", "-m", "x")
    marker.unlink(missing_ok=True)
    result = run_secrets(repo, options={"history": True})
    assert not marker.exists()
    assert len(result.findings) == 2  # tree + history (merged by the secrets command)


def test_binary_and_oversize_blobs_are_skipped(
    make_repo: Callable[[], Path], run_secrets: Callable[..., AuditResult]
) -> None:
    repo = make_repo()
    (repo / "blob.bin").write_bytes(b"\x00\x01" + GHP.encode())
    (repo / "big.py").write_text("#" * 5000 + f'\nT = "{GHP2}"\n')
    _commit(repo, "x", "2024-01-01T10:00:00+00:00")
    git(repo, "rm", "-q", "blob.bin", "big.py")
    _commit(repo, "y", "2024-01-02T10:00:00+00:00")
    assert run_secrets(repo, options={"history": True}, config=Config(jobs=1, max_file_size=4096)).findings == ()
    found = run_secrets(repo, options={"history": True}).findings
    assert [f.location.path for f in found] == ["big.py"]


@pytest.mark.parametrize("path", ["dir with space/ü.py", "tab\tname.py"])
def test_unusual_paths(make_repo: Callable[[], Path], run_secrets: Callable[..., AuditResult], path: str) -> None:
    repo = make_repo()
    target = repo / path
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(f'T = "{GHP}"\n')
    _commit(repo, "x", "2024-01-01T10:00:00+00:00")
    git(repo, "rm", "-q", path)
    _commit(repo, "y", "2024-01-02T10:00:00+00:00")
    [finding] = run_secrets(repo, options={"history": True}).findings
    assert finding.location.path == path


def test_parallel_history_scan_matches_inline(
    make_repo: Callable[[], Path], run_secrets: Callable[..., AuditResult], monkeypatch: pytest.MonkeyPatch
) -> None:
    repo = make_repo()
    for i in range(12):
        (repo / f"f{i}.py").write_text(f"# file {i}\n" + ("x = 1\n" * i) + (f'T = "{GHP}"\n' if i % 4 == 0 else ""))
        _commit(repo, f"c{i}", f"2024-01-{i + 1:02d}T10:00:00+00:00")
    git(repo, "rm", "-q", "f0.py")
    _commit(repo, "rm", "2024-02-01T10:00:00+00:00")
    inline = run_secrets(repo, options={"history": True}, config=Config(jobs=1))
    monkeypatch.setattr(history_module, "PARALLEL_MIN_BYTES", 1)
    parallel = run_secrets(repo, options={"history": True}, config=Config(jobs=2))
    assert not parallel.errors
    hist = [f for f in parallel.findings if dict(f.evidence).get("introduced_in")]
    [finding] = hist  # one secret, in four blobs (f0, f4, f8 contents differ)
    assert finding.evidence["blobs"] == 3 and dict(finding.evidence)["introduced_path"] == "f0.py"
    assert [f.fingerprint for f in inline.findings] == [f.fingerprint for f in parallel.findings]


def test_exclude_applies_to_history_paths(
    make_repo: Callable[[], Path], run_secrets: Callable[..., AuditResult]
) -> None:
    repo = make_repo()
    (repo / "vendor").mkdir()
    (repo / "vendor" / "lib.py").write_text(f'T = "{GHP}"\n')
    (repo / "app.py").write_text(f'T = "{GHP2}"\n')
    _commit(repo, "x", "2024-01-01T10:00:00+00:00")
    git(repo, "rm", "-q", "-r", "vendor", "app.py")
    _commit(repo, "y", "2024-01-02T10:00:00+00:00")
    found = run_secrets(repo, options={"history": True}, config=Config(jobs=1, exclude=("vendor/",))).findings
    assert [f.location.path for f in found] == ["app.py"]


def test_audited_subdirectory_sees_only_its_history(
    make_repo: Callable[[], Path], run_secrets: Callable[..., AuditResult]
) -> None:
    repo = make_repo()
    (repo / "svc").mkdir()
    (repo / "svc" / "a.py").write_text(f'T = "{GHP}"\n')
    (repo / "other.py").write_text(f'T = "{GHP2}"\n')
    _commit(repo, "x", "2024-01-01T10:00:00+00:00")
    (repo / "svc" / "keep.txt").write_text("x\n")
    git(repo, "rm", "-q", "svc/a.py", "other.py")
    _commit(repo, "y", "2024-01-02T10:00:00+00:00")
    [finding] = run_secrets(repo / "svc", options={"history": True}).findings
    assert (finding.location.path, dict(finding.evidence)["introduced_path"]) == ("a.py", "a.py")


def test_history_blob_over_the_size_limit_is_listed_as_not_covered(
    make_repo: Callable[[], Path], run_secrets: Callable[..., AuditResult]
) -> None:
    repo = make_repo()
    (repo / "dump.sql").write_text("-- data\n" + "x" * 5000 + "\n")
    _commit(repo, "big", "2024-01-01T10:00:00+00:00")
    blob = git(repo, "rev-parse", "HEAD:dump.sql")
    git(repo, "rm", "-q", "dump.sql")
    _commit(repo, "gone", "2024-02-01T10:00:00+00:00")
    result = run_secrets(repo, config=Config(jobs=1, max_file_size=1000), options={"history": True})
    assert [(s.path, s.reason) for s in result.skipped] == [
        (f"git history: dump.sql@{blob[:12]}", "larger than the size limit (1,000 bytes); not scanned")
    ]


def test_open_history_names_top_level_and_prefix_from_one_git_call(
    make_repo: Callable[[], Path], tmp_path_factory: pytest.TempPathFactory
) -> None:
    repo = make_repo()
    (repo / "sub" / "deeper").mkdir(parents=True)
    top = str(repo.resolve())
    assert open_history(repo) == GitHistory(str(repo), top, "")
    assert open_history(repo / "sub" / "deeper") == GitHistory(str(repo / "sub" / "deeper"), top, "sub/deeper/")
    outside = tmp_path_factory.mktemp("not-a-repo")
    assert open_history(outside) is None
