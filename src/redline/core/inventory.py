"""What synthesis learnt about the system, as typed results the reporters read.

Each synthesis output has a field of its own on ``AuditResult`` (and ``synthesis/interface.py``'s ``Inventory``);
a new kind of output (the map, the plan …) adds a dataclass here and a field there.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, TypeAlias

UNKNOWN = "?"

#: a CycloneDX 1.6 JSON document, as the cyclonedx library renders it (an external, versioned shape)
SbomDocument: TypeAlias = Mapping[str, Any]


@dataclass(frozen=True, slots=True)
class Placement:
    provider: str
    account: str
    region: str
    zone: str
    source: str  # "config" or "plan"


@dataclass(frozen=True)
class RegionTopology:
    """Counts of resources per placement, stable-ordered, JSON-ready through ``as_dict``."""

    counts: tuple[tuple[Placement, int], ...]

    def as_dict(self) -> dict[str, Any]:
        return {
            "placements": [
                {
                    "provider": p.provider,
                    "account": p.account,
                    "region": p.region,
                    "zone": p.zone,
                    "source": p.source,
                    "resources": n,
                }
                for p, n in self.counts
            ]
        }

    def regions(self) -> set[str]:
        return {p.region for p, _n in self.counts if p.region not in (UNKNOWN, "")}


@dataclass(frozen=True)
class DatabaseInventory:
    """Per audited PostgreSQL database: the top statements by total time and the largest tables,
    JSON-ready (``synthesis/database.py`` builds each entry from the snapshot)."""

    databases: tuple[Mapping[str, Any], ...]

    def as_list(self) -> list[Mapping[str, Any]]:
        return list(self.databases)


@dataclass(frozen=True)
class RouteTable:
    """Every HTTP entry point of the audited code with its guards, JSON-ready (``synthesis/routes.py``
    builds each entry: framework, methods, path, handler, file, line, authenticated, authorized, evidence)."""

    routes: tuple[Mapping[str, Any], ...]

    def as_list(self) -> list[Mapping[str, Any]]:
        return list(self.routes)


@dataclass(frozen=True)
class CostSummary:
    """The audit's cost figures (``cost.json``: totals by provider, component, tenant, feature and month,
    cost per request), JSON-ready; its shape is ``report/schema/cost.schema.json``."""

    document: Mapping[str, Any]


@dataclass(frozen=True, slots=True)
class RouteLatency:
    """What the traces measured for one server operation (a route), with its ``[slo]`` objective if any.

    ``peak_*`` are over the seconds whose load was at least 95 % of the busiest second's: the p95 the
    success criterion "p95 under budget at 95 % of peak" asks for."""

    service: str
    route: str
    count: int
    p95_ms: float
    peak_qps: int
    peak_count: int
    peak_p95_ms: float | None
    objective_ms: float | None = None


@dataclass(frozen=True)
class LatencyInventory:
    """Every measured server operation (``synthesis/latency.py``), busiest first."""

    routes: tuple[RouteLatency, ...]

    @property
    def total_requests(self) -> int:
        return sum(r.count for r in self.routes)

    def with_objective(self) -> list[RouteLatency]:
        return [r for r in self.routes if r.objective_ms is not None]


@dataclass(frozen=True)
class HistoryDigest:
    """What the history store says about the audited scope, for the report (``store/digest.py`` builds it
    after recording; the report never opens the store): trends, forecasts, MTTR and the late criticals."""

    runs: int
    #: series name (an area, ``open_total``, ``sla_breaches``) -> (run time, value), oldest first
    series: Mapping[str, tuple[tuple[int, float], ...]]
    forecasts: tuple[str, ...]
    sla_breaches: int
    #: MTTR over every resolved item: (items resolved, mean seconds); None when nothing was resolved yet
    mttr: tuple[int, float] | None
    #: open critical vulnerability items older than 7 days ("rule path")
    late_critical_cves: tuple[str, ...]


@dataclass(frozen=True)
class RootLatency:
    """One root operation of the traces (a request as the user sees it): its latency distribution and
    where its time goes on the critical path."""

    service: str
    operation: str
    count: int
    p50_ms: float
    p95_ms: float
    p99_ms: float
    #: (upper bound of the bucket in ms, root spans in it), buckets doubling from 1 ms
    histogram: tuple[tuple[float, int], ...]
    #: (hop, p95 ms of its critical-path time, mean share of the request), largest p95 first
    hops: tuple[tuple[str, float, float], ...]


@dataclass(frozen=True)
class LatencySummary:
    """The audit's measured latency per root operation (``redline audit --traces``), for the report."""

    roots: tuple[RootLatency, ...]
