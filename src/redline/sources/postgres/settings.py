"""The ``[postgres]`` table, parsed once into frozen settings.

The URL comes from ``--postgres``/``db-audit URL``, else ``$REDLINE_POSTGRES_URL``, else ``url`` in the
table; it is kept only in memory and only ever shown redacted.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import Any

from redline.core.config import Config, ConfigError, SectionSpec, Where

ENV_URL = "REDLINE_POSTGRES_URL"


class SettingsError(ConfigError):
    """A ``[postgres]`` value is out of range; the message names the key."""


@dataclass(frozen=True, slots=True)
class PostgresSettings:
    url: str = ""
    statement_timeout_ms: int = 5000  # every statement of the audit session
    lock_timeout_ms: int = 500  # never queue behind the application's locks
    connect_timeout_s: int = 10
    max_statements: int = 5000  # pg_stat_statements rows read, heaviest first
    top_statements: int = 10  # the "top queries" listed
    slow_query_ms: float = 20.0  # mean time per call that counts as slow
    slow_query_calls: int = 100  # fewer calls are not a frequent statement (PgHero's default)
    heavy_query_share: float = 0.05  # share of all statement time that counts as heavy
    min_table_rows: int = 10_000  # smaller tables are not worth an index or a seq-scan finding
    idle_in_transaction_s: float = 60.0
    long_transaction_s: float = 300.0
    hypopg: bool = True  # confirm index proposals with hypothetical indexes when hypopg is installed
    pgstattuple: bool = True  # measure btree bloat with pgstatindex when pgstattuple is installed

    def __repr__(self) -> str:  # the URL may hold a password: never in a repr, a log line or a traceback
        return f"PostgresSettings(url={'<set>' if self.url else '<unset>'}, ...)"


_POSITIVE = ("statement_timeout_ms", "lock_timeout_ms", "connect_timeout_s", "max_statements", "top_statements")
_NON_NEGATIVE = ("slow_query_ms", "slow_query_calls", "min_table_rows", "idle_in_transaction_s", "long_transaction_s")


def parse_postgres(raw: Mapping[str, Any], where: Where) -> PostgresSettings:
    """The ``[postgres]`` table, checked once at config load (the URL is resolved per run)."""
    section = dict(raw)
    for key in _POSITIVE:
        if key in section and section[key] <= 0:
            raise SettingsError(f"{where.key(key)} must be positive")
    for key in _NON_NEGATIVE:
        if key in section and section[key] < 0:
            raise SettingsError(f"{where.key(key)} must not be negative")
    share = section.get("heavy_query_share", 0.05)
    if not 0 < share <= 1:
        raise SettingsError(f"{where.key('heavy_query_share')} must be in (0, 1]")
    for key in ("slow_query_ms", "heavy_query_share", "idle_in_transaction_s", "long_transaction_s"):
        if key in section:
            section[key] = float(section[key])
    return PostgresSettings(**section)


POSTGRES_SECTION: SectionSpec[PostgresSettings] = SectionSpec(
    name="postgres",
    keys={
        "url": str,
        "statement_timeout_ms": int,
        "lock_timeout_ms": int,
        "connect_timeout_s": int,
        "max_statements": int,
        "top_statements": int,
        "slow_query_ms": (int, float),
        "slow_query_calls": int,
        "heavy_query_share": (int, float),
        "min_table_rows": int,
        "idle_in_transaction_s": (int, float),
        "long_transaction_s": (int, float),
        "hypopg": bool,
        "pgstattuple": bool,
    },
    parse=parse_postgres,
    doc="live PostgreSQL audit: connection, timeouts and thresholds",
)


def settings_from(
    config: Config, *, url: str | None = None, environ: Mapping[str, str] | None = None, **overrides: Any
) -> PostgresSettings:
    """Settings for a run: the table, then the environment's URL, then the command line's."""
    table = config.settings(POSTGRES_SECTION)
    env = environ if environ is not None else {}
    return replace(table, url=url or env.get(ENV_URL) or table.url, **overrides)
