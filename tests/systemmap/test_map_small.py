"""The map of a small system written for the test: compose + Kubernetes + Terraform + Dockerfiles + env
DSNs + CODEOWNERS. Exact components, flows, zones, colours and the file:line of every claim."""

from __future__ import annotations

from pathlib import Path

import pytest

from redline.core.map_model import Colour, Kind, SystemMap, Tri, Zone

from .helpers import FIXTURES, system_map

ROOT = FIXTURES / "map_small"


@pytest.fixture(scope="module")
def small() -> SystemMap:
    return system_map(ROOT)


def test_components_kinds_zones_and_colours(small: SystemMap) -> None:
    got = {c.id: (c.kind, c.zone, c.colour) for c in small.components}
    assert got == {
        "api": (Kind.SERVICE, Zone.INTERNAL, Colour.CORE),
        "worker": (Kind.SERVICE, Zone.INTERNAL, Colour.CORE),
        "db": (Kind.DATASTORE, Zone.DATA, Colour.RISKY),
        "cache": (Kind.CACHE, Zone.DATA, Colour.THIRD_PARTY),
        "aws_s3_bucket.uploads": (Kind.OBJECT_STORE, Zone.DATA, Colour.THIRD_PARTY),
        "aws_sqs_queue.jobs": (Kind.QUEUE, Zone.DATA, Colour.THIRD_PARTY),
        "broker.internal.example.net": (Kind.QUEUE, Zone.THIRD_PARTY, Colour.THIRD_PARTY),
        "stripe": (Kind.EXTERNAL_API, Zone.THIRD_PARTY, Colour.THIRD_PARTY),
        "recommendations": (Kind.UNKNOWN, Zone.INTERNAL, Colour.UNKNOWN),
        "migrate": (Kind.SERVICE, Zone.INTERNAL, Colour.UNKNOWN),
        "ingress/web": (Kind.EDGE, Zone.EDGE, Colour.CORE),
        "internet": (Kind.INTERNET, Zone.INTERNET, Colour.THIRD_PARTY),
    }


def test_one_real_thing_seen_from_several_sources_is_one_component(small: SystemMap) -> None:
    api = small.component("api")
    assert api is not None
    assert [str(s) for s in api.seen] == [
        "api/Dockerfile:1",
        "docker-compose.yml:2",
        "k8s/api.yaml:1",
        "k8s/api.yaml:21",
    ]
    assert api.aliases == ("api-public",)  # the K8s Service, matched to the Deployment by selector
    assert api.base_images == ("python:3.12-slim",)
    assert api.owners == ("@acme/checkout",)
    worker = small.component("worker")
    assert worker is not None and worker.owners == ("@acme/jobs",)
    db = small.component("db")
    assert db is not None and db.technology == "postgresql" and db.owners == ("@acme/platform",)


def test_flows_with_protocol_port_and_where_each_was_read(small: SystemMap) -> None:
    got = {(f.source, f.target): (f.protocol, f.port, [str(s) for s in f.seen]) for f in small.flows}
    assert got == {
        ("api", "db"): ("postgresql", 5432, ["docker-compose.yml:2", "docker-compose.yml:4", "k8s/api.yaml:18"]),
        ("api", "cache"): ("redis", 6379, ["docker-compose.yml:2", "docker-compose.yml:4"]),
        ("api", "recommendations"): ("", 8080, ["docker-compose.yml:4"]),
        ("api", "stripe"): ("http", 443, ["docker-compose.yml:4"]),
        ("worker", "db"): ("postgresql", None, ["docker-compose.yml:16"]),
        ("worker", "broker.internal.example.net"): ("rabbitmq", 5671, ["docker-compose.yml:18"]),
        ("worker", "api"): ("", 8080, ["k8s/worker.yaml:18"]),  # the NetworkPolicy
        ("ingress/web", "api"): ("http", 443, ["k8s/api.yaml:33"]),
        ("internet", "api"): ("", None, ["docker-compose.yml:2", "k8s/api.yaml:21"]),
        ("internet", "db"): ("postgresql", None, ["docker-compose.yml:23"]),
        ("internet", "ingress/web"): ("", None, ["k8s/api.yaml:33"]),
    }
    by = {f.key: f for f in small.flows}
    assert by[("api", "stripe")].crosses and by[("api", "stripe")].encrypted == Tri.YES
    assert by[("api", "db")].authenticated == Tri.YES  # a user in the DSN
    assert not by[("worker", "api")].crosses


def test_loopback_port_is_not_exposure_and_exposure_names_its_line(small: SystemMap) -> None:
    cache, db = small.component("cache"), small.component("db")
    assert cache is not None and cache.exposure == ()
    assert db is not None
    assert [(how, str(s)) for how, s in db.exposure] == [("published port 5432 -> 5432", "docker-compose.yml:23")]


def test_unknowns_become_probes_with_where_seen(small: SystemMap) -> None:
    got = {p.component: (p.question, [str(s) for s in p.seen]) for p in small.probes}
    assert set(got) == {"recommendations", "migrate"}
    question, where = got["recommendations"]
    assert "`RECOMMENDATIONS_SERVICE_ADDR`" in question and "no manifest deploys it" in question
    assert where == ["docker-compose.yml:4"]
    assert got["migrate"][1] == ["tools/migrate/Dockerfile:1"]


def test_findings_name_their_component(tmp_path: Path) -> None:
    from .helpers import audit

    result = audit(ROOT)
    on_db = [f for f in result.findings if f.location.path == "docker-compose.yml" and f.rule == "CMP104"]
    assert on_db and all(f.component == "db" for f in on_db)
    assert all(f.component for f in result.findings if f.location.path.startswith(("api/", "worker/", "k8s/")))
