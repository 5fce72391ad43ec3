"""Each detector on hand-built traces: true positives and the look-alikes that must stay quiet."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from redline.core.config import parse_config
from redline.core.model import Finding
from redline.pipeline.traces import run_traces
from redline.sources.traces.settings import SLO_SECTION, TRACES_SECTION

from .builders import TraceBuilder, write_otlp


def _findings(tmp_path: Path, *traces: TraceBuilder, config: dict[str, Any] | None = None) -> list[Finding]:
    cfg = parse_config(config or {}, "t.toml", sections=[TRACES_SECTION, SLO_SECTION])
    return list(run_traces([write_otlp(tmp_path / "t.json", *traces)], cfg).result.findings)


def _found(findings: list[Finding]) -> set[tuple[str, str]]:
    return {(f.rule, f.location.resource) for f in findings}


def test_n_plus_one_needs_five_repeats_and_fifty_ms(tmp_path: Path) -> None:
    hit, few, fast, varied = TraceBuilder(), TraceBuilder(), TraceBuilder(), TraceBuilder()
    root = hit.server("GET /orders", 200)
    hit.query(root, "SELECT * FROM orders", 1, 5)
    for i in range(6):  # 6 x 10 ms = 60 ms
        hit.query(root, f"SELECT * FROM customers WHERE id = {i}", 10 + i * 11, 10)
    root = few.server("GET /few", 200)
    for i in range(4):  # only 4 repeats
        few.query(root, f"SELECT * FROM customers WHERE id = {i}", i * 30, 25)
    root = fast.server("GET /fast", 50)
    for i in range(8):  # 8 repeats but 8 ms in all
        fast.query(root, f"SELECT * FROM customers WHERE id = {i}", i * 2, 1)
    root = varied.server("GET /varied", 300)
    for i, table in enumerate(("a", "b", "c", "d", "e", "f")):  # six different statements
        varied.query(root, f"SELECT * FROM {table} WHERE id = {i}", i * 40, 30)
    findings = _findings(tmp_path, hit, few, fast, varied)
    assert _found(findings) == {("TRC101", "shop GET /orders")}
    (f,) = findings
    assert f.evidence.text("statement") == "SELECT * FROM customers WHERE id = ?"
    assert f.evidence.number("median_count") == 6 and f.evidence.strings("trace_ids") == (hit.trace_id,)
    assert len(f.evidence.strings("span_ids")) == 6


def test_chatty_rpc_needs_ten_sequential_calls_to_one_route(tmp_path: Path) -> None:
    serial, parallel, spread = TraceBuilder(), TraceBuilder(), TraceBuilder()
    root = serial.server("GET /cart", 500)
    for i in range(10):
        serial.call(root, f"http://pricing:8080/price/{i}", i * 12, 10)
    root = parallel.server("GET /cart2", 100)
    for i in range(12):  # all at once: already fanned out
        parallel.call(root, f"http://pricing:8080/price/{i}", 1, 50)
    root = spread.server("GET /cart3", 500)
    for i in range(12):  # 12 different routes (and too short to be worth fanning out: 55 ms)
        spread.call(root, f"http://pricing:8080/r{i}/x", i * 6, 5)
    found = _found(_findings(tmp_path, serial, parallel, spread))
    assert found == {("TRC102", "shop GET /cart -> pricing:8080 /price/{id}")}


def test_serial_calls_report_the_saving(tmp_path: Path) -> None:
    hit, overlap, small, same = TraceBuilder(), TraceBuilder(), TraceBuilder(), TraceBuilder()
    root = hit.server("GET /product", 400)
    hit.call(root, "http://stock/s/1", 0, 150)
    hit.call(root, "http://price/p/1", 160, 120)
    root = overlap.server("GET /product2", 200)
    overlap.call(root, "http://stock/s/1", 0, 150)
    overlap.call(root, "http://price/p/1", 10, 120)  # already concurrent
    root = small.server("GET /product3", 200)
    small.call(root, "http://stock/s/1", 0, 150)
    small.call(root, "http://price/p/1", 160, 60)  # would save 60 ms only
    root = same.server("GET /product4", 400)
    same.call(root, "http://stock/s/1", 0, 150)
    same.call(root, "http://stock/s/2", 160, 150)  # the same target twice: not independent fan-out
    findings = _findings(tmp_path, hit, overlap, small, same)
    assert _found(findings) == {("TRC103", "shop GET /product -> stock /s/{id} | price /p/{id}")}
    assert findings[0].evidence.number("median_saving_ms") == 120


def test_third_party_share_and_internal_peers(tmp_path: Path) -> None:
    t = TraceBuilder()
    root = t.server("GET /checkout", 400)
    t.call(root, "https://api.vendor.example/v1/score", 10, 200)
    # the calls below run alongside the vendor's (so no serial-call finding)
    t.call(root, "http://inventory.shop.svc.cluster.local/items/1", 20, 100)  # cluster-internal
    t.call(root, "http://10.0.3.7:8080/ledger", 30, 60)  # private address
    t.call(root, "https://partner.example.net/ping", 40, 4)  # third party, 1% of the request
    t.call(root, "https://own-api.example.org/x", 50, 100)  # declared internal below
    background = TraceBuilder()
    root = background.server("GET /late", 100)
    background.call(root, "https://api.vendor.example/v1/score", 50, 200)  # ends after the response
    cfg = {"traces": {"internal_hosts": ["own-api.example.org"]}}
    findings = _findings(tmp_path, t, background, config=cfg)
    assert _found(findings) == {("TRC104", "shop GET /checkout -> api.vendor.example")}
    assert findings[0].evidence.number("median_share") == 0.5


def test_traced_downstream_service_is_not_third_party(tmp_path: Path) -> None:
    t = TraceBuilder()
    root = t.server("GET /checkout", 400)
    call = t.call(root, "https://payments.example.com/charge", 10, 300)
    downstream = TraceBuilder(service="payments", trace_id=t.trace_id)
    downstream.span("POST /charge", 2, 15, 280, call)
    assert _found(_findings(tmp_path, t, downstream)) == set()


def test_slow_query_by_p95_with_enough_runs(tmp_path: Path) -> None:
    traces = []
    for i in range(4):
        t = TraceBuilder()
        root = t.server("GET /report", 500)
        t.query(root, f"SELECT * FROM orders WHERE email = 'u{i}@x'", 0, 150 + i)
        t.query(root, "SELECT 1", 200, 1)
        traces.append(t)
    rare = TraceBuilder()
    root = rare.server("GET /rare", 900)
    rare.query(root, "SELECT * FROM big", 0, 800)  # slow, but seen once
    findings = _findings(tmp_path, *traces, rare)
    assert [(f.rule, f.evidence.text("statement")) for f in findings] == [
        ("TRC105", "SELECT * FROM orders WHERE email = ?")
    ]


def test_retry_storm_and_look_alikes(tmp_path: Path) -> None:
    storm, recovered = TraceBuilder(), TraceBuilder()
    root = storm.server("GET /pay", 100)
    for i in range(4):
        storm.call(root, "http://ledger/post", i * 11, 10, error=True)
    root = recovered.server("GET /pay2", 100)
    recovered.call(root, "http://ledger/post", 0, 10, error=True)
    recovered.call(root, "http://ledger/post", 200, 10)  # one retry after backoff: fine
    findings = _findings(tmp_path, storm, recovered)
    assert _found(findings) == {("TRC107", "shop -> ledger /post")}
    assert findings[0].evidence.number("max_attempts") == 4
    assert findings[0].evidence.number("median_gap_ms") == 1


def test_slo_over_objective(tmp_path: Path) -> None:
    traces = []
    for i in range(20):
        t = TraceBuilder()
        t.server("POST /checkout", 100 + i * 20, start_ms=i * 1000)
        t.server("GET /home", 50, start_ms=i * 1000 + 500)
        traces.append(t)
    cfg = {"slo": {"POST /checkout": {"p95_ms": 300}, "GET /home": {"p95_ms": 100}}}
    findings = _findings(tmp_path, *traces, config=cfg)
    assert _found(findings) == {("TRC108", "shop POST /checkout")}
    assert findings[0].evidence.number("p95_ms") == 461  # quantile_cont of 100, 120 … 480


def _calls(peer: str, durations: list[float]) -> list[TraceBuilder]:
    traces = []
    for i, dur in enumerate(durations):
        t = TraceBuilder()
        root = t.server(f"GET /{peer}", dur + 5, start_ms=i * 1000)
        t.call(root, f"http://{peer}/q", i * 1000 + 1, dur)
        traces.append(t)
    return traces


def test_high_variance_hop_only_when_a_hedge_helps(tmp_path: Path) -> None:
    long_tail = _calls("search", [10.0] * 194 + [500.0] * 6)  # 3% at 500 ms: a hedge at p95 cuts it
    fat_tail = _calls("reports", [10.0] * 180 + [300.0] * 20)  # 10% slow: p95 is already slow, no help
    steady = _calls("users", [10.0 + (i % 5) for i in range(200)])  # p99/p50 well under 3
    findings = _findings(tmp_path, *long_tail, *fat_tail, *steady)
    assert _found(findings) == {("TRC106", "shop -> search GET /q")}
    assert findings[0].evidence.number("p99_ms") == 500 and findings[0].evidence.number("hedged_p99_ms") == 20


def test_a_peers_fast_and_slow_routes_are_not_one_tail(tmp_path: Path) -> None:
    traces = _calls("catalog", [10.0] * 194)
    for i in range(6):  # a different, always slow route on the same peer
        t = TraceBuilder()
        root = t.server("GET /export", 505, start_ms=500_000 + i * 1000)
        t.call(root, "http://catalog/export", 500_000 + i * 1000 + 1, 500)
        traces.append(t)
    assert _found(_findings(tmp_path, *traces)) == set()


def test_hedged_p99_formula() -> None:
    from redline.checks.performance.variance import hedged_p99

    # 2% of requests take 100 ms, the rest 10 ms: P(both slow) = 0.0004, so the hedged p99 is 10 + 10
    sample = sorted([10.0] * 98 + [100.0] * 2)
    assert hedged_p99(sample, 10.0) == 20.0
    # nothing slow: the hedge never fires and the p99 is the plain one
    assert hedged_p99([5.0] * 100, 5.0) == 5.0


def test_hop_budgets_on_the_critical_path(tmp_path: Path) -> None:
    traces = []
    for i in range(5):
        edge = TraceBuilder(service="edge")
        root = edge.span("POST /checkout", 2, i * 1000, 300, http__request__method="POST", http__route="/checkout")
        api = TraceBuilder(service="shop", trace_id=edge.trace_id)
        handler = api.span(
            "POST /checkout", 2, i * 1000 + 20, 260, root, http__request__method="POST", http__route="/checkout"
        )
        api.query(handler, "SELECT a FROM t", i * 1000 + 40, 90)
        api.query(handler, "SELECT b FROM t", i * 1000 + 40, 60)  # in parallel with the first: off the path
        api.query(handler, "SELECT c FROM t", i * 1000 + 150, 50)
        traces += [edge, api]
    cfg = {
        "traces": {"hops": {"db": ["category=db"]}},
        "slo": {"POST /checkout": {"p95_ms": 400, "budget": {"edge": 40, "shop": 100, "db": 100}}},
    }
    findings = _findings(tmp_path, *traces, config=cfg)
    got = {(f.rule, f.location.resource): f.evidence.number("p95_ms") for f in findings}
    # edge: 20 + 20 ms of its own (within 40); shop: 260 - 140 ms under the queries; db: 90 + 50 ms
    assert got == {("TRC109", "POST /checkout hop shop"): 120, ("TRC109", "POST /checkout hop db"): 140}


def test_bad_hop_rule_is_a_config_error_naming_the_key() -> None:
    import pytest

    from redline.core.config import ConfigError

    with pytest.raises(ConfigError, match=r"key 'traces.hops.db'"):
        parse_config({"traces": {"hops": {"db": ["flavour=db"]}}}, "t.toml", sections=[TRACES_SECTION])


def test_failing_queries_of_one_shape_are_not_a_retry_storm(tmp_path: Path) -> None:
    t = TraceBuilder()
    root = t.server("GET /orders", 100)
    for i in range(4):  # the same statement shape with different parameters: an N+1 that errs, not retries
        t.query(root, f"SELECT * FROM lines WHERE order_id = {i}", i * 2, 1, error=True)
    assert _found(_findings(tmp_path, t)) == set()
