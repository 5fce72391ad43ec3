"""The ``[cost]`` table, parsed once into a frozen dataclass every cost module reads.

Defaults are documented here and in the README; a wrong key or type is a ``ConfigError`` naming it.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from redline.core.config import Config, ConfigError, SectionSpec, Where

METRICS = ("EffectiveCost", "BilledCost", "ListCost")
SPREADS = ("requests", "direct", "even", "none")


@dataclass(frozen=True)
class CostSettings:
    #: tag keys, first match wins, naming the component (service) of a charge
    service_tags: tuple[str, ...] = (
        "application",
        "service",
        "app",
        "k8s-label/app",
        "app.kubernetes.io/name",
        "aws:cloudformation:stack-name",
    )
    tenant_tags: tuple[str, ...] = ("tenant", "tenant_id", "customer")
    feature_tags: tuple[str, ...] = ("feature",)
    environment_tags: tuple[str, ...] = ("env", "environment", "stage")
    #: component -> regular expressions matched (search, case-insensitive) against ResourceId / ResourceName
    components: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    #: feature -> route prefixes ("/checkout", "POST /orders"); requests on those routes belong to it
    features: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    #: how unallocated (shared) cost is spread over components: requests | direct | even | none
    shared_spread: str = "requests"
    metric: str = "EffectiveCost"
    unallocated_share: float = 0.10  # COST101 above this share of spend
    growth_threshold: float = 0.20  # COST103: cost per request up more than this month over month
    tenant_skew_ratio: float = 2.0  # COST104: cost share at least this multiple of request share
    tenant_min_share: float = 0.05  # COST104: ... and at least this share of the component's cost
    transfer_share: float = 0.25  # COST105: data transfer above this share of a component's cost
    log_retention_months: float = 12.0  # COST106: stored log volume above this many months of ingestion
    commitment_min_days: int = 21  # COST107: on-demand spend on at least this many days of the month
    commitment_max_variation: float = 0.25  # COST107: daily spend coefficient of variation at most this
    min_amount: float = 1.0  # findings below this amount (in the charge currency) are noise


def _strings(raw: Mapping[str, Any], key: str, where: str) -> tuple[str, ...] | None:
    if key not in raw:
        return None
    value = raw[key]
    if not isinstance(value, list) or not all(isinstance(v, str) and v for v in value):
        raise ConfigError(f"{where}: key 'cost.{key}' must be a list of non-empty strings")
    return tuple(value)


def _table_of_lists(raw: Mapping[str, Any], key: str, where: str, *, regex: bool) -> dict[str, tuple[str, ...]]:
    out: dict[str, tuple[str, ...]] = {}
    for name, value in dict(raw.get(key, {})).items():
        items = [value] if isinstance(value, str) else value
        if not isinstance(items, list) or not all(isinstance(v, str) and v for v in items):
            raise ConfigError(f"{where}: key 'cost.{key}.{name}' must be a string or a list of strings")
        if regex:
            for pattern in items:
                try:
                    re.compile(pattern)
                except re.error as exc:
                    raise ConfigError(f"{where}: key 'cost.{key}.{name}': bad pattern {pattern!r}: {exc}") from None
        out[str(name)] = tuple(items)
    return out


def _choice(raw: Mapping[str, Any], key: str, allowed: tuple[str, ...], default: str, where: str) -> str:
    value = raw.get(key, default)
    if value not in allowed:
        raise ConfigError(f"{where}: key 'cost.{key}' must be one of {', '.join(allowed)}, got {value!r}")
    return str(value)


def parse_cost_settings(raw: Mapping[str, Any], where: str = "redline.toml") -> CostSettings:
    """Build the settings from an already type-checked ``[cost]`` table."""
    base = CostSettings()
    changes: dict[str, Any] = {}
    for key in ("service_tags", "tenant_tags", "feature_tags", "environment_tags"):
        value = _strings(raw, key, where)
        if value is not None:
            changes[key] = value
    for key in (
        "unallocated_share",
        "growth_threshold",
        "tenant_skew_ratio",
        "tenant_min_share",
        "transfer_share",
        "log_retention_months",
        "commitment_max_variation",
        "min_amount",
    ):
        if key in raw:
            if raw[key] < 0:
                raise ConfigError(f"{where}: key 'cost.{key}' must not be negative")
            changes[key] = float(raw[key])
    if "commitment_min_days" in raw:
        changes["commitment_min_days"] = int(raw["commitment_min_days"])
    return CostSettings(
        **{
            **{k: getattr(base, k) for k in base.__dataclass_fields__},
            **changes,
            "components": _table_of_lists(raw, "components", where, regex=True),
            "features": _table_of_lists(raw, "features", where, regex=False),
            "shared_spread": _choice(raw, "shared_spread", SPREADS, base.shared_spread, where),
            "metric": _choice(raw, "metric", METRICS, base.metric, where),
        }
    )


def _parse(raw: Mapping[str, Any], where: Where) -> CostSettings:
    return parse_cost_settings(raw, where.source or "redline.toml")


SECTION: SectionSpec[CostSettings] = SectionSpec(
    name="cost",
    keys={
        "service_tags": list,
        "tenant_tags": list,
        "feature_tags": list,
        "environment_tags": list,
        "components": dict,
        "features": dict,
        "shared_spread": str,
        "metric": str,
        "unallocated_share": (int, float),
        "growth_threshold": (int, float),
        "tenant_skew_ratio": (int, float),
        "tenant_min_share": (int, float),
        "transfer_share": (int, float),
        "log_retention_months": (int, float),
        "commitment_min_days": int,
        "commitment_max_variation": (int, float),
        "min_amount": (int, float),
    },
    parse=_parse,
    doc="cost allocation (tag keys, resource patterns, shared-cost spreading, features) and waste thresholds",
)


def cost_settings(config: Config) -> CostSettings:
    """The ``[cost]`` table of ``config``, parsed once at load (its defaults when the file has none)."""
    return config.settings(SECTION)
