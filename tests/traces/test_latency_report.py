"""The report's latency section over real traces of the instrumented shop (``shop_app``): per root
operation, the histogram counts every request once and its quantiles match the spans; the critical path
splits the request by hop (``[traces.hops]``); and report.html carries both as well-formed inline SVG."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from redline.checks.interface import CheckContext
from redline.cli.main import main
from redline.core.config import parse_config
from redline.core.inventory import RootLatency
from redline.sources.traces.critical_path import _quantile
from redline.sources.traces.settings import SLO_SECTION, TRACES_SECTION
from redline.sources.traces.store import ingest
from redline.synthesis.latency_report import latency_summary

from . import exports
from .shop_app import ShopTraces, drive_shop

HOPS = '[traces.hops]\ndb = ["category=db"]\ndownstream = ["kind=client"]\n'
ROUTES = ("/orders", "/orders/eager", "/product/<int:pid>", "/cart", "/checkout", "/health")


@pytest.fixture(scope="module")
def shop(tmp_path_factory: pytest.TempPathFactory) -> ShopTraces:
    return drive_shop(tmp_path_factory.mktemp("shop") / "shop.db")


@pytest.fixture(scope="module")
def roots(shop: ShopTraces, tmp_path_factory: pytest.TempPathFactory) -> dict[str, RootLatency]:
    path = exports.write_otlp_lines_gz(shop.spans, tmp_path_factory.mktemp("lat") / "spans.jsonl.gz")
    raw = {"traces": {"hops": {"db": ["category=db"], "downstream": ["kind=client"]}}}
    config = parse_config(raw, "test.toml", sections=[TRACES_SECTION, SLO_SECTION])
    summary = latency_summary(ingest([path]), CheckContext(Path.cwd(), config, frozenset()))
    return {r.operation: r for r in summary.roots}


def test_one_entry_per_root_operation_with_the_measured_quantiles(
    shop: ShopTraces, roots: dict[str, RootLatency]
) -> None:
    assert set(roots) == {f"GET {r}" for r in ROUTES}
    for route in ROUTES:
        name = f"GET {route}"
        ms = sorted(
            (s.end_time - s.start_time) / 1e6  # type: ignore[operator]
            for s in shop.spans
            if s.parent is None and s.attributes is not None and s.attributes.get("http.route") == route
        )
        root = roots[name]
        assert len(ms) == 3 and (root.service, root.count) == ("shop", 3)
        assert root.p50_ms == pytest.approx(_quantile(ms, 0.5), abs=0.002)
        assert root.p95_ms == pytest.approx(_quantile(ms, 0.95), abs=0.002)
        assert sum(n for _, n in root.histogram) == 3
        for upper, n in root.histogram:  # each request in the bucket its duration falls in
            lower = upper / 2 if upper > 1 else 0.0
            assert n == sum(1 for v in ms if lower <= v < upper)


def test_critical_path_splits_the_request_by_hop(roots: dict[str, RootLatency]) -> None:
    product = {hop: (p95, share) for hop, p95, share in roots["GET /product/<int:pid>"].hops}
    assert set(product) == {"downstream", "shop"}
    assert product["downstream"][0] >= 300 and product["downstream"][1] > 0.8  # two serial 150 ms calls
    orders = {hop: share for hop, _, share in roots["GET /orders"].hops}
    assert set(orders) == {"db", "shop"} and orders["db"] > 0
    assert sum(orders.values()) == pytest.approx(1.0, abs=0.01)
    assert {hop for hop, _, _ in roots["GET /health"].hops} == {"shop"}


def test_report_html_has_the_latency_section_as_inline_svg(shop: ShopTraces, tmp_path: Path) -> None:
    tree = tmp_path / "tree"
    tree.mkdir()
    (tree / "redline.toml").write_text(HOPS, encoding="utf-8")
    spans = exports.write_otlp_lines_gz(shop.spans, tmp_path / "spans.jsonl.gz")
    out = tmp_path / "out"
    args = ["audit", str(tree), "--traces", str(spans), "--out", str(out), "--format", "html", "-q", "--exit-zero"]
    assert main(args) == 0
    page = (out / "report.html").read_text(encoding="utf-8")
    assert page.count('<div class="latency">') == 6 and 'id="latency"' in page
    assert "shop: GET /product/&lt;int:pid&gt;" in page  # labels are escaped
    histograms = re.findall(r'<svg[^>]*class="latency-histogram".*?</svg>', page)
    paths = re.findall(r'<svg[^>]*class="critical-path".*?</svg>', page)
    assert len(histograms) == len(paths) == 6
    for svg in histograms + paths:
        ET.fromstring(svg)  # well-formed
    counts = [int(m) for svg in histograms for m in re.findall(r": (\d+) request\(s\)</title>", svg)]
    assert sum(counts) == 18


def test_no_traces_no_section(tmp_path: Path) -> None:
    tree = tmp_path / "tree"
    tree.mkdir()
    out = tmp_path / "out"
    assert main(["audit", str(tree), "--out", str(out), "--format", "html", "-q", "--exit-zero"]) == 0
    assert 'id="latency"' not in (out / "report.html").read_text(encoding="utf-8")
