"""The typed facts the cost source produces: small aggregates, never the export's rows."""

from __future__ import annotations

from dataclasses import dataclass, field

from redline.sources.cost.settings import CostSettings

UNALLOCATED = "(unallocated)"


@dataclass(frozen=True, slots=True)
class CostLine:
    """One resource's charges of one kind in one month (the grain every table rolls up from)."""

    month: str  # YYYY-MM of ChargePeriodStart
    provider: str
    currency: str
    component: str  # UNALLOCATED when no tag or pattern names it
    component_via: str  # "tag", "pattern" or ""
    tenant: str
    feature: str
    environment: str
    resource_id: str
    resource_name: str
    resource_type: str
    service_name: str
    service_category: str
    charge_category: str
    pricing: str  # on-demand | committed | spot | other | ""
    usage_kind: str  # see sources.cost.engine.USAGE_KINDS
    cost: float  # the selected metric
    billed: float
    effective: float
    list_cost: float
    quantity: float
    rows: int
    days: int  # days of the month with a charge


@dataclass(frozen=True, slots=True)
class DailyCost:
    day: str  # YYYY-MM-DD
    currency: str
    provider: str
    component: str
    tenant: str
    service_name: str
    commitment_eligible: bool  # on-demand usage of compute or databases
    cost: float


@dataclass(frozen=True, slots=True)
class ExportFile:
    """One export file that was read, with what could not be used in it."""

    path: str
    dialect: str
    version: str
    rows: int
    null_cost_rows: int  # the metric was NULL (counted as zero)
    undated_rows: int  # ChargePeriodStart unreadable (left out)


@dataclass(frozen=True, slots=True)
class RequestCount:
    day: str
    service: str
    tenant: str
    route: str
    count: float


@dataclass(frozen=True)
class CostDataset:
    """Everything the cost checks and the cost report read, built once per run."""

    settings: CostSettings
    files: tuple[ExportFile, ...]
    lines: tuple[CostLine, ...]
    daily: tuple[DailyCost, ...]
    requests: tuple[RequestCount, ...] = ()
    request_sources: tuple[str, ...] = ()
    problems: tuple[tuple[str, str], ...] = field(default=())  # (file, reason) not covered

    @property
    def has_requests(self) -> bool:
        return bool(self.requests)
