"""EOL101 over real endoflife.date data: true positives with their dates, and look-alikes that must not fire."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from audit_helpers import audit_with
from redline.checks.eol import checks
from redline.core.config import Config
from redline.core.result import AuditResult
from redline.sources.eol.products import EolData, parse_product, split_image
from redline.sources.eol.settings import EOL_SECTION, EolSettings

FIXTURES = Path(__file__).parent / "fixtures"


def _run(root: Path, data_dir: str) -> AuditResult:
    config = Config(jobs=1).with_settings(EOL_SECTION, EolSettings(data_dir, date(2026, 1, 1)))
    result: AuditResult = audit_with(root, checks(), config)
    return result


def test_eol_images_are_reported_with_their_date(shared_data: Path) -> None:
    result = _run(FIXTURES / "images", str(shared_data / "eol"))
    got = {(f.location.path, f.location.start_line, f.message) for f in result.findings}
    assert got == {
        ("app/Dockerfile", 5, "`python:3.8-slim` is Python 3.8, end of life since 2024-10-07"),
        ("docker-compose.yml", 2, "`postgres:9.6` is PostgreSQL 9.6, end of life since 2021-11-11"),
        (
            "k8s/deploy.yaml",
            9,
            "`mcr.microsoft.com/dotnet/aspnet:7.0` is Microsoft .NET 7, end of life since 2024-05-14",
        ),
        ("k8s/deploy.yaml", 11, "`alpine:3.8` is Alpine Linux 3.8, end of life since 2020-05-01"),
    }
    assert {f.group for f in result.findings} == {
        "eol:python:3.8",
        "eol:postgresql:9.6",
        "eol:dotnet:7",
        "eol:alpine-linux:3.8",
    }


def test_missing_data_is_listed_not_covered(tmp_path: Path) -> None:
    result = _run(FIXTURES / "images", str(tmp_path / "nowhere"))
    assert not result.findings
    assert any("end-of-life data not found" in s.reason for s in result.skipped)


def test_bad_product_file_is_named_and_the_run_goes_on(tmp_path: Path, shared_data: Path) -> None:
    products = tmp_path / "eol" / "products"
    products.mkdir(parents=True)
    (products / "python.md").write_text((shared_data / "eol/products/python.md").read_text())
    (products / "broken.md").write_text("---\nreleases: [unclosed\n---\n")
    result = _run(FIXTURES / "images", str(tmp_path / "eol"))
    assert [f.location.path for f in result.findings] == ["app/Dockerfile"]
    assert any(e.where.endswith("broken.md") for e in result.errors)


@pytest.mark.parametrize(
    ("image", "repo", "tag"),
    [
        ("python:3.8-slim", "library/python", "3.8-slim"),
        ("mcr.microsoft.com/dotnet/aspnet:7.0", "dotnet/aspnet", "7.0"),
        ("localhost:5000/team/app", "team/app", ""),
        ("bitnami/postgresql:11@sha256:abc", "bitnami/postgresql", "11"),
    ],
)
def test_split_image(image: str, repo: str, tag: str) -> None:
    assert split_image(image) == (repo, tag)


def test_release_cycle_is_the_longest_numeric_prefix() -> None:
    text = (
        "---\ntitle: Node.js\nidentifiers:\n  - purl: pkg:docker/library/node\nreleases:\n"
        '  - releaseCycle: "18"\n    eol: 2025-04-30\n  - releaseCycle: "1"\n    eol: true\n---\n'
    )
    product = parse_product("nodejs", text)
    assert product is not None
    data = EolData((product,), date(2026, 1, 1), "x")
    found = data.for_image("node:18.20.1-alpine")
    assert found is not None and found[1].cycle == "18" and data.is_eol(found[1])
    assert data.for_image("node:180") is None and data.for_image("node:lts") is None
