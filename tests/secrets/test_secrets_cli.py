"""``redline secrets``: exit codes, outputs, user rules from redline.toml, --history/--since."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest

from conftest import git
from redline.cli.main import main

TOKEN = "acme_q8w7e6r5t4y3u2i1o9p8a7s6"
USER_RULES = """
[secrets]
salt = "team-salt"

[[secrets.rules]]
id = "acme-key"
provider = "Acme"
summary = "Acme API key"
keywords = ["acme_"]
pattern = '\\b(?P<secret>acme_[a-z0-9]{24})\\b'
severity = "medium"
"""


def _run(*argv: str) -> int:
    return main(["secrets", "-q", *argv])


def _findings(out: Path) -> list[dict[str, object]]:
    return list(json.loads((out / "findings.json").read_text())["findings"])


def test_user_rule_findings_and_gate(tmp_path: Path) -> None:
    root = tmp_path / "proj"
    root.mkdir()
    (root / "redline.toml").write_text(USER_RULES)
    (root / "client.py").write_text(f'API = "{TOKEN}"\n')
    out = tmp_path / "out"
    assert _run(str(root), "--out", str(out), "--format", "json", "--format", "sarif", "--fail-on", "medium") == 1
    [finding] = _findings(out)
    assert finding["rule"] == "SEC999" and finding["severity"] == "medium"
    assert "rule acme-key" in str(finding["message"])
    for path in out.iterdir():
        assert TOKEN not in path.read_text()
    assert sorted(p.name for p in out.iterdir()) == [".redline-manifest.json", "findings.json", "findings.sarif"]
    assert _run(str(root), "--out", str(out), "--format", "json") == 0  # medium is below the default gate (high)
    assert _run(str(root), "--out", str(out), "--format", "json", "--fail-on", "low", "--exit-zero") == 0


def test_clean_tree_exits_zero_and_only_secret_rules_run(tmp_path: Path) -> None:
    (tmp_path / "app.py").write_text("import requests\nrequests.get('https://x.test')\n")  # a RES101 finding
    out = tmp_path / "out"
    assert _run(str(tmp_path), "--out", str(out), "--format", "json") == 0
    assert _findings(out) == []


def test_dotenv_is_found_by_default(tmp_path: Path) -> None:
    (tmp_path / ".env").write_text("DB_PASSWORD=osMVPi21KwK0Tz\n")
    out = tmp_path / "out"
    assert _run(str(tmp_path), "--out", str(out), "--format", "json") == 1
    assert [(f["rule"], f["location"]["path"]) for f in _findings(out)] == [("SEC901", ".env")]  # type: ignore[index]
    (tmp_path / ".env").write_text("DEBUG=1\nDB_PASSWORD=${DB_PASSWORD}\n")
    assert _run(str(tmp_path), "--out", str(out), "--format", "json") == 0


@pytest.mark.parametrize(
    ("toml", "message"),
    [
        ('[secrets]\ncolour = "red"\n', "secrets.colour"),
        (
            '[[secrets.rules]]\nid = "x"\nprovider = "p"\nsummary = "s"\npattern = "(x)"\nseverity = "high"\n',
            "exactly one named group",
        ),
    ],
)
def test_bad_config_exits_two(tmp_path: Path, toml: str, message: str, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "redline.toml").write_text(toml)
    (tmp_path / "a.py").write_text("x = 1\n")
    out = tmp_path / "out"
    assert _run(str(tmp_path), "--out", str(out), "--format", "json") == 2
    assert message in capsys.readouterr().err


def test_history_flags(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    plain = tmp_path / "plain"
    plain.mkdir()
    out = tmp_path / "out"
    assert _run(str(plain), "--history", "--out", str(out), "--format", "json") == 2
    assert "needs a git repository" in capsys.readouterr().err
    repo = tmp_path / "repo"
    repo.mkdir()
    git(repo, "init", "-q", "-b", "main")
    (repo / ".env").write_text("DB_PASSWORD=osMVPi21KwK0Tz\n")
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "x")
    assert _run(str(repo), "--since", "nope", "--out", str(out), "--format", "json") == 2
    assert "unknown revision" in capsys.readouterr().err
    assert _run(str(repo), "--history", "--out", str(out), "--format", "json") == 1
    [finding] = _findings(out)  # tree and history merged into one
    assert finding["evidence"]["present_at_head"] is True  # type: ignore[index]
    assert finding["evidence"]["introduced_in"] == git(repo, "rev-parse", "HEAD")  # type: ignore[index]


def test_verify_options_are_checked(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "out"
    assert _run(str(tmp_path), "--verify-endpoint", "github=http://127.0.0.1:9", "--out", str(out)) == 2
    assert "needs --verify" in capsys.readouterr().err
    assert _run(str(tmp_path), "--verify", "--verify-endpoint", "github", "--out", str(out)) == 2
    (tmp_path / "redline.toml").write_text("[secrets]\nverify = false\n")
    assert _run(str(tmp_path), "--verify", "--out", str(out)) == 2
    assert "forbids --verify" in capsys.readouterr().err


def test_listed_in_rules_command(capsys: pytest.CaptureFixture[str], run_secrets: Callable[..., object]) -> None:
    assert main(["rules"]) == 0
    text = capsys.readouterr().out
    for code in ("SEC901", "SEC902", "SEC903", "SEC904", "SEC905", "SEC999"):
        assert code in text


def test_config_include_ignored(tmp_path: Path) -> None:
    (tmp_path / ".gitignore").write_text(".env\n")
    (tmp_path / ".env").write_text("DB_PASSWORD=osMVPi21KwK0Tz\n")
    out = tmp_path / "out"
    assert _run(str(tmp_path), "--out", str(out), "--format", "json") == 0
    (tmp_path / "redline.toml").write_text("[secrets]\ninclude_ignored = true\n")
    assert _run(str(tmp_path), "--out", str(out), "--format", "json") == 1
    assert [f["location"]["path"] for f in _findings(out)] == [".env"]  # type: ignore[index]


def test_nothing_printed_or_logged_holds_a_secret(tmp_path: Path, capfd: pytest.CaptureFixture[str]) -> None:
    root = tmp_path / "repo"
    root.mkdir()
    git(root, "init", "-q", "-b", "main")
    secret = "osMVPi21KwK0Tz"
    (root / ".env").write_text(f"DB_PASSWORD={secret}\n")
    (root / "redline.toml").write_text(USER_RULES)
    (root / "c.py").write_text(f'K = "{TOKEN}"\n')
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "x")
    out = tmp_path / "out"
    code = main(["secrets", "-vv", str(root), "--history", "--out", str(out)])
    assert code == 1
    printed = capfd.readouterr()
    for raw in (secret, TOKEN):
        assert raw not in printed.out and raw not in printed.err
        for path in out.iterdir():
            assert raw not in path.read_text(encoding="utf-8")
    assert sorted(p.name for p in out.iterdir()) == [
        ".redline-manifest.json",
        "findings.json",
        "findings.sarif",
        "plan.md",
        "report.html",
        "summary.md",
    ]
