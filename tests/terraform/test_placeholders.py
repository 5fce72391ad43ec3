"""TF140 judges Lambda environment values with the one placeholder list (core.placeholders)."""

from __future__ import annotations

from pathlib import Path

from .helpers import audit, write

CHOSEN = "Tr0ub4dor&3-horse"


def _lambda(name: str, value: str) -> str:
    return (
        f'resource "aws_lambda_function" "{name}" {{\n  function_name = "{name}"\n  role = "arn"\n'
        f'  environment {{\n    variables = {{\n      DB_PASSWORD = "{value}"\n    }}\n  }}\n}}\n'
    )


def test_lambda_environment_uses_the_shared_list(tmp_path: Path) -> None:
    write(
        tmp_path,
        "main.tf",
        _lambda("real", CHOSEN)
        + _lambda("stand_in", "GOOGLE_API_KEY_VAL")
        + _lambda("described", "<password for the e2e user>"),
    )
    hits = {f.location.resource for f in audit(tmp_path).findings if f.rule == "TF140"}
    assert hits == {"aws_lambda_function.real"}
