"""ARG instructions read as Docker reads them: a quoted default with spaces is one value, not more ARG names."""

from __future__ import annotations

import pytest

from redline.sources.containers.dockerfile import arg_pairs, parse_dockerfile

from .helpers import FIXTURES, run

ARGS = FIXTURES / "arg_values"


def test_only_credential_named_args_fire_not_words_of_a_quoted_value() -> None:
    # jumpserver's ``ARG TOOLS="cron … sshpass …"`` (lines 4-8), a global package list (line 1), a single-quoted value
    # (line 10) and an unclosed quote (line 12) hold `sshpass` and `libsecret-1-0` as words, not as ARG names
    got = {(f.rule, f.location.path, f.location.start_line, f.evidence.text("variable")) for f in run(ARGS, "DKR")}
    assert got == {
        ("DKR104", "Dockerfile", 2, "DB_PASSWORD"),
        ("DKR104", "Dockerfile", 9, "GITHUB_TOKEN"),
        ("DKR104", "Dockerfile", 10, "NPM_TOKEN"),
    }


def test_global_args_keep_quoted_values_whole() -> None:
    df = parse_dockerfile("Dockerfile", (ARGS / "Dockerfile").read_text())
    assert df.global_args == {
        "TOOLS_GLOBAL": "sshpass libsecret-1-0",
        "BASE": "python:3.12-slim",
        "DB_PASSWORD": "changeme",
    }
    assert df.stages[0].image == "python:3.12-slim"
    tools = next(i for i in df.instructions if i.cmd == "ARG" and i.line == 4)
    assert arg_pairs(tools.arguments) == [("TOOLS", " cron openssh-client sshpass docker-cli")]  # continuations joined


@pytest.mark.parametrize(
    ("args", "pairs"),
    [
        ("A", [("A", None)]),
        ("A=1 B=2", [("A", "1"), ("B", "2")]),
        ('A="two words" B', [("A", "two words"), ("B", None)]),
        ("A='x y'", [("A", "x y")]),
        ("A=", [("A", "")]),
        ('A="unclosed value', [("A", "unclosed value")]),
        ("A='x \"y", [("A", 'x "y')]),
        ("A=${B:-b} C=$D", [("A", "${B:-b}"), ("C", "$D")]),
        ("", []),
    ],
)
def test_arg_pairs(args: str, pairs: list[tuple[str, str | None]]) -> None:
    assert arg_pairs(args) == pairs


def test_arg_pairs_never_raises() -> None:
    for args in ("\\", "A=\\", "'", '"', "A=\"'", "= =", "A=b\\"):
        assert isinstance(arg_pairs(args), list)
