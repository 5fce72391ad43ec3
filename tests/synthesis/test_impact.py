"""User impact from reachability, end to end on a small system: a Flask service published on a port (the
map: internet-facing) with findings inside its route handlers and in a helper, an internal worker, and
traces weighing the routes by measured traffic; hot queries from a database snapshot's statement shares."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from redline.cli.main import main
from redline.core.inventory import DatabaseInventory
from redline.core.model import Factor, Finding, Location, PriorityFactors, Severity
from redline.synthesis.impact import Reachability, impacts, query_shares, user_impact

COMPOSE = """services:
  api:
    build: ./api
    ports:
      - "8080:8080"
    environment:
      PAYMENTS_URL: http://payments:9000
  payments:
    build: ./payments
  worker:
    build: ./worker
"""
APP = """from flask import Flask
import requests

app = Flask(__name__)


def helper():
    return requests.get("http://inventory/items")


@app.route("/orders")
def orders():
    return requests.get("http://payments/charge").text


@app.route("/health")
def health():
    return requests.get("http://db-check/ping").text
"""
JOB = 'import requests\n\nrequests.get("http://reports/run")\n'
EXPOSED = "on api, exposed: published port 8080 -> 8080 (docker-compose.yml:2)"


def _system(root: Path) -> Path:
    for d in ("api", "payments", "worker"):
        (root / d).mkdir(parents=True)
    (root / "docker-compose.yml").write_text(COMPOSE)
    (root / "payments" / "charge.py").write_text('import requests\n\nrequests.post("http://bank/charge")\n')
    for d in ("api", "payments", "worker"):
        (root / d / "Dockerfile").write_text("FROM python:3.12-slim\nUSER app\nCOPY . /app\n")
    (root / "api" / "app.py").write_text(APP)
    (root / "worker" / "job.py").write_text(JOB)
    return root


def _server_spans(path: Path, counts: dict[str, int]) -> None:
    """OTLP/JSON with ``count`` server spans per route, 10 ms each, one per 100 ms."""
    spans = []
    n = 0
    for route, count in counts.items():
        method, target = route.split(" ", 1)
        for _ in range(count):
            n += 1
            start = 1_700_000_000_000_000_000 + n * 100_000_000
            spans.append(
                {
                    "traceId": f"{n:032x}",
                    "spanId": f"{n:016x}",
                    "name": route,
                    "kind": 2,
                    "startTimeUnixNano": str(start),
                    "endTimeUnixNano": str(start + 10_000_000),
                    "attributes": [
                        {"key": "http.request.method", "value": {"stringValue": method}},
                        {"key": "http.route", "value": {"stringValue": target}},
                    ],
                }
            )
    resource = {"attributes": [{"key": "service.name", "value": {"stringValue": "api"}}]}
    doc = {"resourceSpans": [{"resource": resource, "scopeSpans": [{"scope": {"name": "t"}, "spans": spans}]}]}
    path.write_text(json.dumps(doc))


def _impacts(root: Path, out: Path, *extra: str) -> dict[tuple[str, int], tuple[int, str]]:
    assert main(["audit", str(root), "--out", str(out), "--format", "json", "-q", "--exit-zero", *extra]) == 0
    doc = json.loads((out / "findings.json").read_text())
    return {
        (f["location"]["path"], f["location"]["start_line"]): (
            f["priority"]["user_impact"],
            f["priority"]["reasons"]["user_impact"],
        )
        for f in doc["findings"]
        if f["rule"] == "RES101"
    }


def test_handlers_exposure_and_internal_components(tmp_path: Path) -> None:
    got = _impacts(_system(tmp_path / "sys"), tmp_path / "out")
    assert got == {
        ("api/app.py", 8): (4, EXPOSED),  # a helper, not a handler: the component is still internet-facing
        ("api/app.py", 13): (5, f"in the handler of GET /orders {EXPOSED}"),
        ("api/app.py", 18): (5, f"in the handler of GET /health {EXPOSED}"),
        ("payments/charge.py", 3): (
            4,
            "on payments, on a user's path: called from an exposed component (api → payments)",
        ),
        ("worker/job.py", 3): (2, "on worker: internal only on the map (not exposed, called by nothing exposed)"),
    }


def test_measured_traffic_weighs_the_handlers(tmp_path: Path) -> None:
    root = _system(tmp_path / "sys")
    _server_spans(root / "traces.json", {"GET /orders": 20, "GET /catalog": 30})
    got = _impacts(root, tmp_path / "out", "--traces", str(root / "traces.json"))
    assert got[("api/app.py", 13)] == (5, f"in the handler of GET /orders {EXPOSED}; 40% of the measured requests (20)")
    assert got[("api/app.py", 18)] == (4, f"in the handler of GET /health {EXPOSED}; no requests to it in the traces")
    assert got[("api/app.py", 8)] == (4, EXPOSED)  # traffic weighs handlers only


def _db(queryid: int, share: float) -> DatabaseInventory:
    return DatabaseInventory(({"component": "pg", "top_statements": [{"queryid": queryid, "share": share}]},))


@pytest.mark.parametrize(
    ("share", "expected"),
    [
        (0.35, Factor(5, "on a hot query: 35% of all statement time")),
        (0.08, Factor(4, "on a hot query: 8% of all statement time")),
        (0.02, None),  # a statement with 2 % of the time is not a user's hot path
    ],
)
def test_hot_queries(share: float, expected: Factor | None) -> None:
    from redline.core.evidence import Evidence

    reach = Reachability(query_share=query_shares(_db(4242, share)))
    f = Finding("DB101", "slow", Severity.HIGH, Location("postgres", 0), evidence=Evidence({"queryid": 4242}))
    assert user_impact(f, reach) == expected
    listed = Finding(
        "DB104", "seq scans", Severity.MEDIUM, Location("postgres"), evidence=Evidence({"statements": [7, 4242]})
    )
    assert user_impact(listed, reach) == expected


def test_a_factor_set_by_the_check_is_kept() -> None:
    reach = Reachability(internet_facing={"api": "exposed"})
    decided = PriorityFactors(user_impact=Factor(1, "the check knows better"))
    f = Finding("X101", "m", Severity.LOW, Location("a.py", 1), component="api", priority=decided)
    assert impacts([f], reach) == {}
