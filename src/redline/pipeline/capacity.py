"""``redline capacity``: replicas and tail latency from an arrival rate and a service time, given on the
command line or measured in traces (the busiest second's rate and the mean duration per operation)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from redline.core.config import Config
from redline.pipeline.traces import run_traces
from redline.synthesis.capacity import QueueModel, curve_svg, replicas_needed, utilisation_curve


@dataclass(frozen=True)
class CapacityQuestion:
    name: str  # the operation, or "given"
    arrival_rate: float  # per second
    service_time: float  # seconds
    replicas: int | None = None  # evaluate this count too
    target_utilisation: float = 0.7
    p99_target: float | None = None  # seconds


def _model_dict(m: QueueModel) -> dict[str, Any]:
    return {
        "replicas": m.servers,
        "utilisation": round(m.utilisation, 4),
        "p_wait": round(m.p_wait, 4),
        "in_flight": round(m.in_flight, 3),
        "mean_wait_ms": _ms(m.mean_wait),
        "p95_wait_ms": _ms(m.wait_quantile(0.95)),
        "p99_wait_ms": _ms(m.wait_quantile(0.99)),
        "mean_response_ms": _ms(m.mean_response),
        "p95_response_ms": _ms(m.response_quantile(0.95)),
        "p99_response_ms": _ms(m.response_quantile(0.99)),
    }


def _ms(seconds: float) -> float | None:
    return None if seconds == float("inf") else round(seconds * 1000, 3)


def answer(q: CapacityQuestion) -> dict[str, Any]:
    """Little's Law, the given replica count (if any) and the smallest count meeting the targets."""
    out: dict[str, Any] = {
        "operation": q.name,
        "arrival_rate": q.arrival_rate,
        "service_time_ms": round(q.service_time * 1000, 3),
        "concurrency": round(q.arrival_rate * q.service_time, 3),
        "target_utilisation": q.target_utilisation,
        "p99_target_ms": _ms(q.p99_target) if q.p99_target else None,
    }
    if q.replicas:
        out["given"] = _model_dict(QueueModel(q.arrival_rate, q.service_time, q.replicas))
    best = replicas_needed(q.arrival_rate, q.service_time, q.target_utilisation, q.p99_target)
    out["recommended"] = _model_dict(best) if best else None
    servers = best.servers if best else (q.replicas or 1)
    out["curve_svg"] = curve_svg(
        utilisation_curve(q.service_time, servers),
        f"{q.name}: p99 response vs utilisation, {servers} replicas",
        marker=q.target_utilisation,
    )
    return out


def questions_from_traces(paths: Sequence[Path], config: Config, template: CapacityQuestion) -> list[CapacityQuestion]:
    """One question per server operation: its busiest second and its mean duration."""
    run = run_traces(paths, config)
    return [
        CapacityQuestion(
            f"{m.service} {m.operation}",
            float(m.max_qps),
            m.mean_ms / 1000,
            template.replicas,
            template.target_utilisation,
            template.p99_target,
        )
        for m in run.measures
        if m.kind == "server" and m.mean_ms > 0
    ]
