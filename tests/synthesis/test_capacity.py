"""Capacity maths against published Erlang C values, closed forms, and a discrete-event simulation (ciw)."""

from __future__ import annotations

import math
from pathlib import Path

import pytest

from redline.synthesis.capacity import (
    QueueModel,
    curve_svg,
    erlang_b,
    erlang_c,
    littles_law,
    replicas_needed,
    utilisation_curve,
)


@pytest.mark.parametrize(
    ("servers", "load", "expected"),
    [
        (3, 2.0, 4 / 9),  # textbook: a = 2 erlangs on 3 servers
        (11, 10.0, 0.6821),  # the call-centre table value for 10 erlangs on 11 agents
        (1, 0.7, 0.7),  # M/M/1: P(wait) = rho
        (2, 1.2, 2 * 0.6**2 / (1 + 0.6)),  # M/M/2 closed form 2rho^2/(1+rho)
    ],
)
def test_erlang_c_published_values(servers: int, load: float, expected: float) -> None:
    assert erlang_c(servers, load) == pytest.approx(expected, abs=5e-5)


def test_erlang_b_recursion_is_stable_for_thousands_of_servers() -> None:
    assert erlang_b(1, 1.0) == pytest.approx(0.5)
    c = erlang_c(5000, 4900.0)  # a^c/c! would overflow a float long before this
    assert 0 < c < 1 and math.isfinite(c)
    assert erlang_c(4, 4.0) == 1.0  # unstable: everyone waits


def test_mm1_closed_forms_and_littles_law() -> None:
    m = QueueModel(arrival_rate=8, service_time=0.1, servers=1)
    assert m.mean_response == pytest.approx(0.1 / (1 - 0.8))  # W = S / (1 - rho)
    assert m.response_quantile(0.99) == pytest.approx(math.log(100) * 0.5, rel=1e-6)  # W ~ Exp(mu - lambda)
    assert m.in_flight == pytest.approx(littles_law(8, 0.5)) == pytest.approx(4.0)


def test_smallest_replica_count() -> None:
    model = replicas_needed(arrival_rate=100, service_time=0.05, target_utilisation=0.7, p99_target=0.3)
    assert model is not None and model.servers == 8  # 5 erlangs: 8 replicas keep rho at 0.625
    fewer = QueueModel(100, 0.05, 7)
    assert fewer.utilisation > 0.7
    assert replicas_needed(100, 0.05, p99_target=0.2) is None  # below ln(100) x 50 ms no c is enough


def test_against_a_discrete_event_simulation() -> None:
    ciw = pytest.importorskip("ciw")
    lam, service, servers = 40.0, 0.1, 5
    network = ciw.create_network(
        arrival_distributions=[ciw.dists.Exponential(rate=lam)],
        service_distributions=[ciw.dists.Exponential(rate=1 / service)],
        number_of_servers=[servers],
    )
    ciw.seed(7)
    sim = ciw.Simulation(network)
    sim.simulate_until_max_time(3000)
    records = [r for r in sim.get_all_records() if r.arrival_date > 100]  # past the warm-up
    waits = sorted(r.waiting_time for r in records)
    responses = sorted(r.waiting_time + r.service_time for r in records)
    model = QueueModel(lam, service, servers)
    assert sum(w > 1e-9 for w in waits) / len(waits) == pytest.approx(model.p_wait, abs=0.03)
    assert sum(waits) / len(waits) == pytest.approx(model.mean_wait, rel=0.1)
    assert responses[int(0.99 * len(responses))] == pytest.approx(model.response_quantile(0.99), rel=0.1)
    assert waits[int(0.95 * len(waits))] == pytest.approx(model.wait_quantile(0.95), rel=0.1)


def test_curve_has_its_knee_and_an_escaped_svg() -> None:
    curve = utilisation_curve(0.05, 4)
    p99s = [p for _, p in curve]
    assert p99s == sorted(p99s) and p99s[-1] > 3 * p99s[len(p99s) // 2]  # steep after the knee
    svg = curve_svg(curve, "<checkout>", marker=0.7)
    assert svg.startswith("<svg") and "&lt;checkout&gt;" in svg and "<checkout>" not in svg


def test_capacity_command(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    import json

    from redline.cli.main import main

    svg = tmp_path / "curve.svg"
    code = main(
        [
            "capacity",
            "--arrival-rate",
            "100",
            "--service-time-ms",
            "50",
            "--replicas",
            "6",
            "--p99-ms",
            "300",
            "--format",
            "json",
            "--svg",
            str(svg),
        ]
    )
    assert code == 0
    (doc,) = json.loads(capsys.readouterr().out)
    assert doc["concurrency"] == 5 and doc["given"]["replicas"] == 6 and doc["recommended"]["replicas"] == 8
    assert doc["given"]["p99_response_ms"] > 300 >= doc["recommended"]["p99_response_ms"]
    assert svg.read_text().startswith("<svg")
    assert main(["capacity", "--arrival-rate", "100"]) == 2
