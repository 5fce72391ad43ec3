"""The readers on the shapes real exporters write, and on bad input (named, listed, the run goes on)."""

from __future__ import annotations

import gzip
import json
from pathlib import Path

import pytest

from redline.cli.main import main
from redline.pipeline import run as pipeline_run
from redline.pipeline.judging import Item, Judge, judge_all
from redline.sources.traces.classify import normalise_statement, route_template
from redline.sources.traces.ids import hex_id
from redline.sources.traces.store import ingest

from .builders import TraceBuilder, write_otlp


def test_ids_hex_base64_and_short_jaeger_ids() -> None:
    assert hex_id("5B8EFFF798038103D269B633813FC60C", 32) == "5b8efff798038103d269b633813fc60c"
    assert hex_id("W47/95gDgQPSabYzgT/GDA==", 32) == "5b8efff798038103d269b633813fc60c"
    assert hex_id("7uGbfsPBsXQ=", 16) == "eee19b7ec3c1b174"
    assert hex_id("d269b633813fc60c", 32) == "0000000000000000d269b633813fc60c"  # Jaeger 64-bit
    assert hex_id("not an id!", 16) == "" and hex_id(None, 16) == ""


@pytest.mark.parametrize(
    ("sql", "shape"),
    [
        ("SELECT * FROM t WHERE id = 42 AND name = 'O''Brien'", "SELECT * FROM t WHERE id = ? AND name = ?"),
        ("select a from t where id in (1, 2,3)", "select a from t where id IN (?)"),
        ("SELECT a FROM t WHERE id IN ($1, $2)", "SELECT a FROM t WHERE id IN ($1, $2)"),
        ("INSERT INTO t (a, b) VALUES (1, 'x'), (2, 'y')", "INSERT INTO t (a, b) VALUES (?)"),
        ("SELECT col1, t2.x FROM t2  \n WHERE v > -3.5e2", "SELECT col1, t2.x FROM t2 WHERE v > ?"),
    ],
)
def test_statement_normalisation(sql: str, shape: str) -> None:
    assert normalise_statement(sql) == shape


def test_route_templates() -> None:
    assert route_template("/users/42/orders/9f1c2b3a-1111-2222-3333-444455556666") == "/users/{id}/orders/{id}"
    assert route_template("/v1/charges/ch_3MmlLrLkdIwHu7ix0snN0B15") == "/v1/charges/{id}"
    assert route_template("/v1/health") == "/v1/health"


def test_old_and_new_semantic_conventions_agree(tmp_path: Path) -> None:
    t = TraceBuilder()
    root = t.span("GET /a", 2, 0, 100, http__method="GET", http__route="/a", http__status_code=503)
    t.span("q", 3, 1, 5, root, db__system="postgresql", db__statement="SELECT 1 FROM x WHERE a = 5")
    t.span("q", 3, 10, 5, root, db__system__name="postgresql", db__query__text="SELECT 1 FROM x WHERE a = 6")
    t.span("GET", 3, 20, 5, root, http__method="GET", http__url="http://inv:80/i/3")
    t.span(
        "GET",
        3,
        30,
        5,
        root,
        http__request__method="GET",
        url__full="http://x/y",
        server__address="inv",
        server__port=80,
    )
    t.span("get", 3, 40, 1, root, db__system="redis", db__statement="GET session:abc")
    store = ingest([write_otlp(tmp_path / "t.json", t)])
    rows = store.query("SELECT kind, category, statement, peer, route, operation, error FROM spans ORDER BY start_us")
    assert rows == [
        ("server", "http", None, None, "/a", "GET /a", True),  # a 5xx server span is an error
        ("client", "db", "SELECT ? FROM x WHERE a = ?", None, None, "q", False),
        ("client", "db", "SELECT ? FROM x WHERE a = ?", None, None, "q", False),
        ("client", "http", None, "inv:80", "/i/{id}", "GET", False),
        ("client", "http", None, "inv:80", "/y", "GET", False),
        ("client", "cache", "GET", None, None, "get", False),  # the key is data: only the command stays
    ]


