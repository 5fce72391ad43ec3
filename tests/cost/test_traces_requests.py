"""Cost per request with the request volume taken from traces (``redline cost --traces``): the server spans
of the real instrumented shop (tests/traces/shop_app.py) per service, tenant and route per day."""

from __future__ import annotations

import json
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path

import pytest

from redline.cli.main import main
from redline.sources.cost.dataset import load_dataset
from redline.sources.cost.measures import feature_costs, per_request_by_component, tenant_costs
from redline.sources.cost.settings import CostSettings
from redline.sources.traces.requests import daily_server_requests
from redline.sources.traces.store import ingest
from traces.exports import write_otlp_lines_gz, write_zipkin
from traces.shop_app import TENANTS, ShopTraces, drive_shop

from .exports import focus_row, write_focus

ROUTES = ("/orders", "/orders/eager", "/product/<int:pid>", "/cart", "/checkout", "/health")


@pytest.fixture(scope="module")
def shop(tmp_path_factory: pytest.TempPathFactory) -> ShopTraces:
    return drive_shop(tmp_path_factory.mktemp("shop") / "shop.db")


def _day(shop: ShopTraces) -> str:
    first = min(s.start_time or 0 for s in shop.spans)
    return datetime.fromtimestamp(first / 1e9, UTC).strftime("%Y-%m-%d")


def _export(tmp_path: Path, day: str) -> Path:
    rows = [
        focus_row(27.0, day=day, resource="i-shop", tags={"application": "shop"}),
        focus_row(9.0, day=day, resource="bucket-acme", tags={"application": "shop", "tenant": "acme"}),
    ]
    return write_focus(tmp_path / "focus.csv", rows)


def test_server_spans_become_requests_per_service_tenant_route_and_day(shop: ShopTraces, tmp_path: Path) -> None:
    store = ingest([write_otlp_lines_gz(shop.spans, tmp_path / "spans.jsonl.gz")])
    got = daily_server_requests(store)
    expected = Counter(
        (_day(shop), "shop", tenant, f"GET {route}") for tenant in TENANTS for route in ROUTES
    )  # counted independently: three rounds of six endpoints, one server span each
    assert {(d, s, t, r): n for d, s, t, r, n in got} == {k: float(v) for k, v in expected.items()}
    server_spans = [s for s in shop.spans if s.kind.name == "SERVER"]
    assert sum(n for *_, n in got) == len(server_spans) == 18


def test_cost_per_request_and_per_tenant_from_traces(shop: ShopTraces, tmp_path: Path) -> None:
    day = _day(shop)
    traces = write_zipkin(shop.spans, tmp_path / "zipkin.json")
    ds = load_dataset([_export(tmp_path, day)], [], CostSettings(), [traces])
    assert not ds.problems and ds.request_sources == (str(traces),)
    (per,) = per_request_by_component(ds)
    assert (per.subject, per.requests, per.cost) == ("shop", 18.0, 36.0)
    assert per.per_request == pytest.approx(2.0)
    # acme: its own bucket (9) + 12 of 18 requests of the untagged 27; globex: 6 of 18
    assert tenant_costs(ds) == {
        ("USD", day[:7], "shop", "acme"): pytest.approx(9.0 + 27.0 * 12 / 18),
        ("USD", day[:7], "shop", "globex"): pytest.approx(27.0 * 6 / 18),
    }


def test_features_match_the_routes_of_the_server_spans(shop: ShopTraces, tmp_path: Path) -> None:
    day = _day(shop)
    traces = write_otlp_lines_gz(shop.spans, tmp_path / "spans.jsonl.gz")
    settings = CostSettings(features={"ordering": ("GET /orders", "GET /orders/eager"), "buying": ("GET /checkout",)})
    ds = load_dataset([_export(tmp_path, day)], [], settings, [traces])
    got = feature_costs(ds)
    assert got[("USD", day[:7], "ordering")] == pytest.approx(36.0 * 6 / 18)
    assert got[("USD", day[:7], "buying")] == pytest.approx(36.0 * 3 / 18)


def test_cost_command_takes_requests_from_traces(
    shop: ShopTraces, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    traces = write_otlp_lines_gz(shop.spans, tmp_path / "spans.jsonl.gz")
    out = tmp_path / "out"
    assert main(["cost", str(_export(tmp_path, _day(shop))), "--traces", str(traces), "--out", str(out), "-q"]) == 0
    doc = json.loads((out / "cost.json").read_text(encoding="utf-8"))
    (shop_row,) = [c for c in doc["components"] if c["component"] == "shop"]
    assert (shop_row["requests"], shop_row["cost_per_request"]) == (18.0, 2.0)


def test_traces_without_server_spans_are_not_covered(shop: ShopTraces, tmp_path: Path) -> None:
    clients = [s for s in shop.spans if s.kind.name != "SERVER"]
    traces = write_otlp_lines_gz(clients, tmp_path / "clients.jsonl.gz")
    bad = tmp_path / "broken.json"
    bad.write_text('{"resourceSpans": [', encoding="utf-8")
    ds = load_dataset([_export(tmp_path, _day(shop))], [], CostSettings(), [traces, bad])
    assert ds.requests == ()
    reasons = dict(ds.problems)
    assert reasons[str(bad)].startswith("invalid JSON")
    assert reasons[str(traces)] == "no server spans in these traces: no request counts from them"


def test_audit_with_cost_and_traces_counts_requests_from_the_traces(shop: ShopTraces, tmp_path: Path) -> None:
    tree = tmp_path / "tree"
    tree.mkdir()
    traces = write_otlp_lines_gz(shop.spans, tmp_path / "spans.jsonl.gz")
    export = _export(tmp_path, _day(shop))
    out = tmp_path / "out"
    args = ["audit", str(tree), "--cost", str(export), "--traces", str(traces), "--out", str(out), "-q", "--exit-zero"]
    assert main([*args, "--format", "json"]) == 0
    doc = json.loads((out / "cost.json").read_text(encoding="utf-8"))
    (shop_row,) = [c for c in doc["components"] if c["component"] == "shop"]
    assert (shop_row["requests"], shop_row["cost_per_request"]) == (18.0, 2.0)
