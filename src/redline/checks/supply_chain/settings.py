"""The ``[supply_chain]`` configuration table: database location and age, gate policy, licence policy."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from redline.checks.interface import CheckError
from redline.core.config import SectionSpec

SECTION = SectionSpec(
    name="supply_chain",
    keys={
        "db_dir": str,
        "max_db_age_days": int,
        "fail_on_kev": bool,
        "epss_threshold": (float, int),
        "license_allow": list,
        "license_deny": list,
        "project_license": str,
    },
    doc="Vulnerability database (db_dir, max_db_age_days), gate (fail_on_kev, epss_threshold) "
        "and licence policy (license_allow, license_deny, project_license).",
)

DEFAULT_EPSS_THRESHOLD = 0.1
#: licence ids flagged in a proprietary project when no deny list is configured
DEFAULT_COPYLEFT = ("AGPL-", "GPL-", "SSPL-", "EUPL-", "OSL-", "CPAL-", "RPL-")


@dataclass(frozen=True)
class SupplyChainSettings:
    fail_on_kev: bool = False
    epss_threshold: float = DEFAULT_EPSS_THRESHOLD
    license_allow: tuple[str, ...] = ()
    license_deny: tuple[str, ...] = ()
    project_license: str = ""


def _strs(raw: Mapping[str, Any], key: str) -> tuple[str, ...]:
    value = raw.get(key, [])
    if not all(isinstance(v, str) for v in value):
        raise CheckError(f"[supply_chain] {key} must be a list of strings")
    return tuple(value)


def settings_from(raw: Mapping[str, Any]) -> SupplyChainSettings:
    threshold = float(raw.get("epss_threshold", DEFAULT_EPSS_THRESHOLD))
    if not 0.0 <= threshold <= 1.0:
        raise CheckError(f"[supply_chain] epss_threshold must be within 0..1, got {threshold}")
    return SupplyChainSettings(
        fail_on_kev=bool(raw.get("fail_on_kev", False)),
        epss_threshold=threshold,
        license_allow=_strs(raw, "license_allow"),
        license_deny=_strs(raw, "license_deny"),
        project_license=str(raw.get("project_license", "")),
    )