def test_zipkin_list_of_lists_and_jaeger_processes(tmp_path: Path) -> None:
    zipkin = [
        [
            {
                "traceId": "d269b633813fc60c",
                "id": "0000000000000001",
                "name": "get /a",
                "kind": "SERVER",
                "timestamp": 1_700_000_000_000_000,
                "duration": 1200,
                "localEndpoint": {"serviceName": "web"},
                "tags": {"http.method": "GET", "http.route": "/a", "error": "boom"},
            }
        ]
    ]
    jaeger = {
        "data": [
            {
                "traceID": "d269b633813fc60c",
                "processes": {"p1": {"serviceName": "web"}},
                "spans": [
                    {
                        "traceID": "d269b633813fc60c",
                        "spanID": "0000000000000002",
                        "operationName": "SELECT",
                        "references": [
                            {"refType": "CHILD_OF", "traceID": "d269b633813fc60c", "spanID": "0000000000000001"}
                        ],
                        "startTime": 1_700_000_000_000_100,
                        "duration": 300,
                        "processID": "p1",
                        "tags": [
                            {"key": "span.kind", "type": "string", "value": "client"},
                            {"key": "db.system", "type": "string", "value": "mysql"},
                        ],
                    }
                ],
            }
        ]
    }
    (tmp_path / "z.json").write_text(json.dumps(zipkin))
    (tmp_path / "j.json").write_text(json.dumps(jaeger))
    store = ingest([tmp_path])
    assert not store.problems
    rows = store.query("SELECT trace_id, service, kind, parent_id, error, category FROM spans ORDER BY span_id")
    assert rows == [
        ("0000000000000000d269b633813fc60c", "web", "server", None, True, "http"),
        ("0000000000000000d269b633813fc60c", "web", "client", "0000000000000001", False, "db"),
    ]


def test_bad_inputs_are_named_and_the_run_goes_on(tmp_path: Path) -> None:
    good = write_otlp(tmp_path / "good.json", TraceBuilder())
    TraceBuilder()
    t = TraceBuilder()
    t.server("GET /a", 10)
    write_otlp(good, t)
    (tmp_path / "empty.json").write_text("")
    (tmp_path / "truncated.json").write_text(good.read_text()[:-20])
    (tmp_path / "other.json").write_text('{"hello": "world"}')
    (tmp_path / "types.json").write_text('{"resourceSpans": [{"scopeSpans": [{"spans": [{"traceId": 5}]}]}]}')
    (tmp_path / "gzip.json.gz").write_bytes(gzip.compress(good.read_bytes())[:-8])
    lines = tmp_path / "lines.jsonl"
    lines.write_text(good.read_text() + "\n" + good.read_text()[:50] + "\n" + good.read_text() + "\n")
    store = ingest([tmp_path, tmp_path / "missing.json"])
    reasons = {Path(p.path).name: p.reason for p in store.problems}
    assert set(reasons) == {
        "empty.json",
        "truncated.json",
        "other.json",
        "types.json:1",
        "gzip.json.gz",
        "lines.jsonl:2",
        "missing.json",
    }
    assert reasons["empty.json"].startswith("empty file")
    assert reasons["truncated.json"].startswith("invalid JSON")
    assert reasons["other.json"].startswith("unknown format")
    assert "lacks a valid traceId" in reasons["types.json:1"]
    assert reasons["missing.json"] == "no such file or directory"
    assert store.span_count == 1  # good.json and lines.jsonl hold the same span: counted once


