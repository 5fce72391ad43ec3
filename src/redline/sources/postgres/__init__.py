"""PostgreSQL as a source: a read-only snapshot of catalog and statistics views, replayable from JSON.

``redline audit --postgres URL`` adds ``PostgresSource`` to the run; ``redline db-audit`` uses
``snapshot_database`` or ``read_snapshot`` directly. Checks only ever see the ``Snapshot`` fact.
"""

from __future__ import annotations

import os

from redline.core.model import Skipped, Stage, ToolError
from redline.sources.interface import FileSource, ProjectContext, ProjectOutput, ProjectSource, empty_output
from redline.sources.postgres.model import Snapshot

#: which checks each kind of gap leaves blind
AFFECTS = {
    "statements": "top queries (DB101), missing indexes (DB103), statements behind seq scans (DB102)",
    "column-stats": "missing indexes (DB103), bloat estimates (DB107)",
    "hypopg": "confirmation of index proposals (DB103)",
    "pgstattuple": "measured index bloat (DB107)",
    "sequences": "sequence exhaustion (DB113)",
    "activity": "lock waits and long transactions (DB104, DB105)",
}


def not_covered(snap: Snapshot) -> list[Skipped]:
    """What the snapshot could not read, with the checks it blinds and the fix: never silent."""
    return [
        Skipped(
            f"postgres/{snap.server.database}",
            f"{gap.section}: {gap.reason}; affects {AFFECTS.get(gap.section, gap.section)}; fix: {gap.fix}",
        )
        for gap in snap.gaps
    ]


class PostgresSource(ProjectSource):
    """Takes the snapshot when a URL is given (``--postgres``, ``$REDLINE_POSTGRES_URL`` or ``[postgres] url``)."""

    name = "postgres"
    produces = Snapshot

    def __init__(self, url: str | None = None) -> None:
        self._url = url

    def collect(self, ctx: ProjectContext) -> ProjectOutput:
        from redline.core.redact import redact_url  # noqa: PLC0415
        from redline.sources.postgres.connect import ConnectError  # noqa: PLC0415
        from redline.sources.postgres.live import snapshot_database  # noqa: PLC0415
        from redline.sources.postgres.settings import SettingsError, settings_from  # noqa: PLC0415

        try:
            settings = settings_from(ctx.config, url=self._url, environ=os.environ)
        except SettingsError as exc:
            return ProjectOutput([], [ToolError("postgres", str(exc), stage=Stage.SOURCE, fatal=True)], [])
        if not settings.url:
            return empty_output()
        try:
            snap = snapshot_database(settings)
        except ConnectError as exc:
            error = ToolError(redact_url(settings.url), str(exc), stage=Stage.SOURCE, fatal=True)
            return ProjectOutput([], [error], [])
        return ProjectOutput([snap], [], not_covered(snap))


def file_sources() -> list[FileSource]:
    return []


def project_sources() -> list[ProjectSource]:
    return [PostgresSource()]
