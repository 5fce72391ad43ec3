"""``COPY .`` takes the build context's ``.env`` into the image: reported only when that file holds
something secret and the stage ships; its severity follows what it holds."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from redline.core.model import Severity
from redline.core.result import AuditResult

PW = "osMVPi21" + "KwK0Tz"  # a random fake, split so no scanner reads it here
REAL = f"PORT=3000\nSTRIPE_WEBHOOK_SECRET={PW}\n"
SINGLE = 'FROM node:22\nWORKDIR /app\nCOPY . /app\nCMD ["node", "server.js"]\n'
BUILDER_SELECTIVE = (
    "FROM node:22 AS build\nWORKDIR /src\nCOPY . /src\nRUN npm ci && npm run build\n"
    "FROM nginx:1.27\nCOPY --from=build /src/dist /usr/share/nginx/html\n"
)
BUILDER_WHOLESALE = (
    "FROM node:22 AS build\nWORKDIR /src\nCOPY . /src\nRUN npm ci\nFROM node:22-slim\nCOPY --from=build /src /app\n"
)
BUILDER_INHERITED = 'FROM node:22 AS base\nCOPY . /app\nFROM base AS final\nCMD ["node", "app.js"]\n'


def _copy_findings(root: Path, run: Callable[..., AuditResult]) -> list[tuple[int, Severity]]:
    return sorted((f.location.start_line, f.severity) for f in run(root).findings if f.rule == "SEC905")


@pytest.mark.parametrize(
    ("dockerfile", "env", "expected"),
    [
        (SINGLE, "PORT=3000\nNODE_ENV=production\nAPI_URL=http://api:8080\n", []),  # nothing secret in it
        (SINGLE, "DATABASE_PASSWORD=${DATABASE_PASSWORD}\nAPI_KEY=\n", []),  # references and empty values
        (SINGLE, REAL, [(3, Severity.HIGH)]),
        (SINGLE, "POSTGRES_USER=postgres\nPOSTGRES_PASSWORD=postgres\n", [(3, Severity.LOW)]),  # only a default
        (BUILDER_SELECTIVE, REAL, []),  # the builder's output is copied selectively: the .env never ships
        (BUILDER_WHOLESALE, REAL, [(3, Severity.HIGH)]),  # the whole /src reaches the final image
        (BUILDER_INHERITED, REAL, [(2, Severity.HIGH)]),  # the final stage is built FROM the stage that copied it
    ],
)
def test_copy_dot_judges_content_and_stage(
    tmp_path: Path,
    run_secrets: Callable[..., AuditResult],
    dockerfile: str,
    env: str,
    expected: list[tuple[int, Severity]],
) -> None:
    (tmp_path / "Dockerfile").write_text(dockerfile)
    (tmp_path / ".env").write_text(env)
    assert _copy_findings(tmp_path, run_secrets) == expected


def test_dockerignored_env_is_not_copied(tmp_path: Path, run_secrets: Callable[..., AuditResult]) -> None:
    (tmp_path / "Dockerfile").write_text(SINGLE)
    (tmp_path / ".env").write_text(REAL)
    (tmp_path / ".dockerignore").write_text(".env\n")
    assert _copy_findings(tmp_path, run_secrets) == []


def test_dockerfile_env_default_password_is_low(tmp_path: Path, run_secrets: Callable[..., AuditResult]) -> None:
    (tmp_path / "Dockerfile").write_text(f"FROM postgres:16\nENV POSTGRES_PASSWORD=postgres\nENV DB_PASSWORD={PW}\n")
    found = sorted((f.location.start_line, f.severity) for f in run_secrets(tmp_path).findings if f.rule == "SEC904")
    assert found == [(2, Severity.LOW), (3, Severity.HIGH)]
