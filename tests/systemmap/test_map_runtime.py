"""The running system on the map: a live PostgreSQL snapshot, traces and a cost export joined to the
components they belong to (by address, service.name, allocation tag, Terraform resource name), and what
matches nothing listed as a problem."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

from redline.checks.builtin import builtin_checks
from redline.core.config import load_config
from redline.core.map_model import Figure, SystemMap
from redline.pipeline.catalogue import load_catalogue
from redline.pipeline.run import AuditRequest, run_audit
from redline.sources.builtin import builtin_file_sources, builtin_project_sources
from redline.sources.cost.dataset import CostExportSource
from redline.sources.postgres import PostgresSource
from redline.synthesis.builtin import builtin_steps

if TYPE_CHECKING:
    from ..database.server import Server

BASE_NS = 1_700_000_000_000_000_000
_FOCUS = (
    "BilledCost,BillingCurrency,ChargePeriodStart,ChargePeriodEnd,ChargeCategory,ServiceName,ServiceCategory,"
    "ProviderName,EffectiveCost,ListCost,ResourceId,ResourceName,ResourceType,Tags"
)


def _span(n: int, name: str, start_ms: float, dur_ms: float, *, error: bool = False) -> dict[str, Any]:
    start = BASE_NS + int(start_ms * 1_000_000)
    span: dict[str, Any] = {
        "traceId": f"{n:032x}",
        "spanId": f"{n:016x}",
        "name": name,
        "kind": 2,
        "startTimeUnixNano": str(start),
        "endTimeUnixNano": str(start + int(dur_ms * 1_000_000)),
    }
    if error:
        span["status"] = {"code": 2}
    return span


def _otlp(path: Path, spans: dict[str, list[dict[str, Any]]]) -> Path:
    doc = {
        "resourceSpans": [
            {
                "resource": {"attributes": [{"key": "service.name", "value": {"stringValue": service}}]},
                "scopeSpans": [{"scope": {"name": "test"}, "spans": list_}],
            }
            for service, list_ in spans.items()
        ]
    }
    path.write_text(json.dumps(doc), encoding="utf-8")
    return path


def _row(cost: float, resource: str, service: str, day: str = "2024-09-10", tags: str = "NULL") -> str:
    return (
        f"{cost},USD,{day} 00:00:00,{day} 01:00:00,Usage,{service},Compute,AWS,{cost},{cost},"
        f"{resource},{resource},Instance,{tags}"
    )


def _system(root: Path) -> None:
    (root / "checkout").mkdir(parents=True)
    (root / "checkout" / "Dockerfile").write_text("FROM python:3.12-slim\n")
    (root / "docker-compose.yml").write_text(
        "services:\n  checkout:\n    build: ./checkout\n  db:\n    image: postgres:16\n"
    )
    (root / "infra").mkdir()
    (root / "infra" / "main.tf").write_text(
        'resource "aws_s3_bucket" "uploads" {\n  bucket = "acme-uploads"\n}\n\n'
        'resource "aws_db_instance" "orders" {\n  identifier = "orders-db"\n  engine = "mysql"\n}\n'
    )


def _traces(path: Path) -> Path:
    checkout = [
        _span(i + 1, "POST /orders", i * 250.0, dur, error=error)
        for i, (dur, error) in enumerate([(10.0, False), (20.0, False), (30.0, False), (400.0, True)])
    ]
    # recommendations is deployed nowhere in this repository
    return _otlp(path, {"checkout": checkout, "recommendations": [_span(9, "GET /recs", 0.0, 5.0)]})


def _export(path: Path) -> Path:
    tag = '"{""service"": ""checkout""}"'
    rows = [
        _row(12.5, "i-0abc", "Amazon EC2", tags=tag),
        _row(7.5, "i-0abd", "Amazon EC2", day="2024-10-03", tags=tag),
        _row(3.25, "arn:aws:s3:::acme-uploads", "Amazon S3"),
        _row(40.0, "arn:aws:rds:eu-west-1:123456789012:db:orders-db", "Amazon RDS"),
        _row(99.0, "arn:aws:s3:::someone-elses-bucket", "Amazon S3"),
    ]
    path.write_text("\n".join([_FOCUS, *rows]) + "\n", encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def joined(pg_server: Server, tmp_path_factory: pytest.TempPathFactory) -> SystemMap:
    root = tmp_path_factory.mktemp("runtime")
    _system(root)
    traces = _traces(tmp_path_factory.mktemp("traces") / "spans.json")
    export = _export(tmp_path_factory.mktemp("cost") / "focus.csv")
    cfg = root / "redline.toml"
    cfg.write_text(f'[traces]\npaths = ["{traces}"]\n')
    config = replace(load_config(cfg, load_catalogue(with_plugins=False).sections), jobs=1)
    sources = [s for s in builtin_project_sources() if not isinstance(s, PostgresSource)]
    result = run_audit(
        AuditRequest(
            root=root,
            config=config,
            checks=builtin_checks(),
            file_sources=builtin_file_sources(),
            project_sources=[*sources, PostgresSource(pg_server.url()), CostExportSource([export])],
            steps=builtin_steps(),
        )
    )
    assert result.system_map is not None
    return result.system_map


def _measured(m: SystemMap, cid: str) -> dict[str, tuple[str, dict[str, Figure]]]:
    c = m.component(cid)
    assert c is not None
    return {x.source: (x.matched_by, dict(x.figures)) for x in c.measured}


def test_traces_join_by_service_name(joined: SystemMap) -> None:
    how, figures = _measured(joined, "checkout")["traces"]
    assert how == "service.name `checkout`"
    assert (figures["requests"], figures["error rate"]) == (4, 0.25)
    assert figures["p95 (ms)"] == 344.5  # 30 + 0.85 x (400 - 30): linear between the 3rd and 4th of four
    assert figures["mean requests/s"] == 4.0  # four requests within one second
    assert "traces name 1 service(s) that are on no component: recommendations" in joined.problems


def test_cost_joins_by_tag_and_by_terraform_resource_name(joined: SystemMap) -> None:
    how, figures = _measured(joined, "checkout")["cost"]
    assert how == "allocation tag component = checkout"
    assert (figures["cost (USD)"], figures["months"], figures["cost lines"]) == (20.0, 2, 2)
    how, figures = _measured(joined, "aws_s3_bucket.uploads")["cost"]
    assert (how, figures["cost (USD)"]) == ("resource id ends with `acme-uploads` (Terraform)", 3.25)
    how, figures = _measured(joined, "aws_db_instance.orders")["cost"]
    assert (how, figures["cost (USD)"]) == ("resource id ends with `orders-db` (Terraform)", 40.0)
    assert "cost" not in _measured(joined, "db")  # someone-elses-bucket and untagged lines join nothing


def test_postgres_snapshot_joins_the_only_postgresql_component(joined: SystemMap, pg_server: Server) -> None:
    how, figures = _measured(joined, "db")["postgres"]
    assert how == f"the only PostgreSQL on the map ({pg_server.host}:{pg_server.port}/postgres)"
    version = figures["server version"]
    assert isinstance(version, int) and version // 10000 == pg_server.major
    assert isinstance(figures["tables"], int)
    assert "postgres/postgres" not in {c.id for c in joined.components}
