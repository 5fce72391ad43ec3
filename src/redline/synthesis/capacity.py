"""Capacity from queueing theory, pure functions: Little's Law and the M/M/c queue (Erlang C).

Erlang C is computed from the Erlang B recursion ``B(k) = a·B(k-1) / (k + a·B(k-1))``, which never forms
``a^c / c!`` and so stays exact for thousands of servers. Times are in seconds, rates per second."""

from __future__ import annotations

import math
from dataclasses import dataclass
from html import escape


def littles_law(arrival_rate: float, time_in_system: float) -> float:
    """L = λW: the mean number of requests in flight."""
    return arrival_rate * time_in_system


def erlang_b(servers: int, load: float) -> float:
    """Blocking probability of M/M/c/c with offered load ``load`` = λ/μ erlangs."""
    b = 1.0
    for k in range(1, servers + 1):
        b = load * b / (k + load * b)
    return b


def erlang_c(servers: int, load: float) -> float:
    """Probability that an arrival waits in M/M/c (1 when the queue is unstable)."""
    if load >= servers:
        return 1.0
    b = erlang_b(servers, load)
    return servers * b / (servers - load * (1 - b))


@dataclass(frozen=True)
class QueueModel:
    """M/M/c with ``servers`` replicas, Poisson arrivals and exponential service times."""

    arrival_rate: float  # λ, requests per second
    service_time: float  # 1/μ, seconds per request on one replica
    servers: int

    @property
    def load(self) -> float:
        return self.arrival_rate * self.service_time

    @property
    def utilisation(self) -> float:
        return self.load / self.servers

    @property
    def stable(self) -> bool:
        return self.utilisation < 1

    @property
    def p_wait(self) -> float:
        return erlang_c(self.servers, self.load)

    @property
    def _drain(self) -> float:
        """θ = cμ - λ: the rate at which a queue drains; waiting time beyond zero is Exp(θ)."""
        return self.servers / self.service_time - self.arrival_rate

    @property
    def mean_wait(self) -> float:
        return self.p_wait / self._drain if self.stable else math.inf

    @property
    def mean_response(self) -> float:
        return self.mean_wait + self.service_time

    @property
    def in_flight(self) -> float:
        """Little's Law over the whole system."""
        return littles_law(self.arrival_rate, self.mean_response)

    def wait_quantile(self, q: float) -> float:
        if not self.stable:
            return math.inf
        c = self.p_wait
        return 0.0 if 1 - q >= c else math.log(c / (1 - q)) / self._drain

    def response_survival(self, t: float) -> float:
        """P(response > t): service Exp(μ) plus, with probability C, a wait Exp(θ)."""
        mu, theta, c = 1 / self.service_time, self._drain, self.p_wait
        service_only = math.exp(-mu * t)
        if abs(theta - mu) < 1e-12 * mu:
            both = math.exp(-mu * t) * (1 + mu * t)
        else:
            both = (theta * math.exp(-mu * t) - mu * math.exp(-theta * t)) / (theta - mu)
        return (1 - c) * service_only + c * both

    def response_quantile(self, q: float) -> float:
        if not self.stable:
            return math.inf
        lo, hi = 0.0, self.service_time
        while self.response_survival(hi) > 1 - q:
            hi *= 2
        for _ in range(100):
            mid = (lo + hi) / 2
            lo, hi = (mid, hi) if self.response_survival(mid) > 1 - q else (lo, mid)
        return hi


def replicas_needed(
    arrival_rate: float,
    service_time: float,
    target_utilisation: float = 0.7,
    p99_target: float | None = None,
    limit: int = 100_000,
) -> QueueModel | None:
    """The smallest M/M/c that keeps utilisation at or under the target and, when given, the p99
    response time at or under ``p99_target`` (None when the p99 target is below what any c can give)."""
    if p99_target is not None and p99_target <= service_time * math.log(100):
        return None  # even with no queueing, 1% of exponential service times exceed this
    c = max(1, math.ceil(arrival_rate * service_time / target_utilisation - 1e-9))
    while c <= limit:
        model = QueueModel(arrival_rate, service_time, c)
        meets_p99 = p99_target is None or model.response_quantile(0.99) <= p99_target
        if model.utilisation <= target_utilisation and meets_p99:
            return model
        c += 1
    return None


def utilisation_curve(service_time: float, servers: int, points: int = 19) -> list[tuple[float, float]]:
    """(utilisation, p99 response seconds) from 5% to 95%: where the knee is."""
    out = []
    for i in range(1, points + 1):
        rho = i / (points + 1)
        model = QueueModel(rho * servers / service_time, service_time, servers)
        out.append((rho, model.response_quantile(0.99)))
    return out


def curve_svg(curve: list[tuple[float, float]], title: str, marker: float | None = None) -> str:
    """The utilisation-latency curve as a small self-contained SVG (text escaped)."""
    width, height, pad = 480, 260, 40
    top = max(p99 for _, p99 in curve) or 1.0

    def xy(rho: float, p99: float) -> tuple[float, float]:
        return pad + rho * (width - 2 * pad), height - pad - p99 / top * (height - 2 * pad)

    points = " ".join(f"{x:.1f},{y:.1f}" for x, y in (xy(r, p) for r, p in curve))
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" role="img">',
        f"<title>{escape(title)}</title>",
        f'<line x1="{pad}" y1="{height - pad}" x2="{width - pad}" y2="{height - pad}" stroke="#555"/>',
        f'<line x1="{pad}" y1="{pad}" x2="{pad}" y2="{height - pad}" stroke="#555"/>',
        f'<polyline fill="none" stroke="#c0392b" stroke-width="2" points="{points}"/>',
        f'<text x="{width / 2}" y="{height - 8}" text-anchor="middle" font-size="12">utilisation</text>',
        f'<text x="12" y="{pad - 12}" font-size="12">p99 {top * 1000:.0f} ms</text>',
    ]
    if marker is not None:
        x, _ = xy(marker, 0)
        parts.append(
            f'<line x1="{x:.1f}" y1="{pad}" x2="{x:.1f}" y2="{height - pad}" stroke="#2980b9" stroke-dasharray="4"/>'
        )
    parts.append("</svg>")
    return "\n".join(parts)
