"""The ``[supply_chain]`` table: database location and age (read by the database source), gate
policy and licence policy (read by the supply-chain checks). Parsed once, at config load."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from redline.core.config import ConfigError, SectionSpec, Where, str_tuple
from redline.sources.advisories.database import default_db_dir

DEFAULT_EPSS_THRESHOLD = 0.1
DEFAULT_MAX_AGE_DAYS = 7
#: licence ids flagged in a proprietary project when no deny list is configured
DEFAULT_COPYLEFT = ("AGPL-", "GPL-", "SSPL-", "EUPL-", "OSL-", "CPAL-", "RPL-")


@dataclass(frozen=True)
class SupplyChainSettings:
    db_dir: str = ""  # as written: relative to the audited root unless absolute; "" = environment or cache
    max_db_age_days: int = DEFAULT_MAX_AGE_DAYS
    fail_on_kev: bool = False
    epss_threshold: float = DEFAULT_EPSS_THRESHOLD
    license_allow: tuple[str, ...] = ()
    license_deny: tuple[str, ...] = ()
    project_license: str = ""


def parse_supply_chain(raw: Mapping[str, Any], where: Where) -> SupplyChainSettings:
    threshold = float(raw.get("epss_threshold", DEFAULT_EPSS_THRESHOLD))
    if not 0.0 <= threshold <= 1.0:
        raise ConfigError(f"{where.key('epss_threshold')} must be within 0..1, got {threshold}")
    max_age = raw.get("max_db_age_days", DEFAULT_MAX_AGE_DAYS)
    if max_age < 0:
        raise ConfigError(f"{where.key('max_db_age_days')} must not be negative, got {max_age}")
    db_dir = raw.get("db_dir", "")
    if "db_dir" in raw and not db_dir.strip():
        raise ConfigError(f"{where.key('db_dir')} must not be empty")
    return SupplyChainSettings(
        db_dir=db_dir.strip(),
        max_db_age_days=max_age,
        fail_on_kev=raw.get("fail_on_kev", False),
        epss_threshold=threshold,
        license_allow=str_tuple(raw, "license_allow", where),
        license_deny=str_tuple(raw, "license_deny", where),
        project_license=raw.get("project_license", ""),
    )


SECTION: SectionSpec[SupplyChainSettings] = SectionSpec(
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
    parse=parse_supply_chain,
    doc="Vulnerability database (db_dir, max_db_age_days), gate (fail_on_kev, epss_threshold) "
    "and licence policy (license_allow, license_deny, project_license).",
)


def database_dir(settings: SupplyChainSettings, root: Path | None = None) -> Path:
    """The one lookup of the database directory, for ``audit``, ``sbom`` and ``db``: ``db_dir``
    (relative to ``root``), else ``$REDLINE_DB_DIR``, else the XDG cache."""
    if settings.db_dir:
        path = Path(settings.db_dir).expanduser()
        return path if path.is_absolute() or root is None else root / path
    env = os.environ.get("REDLINE_DB_DIR")
    return Path(env) if env else default_db_dir()
