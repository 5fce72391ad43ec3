"""Supply-chain runs: the ``[supply_chain]`` settings with command-line overrides, the ``sbom`` command's
exploitation gate, and the vulnerability database's one location for ``audit``, ``sbom`` and ``db``."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import replace
from pathlib import Path
from typing import Any

from redline.checks.supply_chain.vulns import EXPLOITED, LIKELY_EXPLOITED
from redline.core.config import Config, ConfigError, OutputFormat, SectionSpec, find_config, load_config
from redline.core.evidence import Evidence
from redline.core.model import Finding
from redline.core.result import AuditResult
from redline.pipeline.run import AuditRequest
from redline.sources.advisories.database import (
    DB_FILENAME,
    AdvisoryDatabase,
    DatabaseError,
    DatabaseInfo,
    default_db_dir,
)
from redline.sources.advisories.fetch import DEFAULT_ECOSYSTEMS, ByteProgress, NoProgress
from redline.sources.advisories.settings import SECTION as SUPPLY_CHAIN
from redline.sources.advisories.settings import SupplyChainSettings, database_dir
from redline.sources.advisories.update import UpdateError, UpdateReport, update_database
from redline.synthesis.sbom import SbomStep

#: what the ``db`` command uses of the database source, re-exported so the CLI never imports sources
__all__ = [
    "DB_FILENAME",
    "DEFAULT_ECOSYSTEMS",
    "AdvisoryDatabase",
    "ByteProgress",
    "DatabaseError",
    "DatabaseInfo",
    "NoProgress",
    "UpdateError",
    "UpdateReport",
    "default_db_dir",
    "update_database",
]


def with_supply_chain_overrides(
    config: Config, *, db_dir: str | None = None, epss_threshold: float | None = None, fail_on_kev: bool = False
) -> Config:
    """``config`` with ``--db-dir``, ``--epss-threshold`` and ``--fail-on-kev`` applied to ``[supply_chain]``."""
    if epss_threshold is not None and not 0 <= epss_threshold <= 1:
        raise ConfigError("--epss-threshold must be within 0..1")
    settings = config.settings(SUPPLY_CHAIN)
    if db_dir:
        settings = replace(settings, db_dir=str(Path(db_dir).resolve()))
    if epss_threshold is not None:
        settings = replace(settings, epss_threshold=epss_threshold)
    if fail_on_kev:
        settings = replace(settings, fail_on_kev=True)
    return config.with_settings(SUPPLY_CHAIN, settings)


#: the rule families an SBOM is made of: vulnerabilities, licences, dependency pinning
SBOM_SELECT = ("VUL", "LIC", "DEP")


def sbom_request(req: AuditRequest) -> AuditRequest:
    """``req`` narrowed to the SBOM: the supply-chain rules (unless the user selected), the SBOM step only."""
    return replace(
        req,
        config=req.config.with_overrides(formats=(OutputFormat.CYCLONEDX,)),
        select=req.select or SBOM_SELECT,
        steps=[s for s in req.steps if isinstance(s, SbomStep)],
    )


def exploitation_gate(result: AuditResult, *, fail_on_kev: bool, epss_threshold: float | None) -> list[Finding]:
    """The active findings that fail ``sbom --fail-on-kev`` / ``--epss-threshold``."""

    def epss(f: Finding) -> float:  # the highest among the package version's advisories
        advisories = f.evidence.get("advisories")
        entries = [a for a in (advisories if isinstance(advisories, tuple) else ()) if isinstance(a, Evidence)]
        return max((a.nested("epss").number("probability") or 0.0 for a in [f.evidence, *entries]), default=0.0)

    return [
        f
        for f in result.active
        if (fail_on_kev and f.rule == EXPLOITED.code)
        or (
            epss_threshold is not None
            and f.rule in (EXPLOITED.code, LIKELY_EXPLOITED.code)
            and epss(f) >= epss_threshold
        )
    ]


def database_location(
    config_path: Path | None, db_dir: Path | None, sections: Iterable[SectionSpec[Any]]
) -> tuple[Path, SupplyChainSettings]:
    """Where ``db update``/``db status`` work, found as ``audit`` finds it: ``--db-dir``, else ``[supply_chain]
    db_dir`` of the configuration (``config_path`` or the one in the current directory, relative to its
    directory), else ``$REDLINE_DB_DIR``, else the cache. The configuration is validated against every
    table of the catalogue (``sections``), like ``audit`` does; a bad one raises ``ConfigError``."""
    path = config_path or find_config(Path.cwd())
    settings = load_config(path, sections).settings(SUPPLY_CHAIN)
    if db_dir is not None:
        return db_dir, settings
    return database_dir(settings, path.resolve().parent if path is not None else None), settings
