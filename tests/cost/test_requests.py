"""Request volume from a CSV, a Prometheus query result, a combined access log and JSON lines."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from redline.sources.cost.requests import RequestsError, read_requests


def test_csv(tmp_path: Path) -> None:
    path = tmp_path / "r.csv"
    path.write_text(
        "date,service,tenant,requests\n2024-09-01,api,acme,10\n2024-09-01,api,acme,5\n2024-09-02,api,,7\n",
        encoding="utf-8",
    )
    got = [(r.day, r.service, r.tenant, r.count) for r in read_requests(str(path))]
    assert got == [("2024-09-01", "api", "acme", 15.0), ("2024-09-02", "api", "", 7.0)]


def test_prometheus_matrix(tmp_path: Path) -> None:
    doc = {
        "status": "success",
        "data": {
            "resultType": "matrix",
            "result": [
                {
                    "metric": {"service": "api", "tenant": "acme"},
                    "values": [[1725148800, "100"], [1725235200, "120.5"]],
                },
                {"metric": {"job": "worker"}, "values": [[1725148800, "3"]]},
            ],
        },
    }
    path = tmp_path / "prom.json"
    path.write_text(json.dumps(doc, indent=2), encoding="utf-8")
    got = [(r.day, r.service, r.tenant, r.count) for r in read_requests(str(path))]
    assert got == [
        ("2024-09-01", "api", "acme", 100.0),
        ("2024-09-01", "worker", "", 3.0),
        ("2024-09-02", "api", "acme", 120.5),
    ]


def test_combined_access_log_names_the_service(tmp_path: Path) -> None:
    path = tmp_path / "access.log"
    path.write_text(
        '10.0.0.1 - - [01/Sep/2024:10:00:00 +0000] "GET /cart?id=1 HTTP/1.1" 200 512 "-" "curl"\n'
        '10.0.0.1 - - [01/Sep/2024:11:00:00 +0000] "GET /cart HTTP/1.1" 200 512 "-" "curl"\n'
        "garbage line\n"
        '10.0.0.2 - bob [02/Sep/2024:00:00:01 +0000] "POST /orders HTTP/2.0" 201 10 "-" "x"\n',
        encoding="utf-8",
    )
    got = [(r.day, r.service, r.route, r.count) for r in read_requests(f"checkout={path}")]
    assert got == [("2024-09-01", "checkout", "GET /cart", 2.0), ("2024-09-02", "checkout", "POST /orders", 1.0)]


def test_json_lines(tmp_path: Path) -> None:
    path = tmp_path / "web.jsonl"
    lines = [
        {"time": "2024-09-01T10:00:00Z", "method": "GET", "path": "/search?q=x", "tenant": "acme"},
        {"@timestamp": "2024-09-01T12:00:00+00:00", "uri": "/search", "service": "search"},
    ]
    path.write_text("\n".join(json.dumps(x) for x in lines) + "\nnot json\n", encoding="utf-8")
    got = [(r.day, r.service, r.tenant, r.route) for r in read_requests(str(path))]
    assert got == [("2024-09-01", "search", "", "/search"), ("2024-09-01", "web", "acme", "GET /search")]


def test_unusable_file_says_why(tmp_path: Path) -> None:
    path = tmp_path / "r.csv"
    path.write_text("when,what\n1,2\n", encoding="utf-8")
    with pytest.raises(RequestsError, match="needs the columns date"):
        read_requests(str(path))
