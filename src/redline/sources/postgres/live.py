"""A live snapshot: connect read-only, read every view, confirm index candidates with hypopg, close."""

from __future__ import annotations

from dataclasses import replace

from redline.core.redact import redact_url
from redline.sources.postgres.collect import take_snapshot
from redline.sources.postgres.connect import ConnectError, open_session, scrub
from redline.sources.postgres.model import Snapshot
from redline.sources.postgres.settings import PostgresSettings
from redline.sources.postgres.whatif import confirm


def snapshot_database(settings: PostgresSettings) -> Snapshot:
    """Raises ``ConnectError`` (a safe message) when the database cannot be read at all."""
    conn = open_session(settings)
    import psycopg  # noqa: PLC0415 - open_session proved it is importable

    try:
        snap = take_snapshot(conn, settings)
        if settings.hypopg:
            whatifs, gaps = confirm(conn, snap)
            snap = replace(snap, whatifs=whatifs, gaps=(*snap.gaps, *gaps))
        return snap
    except psycopg.Error as exc:
        raise ConnectError(f"{redact_url(settings.url)}: {scrub(str(exc), settings.url)}") from None
    finally:
        conn.close()
