"""A static N+1 (LAT…) and the measured one (TRC101) on the same route are one item, citing each other:
the instrumented shop's source is audited with the traces it produced."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import pytest

from audit_helpers import cli_audit, cli_findings
from redline.synthesis.measured_link import route_key

from . import exports
from .shop_app import ShopTraces, drive_shop

APP = Path(__file__).with_name("shop_app.py")


@pytest.fixture(scope="module")
def shop(tmp_path_factory: pytest.TempPathFactory) -> ShopTraces:
    return drive_shop(tmp_path_factory.mktemp("shop") / "shop.db")


def _audit(tmp_path: Path, shop: ShopTraces) -> list[dict[str, Any]]:
    tree = tmp_path / "tree"
    (tree / "shop").mkdir(parents=True)
    shutil.copy(APP, tree / "shop" / "app.py")
    traces = exports.write_otlp_json(shop.spans, tmp_path / "traces.json")
    config = tmp_path / "redline.toml"
    config.write_text("[traces]\nn_plus_one_min_total_ms = 0.05\n")  # SQLite answers in microseconds
    out = tmp_path / "out"
    args = ["--traces", str(traces), "--config", str(config), "--format", "json", "--exit-zero"]
    assert cli_audit(tree, out, *args) == 0
    findings: list[dict[str, Any]] = cli_findings(out)
    return findings


def test_static_and_measured_n_plus_one_are_one_item(shop: ShopTraces, tmp_path: Path) -> None:
    findings = _audit(tmp_path, shop)
    line = next(n for n, text in enumerate(APP.read_text().splitlines(), 1) if "o.customer.name for o in" in text)
    [item] = [f for f in findings if f["rule"] == "LAT102"]  # the lazy relation read per order
    assert (item["location"]["path"], item["location"]["start_line"]) == ("shop/app.py", line)
    assert item["group"].startswith("cause:n-plus-one:") and item["occurrences"] == 2
    assert "TRC101: shop 'GET /orders' ran it 30 times per request" in item["evidence"]["measured_by"]
    [measured] = item["related_locations"]  # the traces' finding is a place of the same item, not another item
    assert (measured["rule"], measured["evidence"]["operation"]) == ("TRC101", "GET /orders")
    assert measured["evidence"]["static_cause"] == [f"shop/app.py:{line} (LAT102)"]
    assert not [f for f in findings if f["rule"] == "TRC101"]
    # the prefetched twin on /orders/eager is neither flagged nor linked
    assert all(f["location"]["start_line"] != line + 5 for f in findings)


@pytest.mark.parametrize(
    ("operation", "key"),
    [
        ("GET /books/<int:book_id>", "GET /books/{}"),
        ("get /books/{id}/", "GET /books/{}"),
        ("GET /books/:id/reviews", "GET /books/{}/reviews"),
        ("/health", "/health"),
    ],
)
def test_route_keys_match_across_frameworks(operation: str, key: str) -> None:
    assert route_key(operation) == key
