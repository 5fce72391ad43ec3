"""examples/shop on the map: every colour, at least one probe, findings on their components."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from redline.core.config import Config
from redline.core.map_model import Colour, SystemMap
from redline.core.result import AuditResult
from redline.sources.eol.settings import EOL_SECTION, EolSettings

from .helpers import audit

SHOP = Path(__file__).resolve().parents[2] / "examples" / "shop"


@pytest.fixture(scope="module")
def shop(shared_data: Path) -> AuditResult:
    config = Config(jobs=1).with_settings(EOL_SECTION, EolSettings(str(shared_data / "eol"), date(2026, 1, 1)))
    return audit(SHOP, config)


def _map(result: AuditResult) -> SystemMap:
    assert result.system_map is not None
    return result.system_map


def test_every_colour_with_its_reason(shop: AuditResult) -> None:
    colours = {c.id: c.colour for c in _map(shop).components}
    assert colours["orders"] == Colour.RISKY  # privileged, critical/high findings
    assert colours["postgres"] == Colour.RISKY  # published on all interfaces
    assert colours["sales-report"] == Colour.LEGACY  # built FROM python:3.8
    assert colours["warehouse"] == Colour.UNKNOWN  # WAREHOUSE_URL points at nothing deployed
    assert colours["aws_s3_bucket.receipts"] == Colour.THIRD_PARTY  # a managed service
    assert colours["notifications"] == Colour.CORE
    assert set(colours.values()) == set(Colour)
    report = _map(shop).component("sales-report")
    assert report is not None
    legacy = [r for r in report.reasons if r.colour == Colour.LEGACY]
    assert [(r.why, [str(s) for s in r.seen]) for r in legacy] == [
        (
            "`python:3.8.18-slim-bookworm@sha256:4a3e1c2b0f9d8e7a6b5c4d3e2f1a0b9c8d7e6f5a4b3c2d1e0f9a8b7c6d5e4f3a` is "
            "Python 3.8, end of life since 2024-10-07",
            ["jobs/sales-report/Dockerfile:2"],
        )
    ]


def test_probe_names_the_variable_and_where(shop: AuditResult) -> None:
    probes = _map(shop).probes
    assert [(p.component, [str(s) for s in p.seen]) for p in probes] == [
        ("warehouse", ["deploy/k8s/sales-report.yaml:29"])
    ]
    assert "`WAREHOUSE_URL`" in probes[0].question and "CronJob `sales-report`" in probes[0].question


def test_components_and_flows_of_the_shop(shop: AuditResult) -> None:
    m = _map(shop)
    assert {c.id for c in m.components} >= {
        "orders",
        "orders-consumer",
        "payments",
        "notifications",
        "postgres",
        "redis",
        "rabbitmq",
        "web",
        "sales-report",
        "warehouse",
        "internet",
    }
    flows = {(f.source, f.target): (f.protocol, f.port) for f in m.flows}
    assert flows[("orders", "postgres")] == ("postgresql", 5432)
    assert flows[("orders", "payments")] == ("http", 8080)
    assert flows[("notifications", "rabbitmq")] == ("rabbitmq", 5672)
    assert flows[("sales-report", "warehouse")] == ("postgresql", 5432)
    assert ("internet", "postgres") in flows and ("internet", "payments") not in flows  # loopback only


def test_every_finding_in_a_deployed_file_names_its_component(shop: AuditResult) -> None:
    placed = [
        f
        for f in shop.findings
        if f.location.path.startswith(("services/", "deploy/k8s/", "jobs/")) or f.location.path == "docker-compose.yml"
    ]
    assert placed and [f for f in placed if not f.component] == []
    eol = [f for f in shop.findings if f.rule == "EOL101"]
    assert [(f.location.path, f.location.start_line, f.component) for f in eol] == [
        ("docker-compose.yml", 25, "rabbitmq"),
        ("docker-compose.yml", 81, "web"),
        ("jobs/sales-report/Dockerfile", 2, "sales-report"),
    ]


def test_code_clients_each_on_the_component_that_runs_them(shop: AuditResult) -> None:
    code = {
        (f.source, f.target): sorted(str(s) for s in f.seen if s.path.endswith(".py"))
        for f in _map(shop).flows
        if any(s.path.endswith(".py") for s in f.seen)
    }
    assert code == {
        ("orders", "postgres"): ["services/orders/app/db.py:42"],
        ("orders", "redis"): ["services/orders/app/cache.py:8"],
        # `python -m app.consumer`: the consumer and the db module it imports, not the API's cache
        ("orders-consumer", "postgres"): ["services/orders/app/db.py:42"],
        ("orders-consumer", "rabbitmq"): ["services/orders/app/consumer.py:21"],
        ("payments", "stripe"): ["services/payments/payments/gateway.py:28"],
    }
    # receipts.py's boto3 S3 client could be either bucket Terraform defines: no flow, and the map says why
    assert any("`payments` uses a aws s3 client and 2 components" in p for p in _map(shop).problems)


def test_repudiation_and_console_threats(shop: AuditResult) -> None:
    assert shop.threats is not None
    got = {
        (t.element, str(t.category), str(t.status))
        for t in shop.threats.threats
        if "state-changing route" in t.title or "is reachable from outside the network and" in t.title
    }
    assert got == {
        ("orders", "R", "open"),  # POST /orders/<int:order_id>/checkout, no audit trail
        ("payments", "R", "open"),  # POST /charges
        ("rabbitmq", "S", "mitigated"),  # management UI published, asks for a login
    }
