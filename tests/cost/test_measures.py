"""Shared-cost spreading, tenants, features and the "cost per request down 20 %" criterion."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from redline.sources.cost.dataset import load_dataset
from redline.sources.cost.measures import baseline_criterion, component_costs, feature_costs, tenant_costs
from redline.sources.cost.model import CostDataset
from redline.sources.cost.settings import CostSettings

from .exports import focus_row, write_focus


def _ds(tmp_path: Path, rows: list[dict[str, object]], requests: str, **settings: Any) -> CostDataset:
    export = write_focus(tmp_path / "f.csv", rows)
    req = tmp_path / "requests.csv"
    req.write_text("date,service,tenant,route,requests\n" + requests, encoding="utf-8")
    return load_dataset([export], [str(req)], CostSettings(**settings))


ROWS = [
    focus_row(60.0, resource="i-a", tags={"application": "a"}),
    focus_row(20.0, resource="i-b", tags={"application": "b"}),
    focus_row(40.0, resource="shared-nat"),
]
REQS = "2024-09-01,a,,,100\n2024-09-01,b,,,300\n"


@pytest.mark.parametrize(
    ("spread", "shares"), [("requests", (10.0, 30.0)), ("direct", (30.0, 10.0)), ("even", (20.0, 20.0))]
)
def test_shared_cost_spreading(tmp_path: Path, spread: str, shares: tuple[float, float]) -> None:
    costs = component_costs(_ds(tmp_path, ROWS, REQS, shared_spread=spread))
    got: dict[str, tuple[float, object]] = {c.component: (c.direct, c.shared) for c in costs}
    assert got["a"] == (60.0, pytest.approx(shares[0]))
    assert got["b"] == (20.0, pytest.approx(shares[1]))


def test_no_spreading_keeps_unallocated(tmp_path: Path) -> None:
    got = {c.component: c.total for c in component_costs(_ds(tmp_path, ROWS, REQS, shared_spread="none"))}
    assert got == {"a": 60.0, "b": 20.0, "(unallocated)": 40.0}


def test_tenant_cost_is_tagged_plus_request_share(tmp_path: Path) -> None:
    rows = [
        focus_row(90.0, resource="i-shared", tags={"application": "api"}),
        focus_row(10.0, resource="bucket-acme", tags={"application": "api", "tenant": "acme"}),
    ]
    reqs = "2024-09-01,api,acme,,200\n2024-09-01,api,globex,,100\n"
    got = tenant_costs(_ds(tmp_path, rows, reqs))
    assert got == {
        ("USD", "2024-09", "api", "acme"): pytest.approx(70.0),
        ("USD", "2024-09", "api", "globex"): pytest.approx(30.0),
    }


def test_features_are_groups_of_routes(tmp_path: Path) -> None:
    rows = [
        focus_row(100.0, resource="i-web", tags={"application": "web"}),
        focus_row(5.0, resource="i-ml", tags={"application": "web", "feature": "recommendations"}),
    ]
    reqs = "2024-09-01,web,,GET /checkout/pay,30\n2024-09-01,web,,POST /orders,10\n2024-09-01,web,,GET /home,60\n"
    got = feature_costs(_ds(tmp_path, rows, reqs, features={"checkout": ("/checkout", "POST /orders")}))
    assert got == {("USD", "2024-09", "checkout"): pytest.approx(40.0), ("USD", "2024-09", "recommendations"): 5.0}


def _two_months(tmp_path: Path, september_cost: float) -> CostDataset:
    rows = [
        focus_row(100.0, day="2024-08-10", resource="i-a", tags={"application": "a"}),
        focus_row(september_cost, day="2024-09-10", resource="i-a", tags={"application": "a"}),
        focus_row(50.0, day="2024-09-10", resource="i-a", tags={"application": "a"}, currency="EUR"),
    ]
    return _ds(tmp_path, rows, "2024-08-10,a,,,1000\n2024-09-10,a,,,1000\n")


def test_criterion_met_and_not_met_per_currency(tmp_path: Path) -> None:
    met = baseline_criterion(_two_months(tmp_path, 75.0), "2024-08")
    by_cur = {c.currency: c for c in met}
    assert by_cur["USD"].status == "met" and by_cur["USD"].change == pytest.approx(-0.25)
    assert by_cur["EUR"].status == "not measured" and "EUR" in by_cur["EUR"].reason
    assert baseline_criterion(_two_months(tmp_path, 85.0), "2024-08")[1].status == "not met"


def test_criterion_not_measured_says_why(tmp_path: Path) -> None:
    ds = _two_months(tmp_path, 75.0)
    [absent] = baseline_criterion(ds, "2024-01")
    assert absent.status == "not measured" and "2024-01" in absent.reason
    from dataclasses import replace

    [blind] = baseline_criterion(replace(ds, requests=()), "2024-08")
    assert blind.status == "not measured" and "--requests" in blind.reason
