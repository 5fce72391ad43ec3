"""Every source, fed garbage under every file name it claims: the run never crashes (no fatal error),
and every file it could not read is named with a reason."""

from __future__ import annotations

import random
from pathlib import Path

import pytest

from audit_helpers import cli_audit as audit
from audit_helpers import cli_report as report

from .helpers import write

NAMES = [
    "main.tf",
    "vars.tfvars",
    "stack.tf.json",
    "plan.tfplan.json",
    "Dockerfile",
    "api.dockerfile",
    "docker-compose.yml",
    "compose.override.yaml",
    "k8s/deploy.yaml",
    "k8s/list.yml",
    ".env",
    ".npmrc",
    ".pypirc",
    ".netrc",
    "requirements.txt",
    "requirements-dev.txt",
    "pyproject.toml",
    "poetry.lock",
    "Pipfile.lock",
    "uv.lock",
    "pdm.lock",
    "pylock.toml",
    "package.json",
    "package-lock.json",
    "npm-shrinkwrap.json",
    "yarn.lock",
    "pnpm-lock.yaml",
    "bun.lock",
    "go.mod",
    "go.sum",
    "Cargo.lock",
    "Gemfile.lock",
    "composer.lock",
    "pom.xml",
    "gradle.lockfile",
    "packages.lock.json",
    "app.py",
    "settings.json",
    "config.toml",
]

GARBAGE = [
    "{{{ [[[ :::: \x7f \\u0000 }}}",  # brackets of every kind, unbalanced
    "apiVersion: v1\nkind: [unclosed\n",  # broken YAML/JSON-ish
    '{"lockfileVersion": 99, "packages": 3}',  # a well-formed document of the wrong shape
    'resource "aws_s3_bucket" {\n  bucket = \n',  # truncated HCL
    "- - - !!python/object/apply:os.system ['true']\n",  # a YAML tag that must never be constructed
    "a: &a [*a, *a]\n",  # a recursive alias
]


@pytest.mark.parametrize("garbage", range(len(GARBAGE)))
def test_garbage_under_every_name_never_crashes(tmp_path: Path, garbage: int) -> None:
    src = tmp_path / "src"
    for name in NAMES:
        write(src, name, GARBAGE[garbage])
    out = tmp_path / "out"
    code = audit(src, out, "--exit-zero")
    doc = report(out)
    assert [e for e in doc["errors"] if e["fatal"]] == [], "a source or check crashed on bad input"
    assert code == 0


def test_random_bytes_never_crash(tmp_path: Path) -> None:
    rng = random.Random(20261128)
    src = tmp_path / "src"
    src.mkdir()
    for i, name in enumerate(NAMES):
        target = src / f"d{i}" / name
        target.parent.mkdir(parents=True, exist_ok=True)
        # printable-ish noise without NUL so every reader really parses it
        target.write_bytes(bytes(rng.choice(range(1, 256)) for _ in range(rng.randint(0, 3000))))
    out = tmp_path / "out"
    assert audit(src, out, "--exit-zero") == 0
    assert [e for e in report(out)["errors"] if e["fatal"]] == []


def test_each_unparsable_manifest_is_named(tmp_path: Path) -> None:
    src = tmp_path / "src"
    for name in ("package-lock.json", "poetry.lock", "main.tf", "k8s/deploy.yaml", "Cargo.lock"):
        write(src, name, "{{{ not [ valid")
    out = tmp_path / "out"
    audit(src, out, "--exit-zero")
    doc = report(out)
    named = {e["where"] for e in doc["errors"]} | {s["path"] for s in doc["not_covered"]}
    for name in ("package-lock.json", "poetry.lock", "main.tf", "Cargo.lock"):
        assert name in named, name
