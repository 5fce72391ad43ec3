"""What every database check shares: the settings of the run, where a finding points, rule docs."""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from redline.checks.interface import CheckContext, ProjectCheck
from redline.core.evidence import EvidenceValue
from redline.core.facts import Facts
from redline.core.model import Finding, Location, Skipped
from redline.sources.postgres.model import Snapshot
from redline.sources.postgres.settings import POSTGRES_SECTION, PostgresSettings, settings_from

OPTION_KEY = "postgres_settings"
REF_MONITORING = "https://www.postgresql.org/docs/current/monitoring-stats.html"


def settings_of(ctx: CheckContext) -> PostgresSettings:
    """The settings the pipeline parsed once; parsed here only when a check runs on its own."""
    given = ctx.options.get(OPTION_KEY)
    return given if isinstance(given, PostgresSettings) else settings_from(ctx.config)


def location(snap: Snapshot, resource: str) -> Location:
    """A database finding points at ``postgres/<database>`` and the object (``table public.orders``)."""
    return Location(path=f"postgres/{snap.server.database}", resource=resource)


def mib(n: float) -> str:
    return f"{n / 1024**2:,.1f} MiB"


class SnapshotCheck(ProjectCheck):
    """A check over every PostgreSQL snapshot of the run."""

    fact_types = (Snapshot,)
    config_sections = (POSTGRES_SECTION,)

    def check(self, facts: Facts, ctx: CheckContext) -> Iterable[Finding | Skipped]:
        settings = settings_of(ctx)
        for snap in facts.of(Snapshot):
            yield from self.judge(snap, settings)

    def judge(self, snap: Snapshot, settings: PostgresSettings) -> Iterator[Finding | Skipped]:
        raise NotImplementedError


def ev(**values: EvidenceValue) -> dict[str, EvidenceValue]:
    """Structured evidence (table, ordered columns, statement ids, sizes) as typed values."""
    return dict(values)
