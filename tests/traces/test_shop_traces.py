"""Real traces from a real instrumented app (``shop_app``): the detectors find exactly the problems
built into it — and nothing on the clean endpoints — whichever format the spans were exported in."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from opentelemetry.sdk.trace import ReadableSpan

from redline.core.config import parse_config
from redline.pipeline.traces import TracesRun, run_traces
from redline.sources.traces.settings import SLO_SECTION, TRACES_SECTION

from . import exports
from .shop_app import ShopTraces, drive_shop

Writer = Callable[[Sequence[ReadableSpan], Path], Path]
FORMATS: dict[str, tuple[Writer, str]] = {
    "otlp-base64": (exports.write_otlp_json, "traces.json"),
    "otlp-lines-gzip": (exports.write_otlp_lines_gz, "collector.jsonl.gz"),
    "jaeger": (exports.write_jaeger, "jaeger.json"),
    "zipkin": (exports.write_zipkin, "zipkin.json"),
}


@pytest.fixture(scope="module")
def shop(tmp_path_factory: pytest.TempPathFactory) -> ShopTraces:
    return drive_shop(tmp_path_factory.mktemp("shop") / "shop.db")


def _run(shop: ShopTraces, tmp_path: Path, fmt: str) -> TracesRun:
    writer, name = FORMATS[fmt]
    path = writer(shop.spans, tmp_path / name)
    # SQLite answers in microseconds, a networked database in milliseconds: the total-time floor of the
    # N+1 rule is lowered so that the in-process database shows the pattern the same way.
    config = parse_config(
        {"traces": {"n_plus_one_min_total_ms": 0.05}}, "test.toml", sections=[TRACES_SECTION, SLO_SECTION]
    )
    return run_traces([path], config)


def _netloc(url: str) -> str:
    return urlsplit(url).netloc


@pytest.mark.parametrize("fmt", sorted(FORMATS))
def test_exactly_the_built_in_problems_are_found(shop: ShopTraces, tmp_path: Path, fmt: str) -> None:
    run = _run(shop, tmp_path, fmt)
    stock, price = _netloc(shop.stock_url), _netloc(shop.price_url)
    found = {(f.rule, f.location.resource) for f in run.result.findings}
    assert found == {
        ("TRC101", "shop GET /orders"),
        ("TRC102", f"shop GET /cart -> {price} /price/{{id}}"),
        ("TRC103", f"shop GET /product/<int:pid> -> {stock} /stock/{{id}} | {price} /price/{{id}}"),
        ("TRC104", "shop GET /checkout -> api.payments-vendor.example"),
    }
    assert not run.result.errors and not run.result.skipped
    assert run.span_count == len(shop.spans) and run.trace_count == 18


def test_findings_name_the_traces_and_spans_that_show_them(shop: ShopTraces, tmp_path: Path) -> None:
    run = _run(shop, tmp_path, "otlp-base64")
    by_rule = {f.rule: f for f in run.result.findings}
    orders_traces = {f"{s.context.trace_id:032x}" for s in shop.spans if s.name == "GET /orders"}
    n1 = by_rule["TRC101"]
    assert set(n1.evidence.strings("trace_ids")) <= orders_traces and n1.evidence.number("traces") == 3
    assert n1.evidence.number("median_count") == 30  # one SELECT per order, 30 orders
    assert "customers.id = ?" in n1.evidence.text("statement")
    customer_spans = {
        f"{s.context.span_id:016x}"
        for s in shop.spans
        if "FROM customers" in str((s.attributes or {}).get("db.statement", ""))
    }
    assert set(n1.evidence.strings("span_ids")) <= customer_spans
    saving = by_rule["TRC103"].evidence.number("median_saving_ms")
    assert saving is not None and 140 <= saving <= 400  # the shorter of two 150 ms calls
    share = by_rule["TRC104"].evidence.number("median_share")
    assert share is not None and share > 0.5
    assert by_rule["TRC102"].evidence.number("median_calls") == 12


def test_measures_per_operation(shop: ShopTraces, tmp_path: Path) -> None:
    run = _run(shop, tmp_path, "jaeger")
    ops = {(m.service, m.operation): m for m in run.measures if m.kind == "server"}
    product = ops[("shop", "GET /product/<int:pid>")]
    assert product.count == 3 and product.error_rate == 0
    assert 300 <= product.p50_ms <= product.p95_ms <= product.p99_ms
    assert product.self_p95_ms < 50  # the time is in the two downstream calls, not in the handler
    checkout = ops[("shop", "GET /checkout")]
    assert checkout.p50_ms >= 200 and checkout.max_qps >= 1 and checkout.burst_ratio >= 1