def test_cli_writes_traces_json_and_findings_json(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    t = _n_plus_one()
    src = write_otlp(tmp_path / "t.json", t)
    (tmp_path / "bad.json").write_text("[1, 2")
    out = tmp_path / "out"
    code = main(["traces", str(src), str(tmp_path / "bad.json"), "--out", str(out)])
    assert code == 0
    doc = json.loads((out / "traces.json").read_text())
    assert doc["spans"] == 7 and doc["not_covered"][0]["path"].endswith("bad.json")
    server = next(o for o in doc["operations"] if o["kind"] == "server")
    assert server["operation"] == "GET /orders" and server["duration_ms"]["p50"] == 200
    assert server["self_time_ms"]["p50"] == 200 - 6 * 15
    findings = json.loads((out / "findings.json").read_text())["findings"]
    assert [f["rule"] for f in findings] == ["TRC101"]
    printed = capsys.readouterr()
    assert "GET /orders" in printed.out and "TRC101" in printed.out and "bad.json" in printed.err


def test_cli_reports_a_config_error_naming_the_key(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    cfg = tmp_path / "redline.toml"
    cfg.write_text('[slo."POST /checkout"]\np95_ms = 300\n[slo."POST /checkout".budget]\nedge = 200\napi = 150\n')
    code = main(["traces", str(tmp_path), "--config", str(cfg), "--out", str(tmp_path / "o")])
    assert code == 2
    assert 'slo."POST /checkout".budget' in capsys.readouterr().err


def test_trace_health(tmp_path: Path) -> None:
    from redline.sources.traces.health import trace_health

    front = TraceBuilder(service="web")
    root = front.server("GET /a", 100)
    call = front.call(root, "http://billing:8080/b", 10, 50)
    billing = TraceBuilder(service="billing", trace_id=front.trace_id)
    billing.span("GET /b", 2, 5, 70, call)  # starts 5 ms before its caller, ends 15 ms after: skewed clock
    lost = TraceBuilder(service="web")
    lost.span("GET /c", 3, 0, 10, "00000000deadbeef")  # its parent never arrived
    other = TraceBuilder(service="web")
    root = other.server("GET /d", 100)
    other.call(root, "http://ledger/x", 1, 10)
    ledger = TraceBuilder(service="ledger")
    ledger.server("GET /x", 9, start_ms=2)  # called by web, but starts its own trace: no propagation
    health = trace_health(ingest([write_otlp(tmp_path / "t.json", front, billing, lost, other, ledger)]))
    assert health.orphan_spans == {"web": 1}
    assert health.clock_skew == (("billing", "web", 1, 15.0),)
    assert health.unlinked_services == ("ledger",)
    assert health.traces_without_root == 1


def test_span_table_kept_in_a_duckdb_file(tmp_path: Path) -> None:
    import duckdb

    t = TraceBuilder()
    t.server("GET /a", 10)
    code = main(
        [
            "traces",
            str(write_otlp(tmp_path / "t.json", t)),
            "--db",
            str(tmp_path / "spans.duckdb"),
            "--out",
            str(tmp_path / "o"),
            "-q",
        ]
    )
    assert code == 0
    with duckdb.connect(str(tmp_path / "spans.duckdb"), read_only=True) as con:
        assert con.execute("SELECT operation FROM spans").fetchall() == [("GET /a",)]


def test_capacity_from_traces(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    traces = []
    for i in range(40):  # 20 requests in each of two seconds, 100 ms each
        t = TraceBuilder()
        t.server("GET /a", 100, start_ms=(i % 2) * 1000 + i)
        traces.append(t)
    code = main(["capacity", "--traces", str(write_otlp(tmp_path / "t.json", *traces)), "--format", "json"])
    assert code == 0
    (doc,) = json.loads(capsys.readouterr().out)
    assert doc["operation"] == "shop GET /a" and doc["arrival_rate"] == 20 and doc["service_time_ms"] == 100
    assert doc["concurrency"] == 2 and doc["recommended"]["replicas"] == 3  # 2 erlangs at <= 70%


def _n_plus_one() -> TraceBuilder:
    """One request that runs the same query six times (TRC101)."""
    t = TraceBuilder()
    root = t.server("GET /orders", 200)
    for i in range(6):
        t.query(root, f"SELECT * FROM c WHERE id = {i}", i * 20, 15)
    return t


def test_audit_with_traces_joins_the_findings(tmp_path: Path) -> None:
    t = _n_plus_one()
    tree = tmp_path / "tree"
    tree.mkdir()
    (tree / "app.py").write_text("import requests\nrequests.get('https://x.example')\n")
    src = write_otlp(tmp_path / "t.json", t)
    (tmp_path / "bad.json").write_text("{")
    out = tmp_path / "out"
    code = main(
        [
            "audit",
            str(tree),
            "--traces",
            str(src),
            str(tmp_path / "bad.json"),
            "--out",
            str(out),
            "--format",
            "json",
            "-q",
            "--exit-zero",
        ]
    )
    assert code == 0
    doc = json.loads((out / "findings.json").read_text())
    assert {f["rule"] for f in doc["findings"]} == {"RES101", "TRC101"}
    assert [Path(n["path"]).name for n in doc["not_covered"]] == ["bad.json"]


def test_trace_checks_are_judged_in_the_process_holding_the_span_table(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """With two workers the project checks run on two processes; the span table is a DuckDB connection, which a
    forked process cannot use, so the trace checks stay in the main process and find what one worker finds."""
    monkeypatch.setattr(pipeline_run, "PARALLEL_MIN_COST", 0)  # a small tree: use the pool anyway
    t = _n_plus_one()
    tree = tmp_path / "tree"
    tree.mkdir()
    for n in range(4):
        (tree / f"app{n}.py").write_text("import requests\nrequests.get('https://x.example')\n")
    src = write_otlp(tmp_path / "t.json", t)
    workers: list[int] = []

    def judging(judges: list[Judge], processes: int) -> list[list[Item]]:
        workers.append(processes)
        return judge_all(judges, processes)

    monkeypatch.setattr(pipeline_run, "judge_all", judging)
    found = {}
    for jobs in ("1", "2"):
        out = tmp_path / f"out{jobs}"
        args = ["audit", str(tree), "--traces", str(src), "--out", str(out), "--format", "json", "-q", "--exit-zero"]
        assert main([*args, "--jobs", jobs]) == 0
        doc = json.loads((out / "findings.json").read_text())
        found[jobs] = [(f["rule"], f["location"]["path"]) for f in doc["findings"]]
    assert workers == [1, 2]
    assert found["1"] == found["2"]
    assert sorted(found["2"]) == [("RES101", f"app{n}.py") for n in range(4)] + [("TRC101", str(src))]


def test_traces_paths_in_the_config_are_relative_to_the_root(tmp_path: Path) -> None:
    t = _n_plus_one()
    (tmp_path / "traces").mkdir()
    write_otlp(tmp_path / "traces" / "t.json", t)
    (tmp_path / "redline.toml").write_text('[traces]\npaths = ["traces"]\n')
    out = tmp_path / "out"
    assert main(["audit", str(tmp_path), "--out", str(out), "--format", "json", "-q", "--exit-zero"]) == 0
    doc = json.loads((out / "findings.json").read_text())
    assert [f["rule"] for f in doc["findings"]] == ["TRC101"]


def test_propagation_headers_and_sampling_rate(tmp_path: Path) -> None:
    from redline.sources.traces.health import trace_health

    jaeger_sampled = TraceBuilder(service="web")
    jaeger_sampled.span(
        "GET /a",
        2,
        0,
        10,
        sampler__type="probabilistic",
        sampler__param="0.1",
        http__request__header__traceparent="00-…-01",
    )
    otel_sampled = TraceBuilder(service="api")
    otel_sampled.span("GET /b", 2, 0, 10)
    otel_sampled.spans[-1]["attributes"] = [
        {
            "key": "http.request.header.uber-trace-id",
            "value": {"arrayValue": {"values": [{"stringValue": "abc:def:0:1"}]}},
        }
    ]
    otel_sampled.spans[-1]["traceState"] = "vendor=x,ot=rv:0123456789abcd;th:c"
    unknown = TraceBuilder(service="api")
    unknown.span("GET /c", 2, 0, 10)
    health = trace_health(ingest([write_otlp(tmp_path / "t.json", jaeger_sampled, otel_sampled, unknown)]))
    assert health.propagation == {"api": {"jaeger": 1}, "web": {"w3c": 1}}
    assert health.sampling == {"api": 0.25, "web": 0.1}  # th:c rejects 3/4 of the trace-id space
    assert health.as_dict()["sampling"] == {
        "api": {"probability": 0.25, "one_in": 4},
        "web": {"probability": 0.1, "one_in": 10},
    }
