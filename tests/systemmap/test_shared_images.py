"""One image-reference splitter and one known-images table for the container checks, the end-of-life data
and the map (they had drifted: ``bitnami/postgresql`` was unknown to the map)."""

from __future__ import annotations

import tomllib
from importlib import resources

import pytest

from redline.checks.containers.common import split_image
from redline.core.images import parse_image
from redline.core.known_images import repository, table, technologies, technology_of
from redline.core.map_model import Kind
from redline.sources.eol.products import split_image as eol_split
from redline.synthesis.map.classify import image_repo, image_tech


@pytest.mark.parametrize(
    ("image", "views"),
    [
        (
            "postgres:16",
            (
                "postgres",
                "16",
                "",
                "postgres",
                "library/postgres",
                "postgres",
            ),
        ),
        (
            "docker.io/library/postgres:16",
            (
                "docker.io/library/postgres",
                "16",
                "",
                "postgres",
                "library/postgres",
                "postgres",
            ),
        ),
        (
            "bitnami/postgresql",
            (
                "bitnami/postgresql",
                "",
                "",
                "bitnami/postgresql",
                "bitnami/postgresql",
                "postgresql",
            ),
        ),
        (
            "localhost:5000/team/app:1@sha256:ab",
            (
                "localhost:5000/team/app",
                "1",
                "sha256:ab",
                "localhost:5000/team/app",
                "team/app",
                "app",
            ),
        ),
        (
            "quay.io/prometheus/prometheus:v3",
            (
                "quay.io/prometheus/prometheus",
                "v3",
                "",
                "quay.io/prometheus/prometheus",
                "prometheus/prometheus",
                "prometheus",
            ),
        ),
        (
            "mcr.microsoft.com/dotnet/aspnet:7.0",
            (
                "mcr.microsoft.com/dotnet/aspnet",
                "7.0",
                "",
                "mcr.microsoft.com/dotnet/aspnet",
                "dotnet/aspnet",
                "aspnet",
            ),
        ),
        (
            "gcr.io/P/Redis@sha256:00",
            (
                "gcr.io/P/Redis",
                "",
                "sha256:00",
                "gcr.io/p/redis",
                "p/redis",
                "redis",
            ),
        ),
    ],
)
def test_one_splitter_three_views(image: str, views: tuple[str, str, str, str, str, str]) -> None:
    written, tag, digest, repo, hub, name = views
    ref = parse_image(image)
    assert (ref.written, ref.tag, ref.digest, ref.repository, ref.hub_path, ref.name) == (
        written,
        tag,
        digest,
        repo,
        hub,
        name,
    )
    assert split_image(image) == (written, tag, digest)  # container checks
    assert eol_split(image) == (hub, tag)  # end-of-life data
    assert image_repo(image) == name  # the map
    assert repository(image) == repo  # the known-images table


def test_every_stateful_image_of_the_table_is_a_technology_on_the_map() -> None:
    missing = [
        pattern
        for row in table()
        if row.stateful
        for pattern in row.match
        if not any(ch in pattern for ch in "*?[") and technology_of(pattern.rsplit("/", 1)[-1]) is None
    ]
    assert missing == []


@pytest.mark.parametrize(
    ("image", "expected"),
    [
        ("bitnami/postgresql:16", ("postgresql", Kind.DATASTORE)),
        ("bitnami/etcd:3.5", ("etcd", Kind.DATASTORE)),
        ("confluentinc/cp-server:7.6.0", ("kafka", Kind.QUEUE)),
        ("redis/redis-stack:latest", ("redis", Kind.CACHE)),
        ("valkey-cart", ("valkey", Kind.CACHE)),  # a component named like one
        ("prometheuscommunity/postgres-exporter:v0.15.0", None),  # a tool beside postgres, not postgres
        ("rediscommander/redis-commander", None),
        ("registry.example.com/shop:1.4.0", None),
    ],
)
def test_map_technology_from_the_shared_table(image: str, expected: tuple[str, Kind] | None) -> None:
    assert image_tech(image) == expected


def test_no_technology_name_is_claimed_twice() -> None:
    text = resources.files("redline.core").joinpath("known_images.toml").read_text(encoding="utf-8")
    names = [n for row in tomllib.loads(text)["technology"] for n in row["names"]]
    assert len(names) == len(set(names)) == len(technologies())
