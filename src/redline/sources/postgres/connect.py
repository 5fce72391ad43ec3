"""A read-only, time-boxed session to the audited database (psycopg 3, imported only here).

Read-only by construction: the startup options set ``default_transaction_read_only``, short
``statement_timeout`` and ``lock_timeout`` and ``application_name = redline`` (so a DBA sees who is
there), the session sets them again (a pooler may drop startup options), and the session refuses to go on
unless the server confirms it is read-only. Errors never carry the password.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qsl, urlsplit

from redline.core.redact import redact_url
from redline.sources.postgres.settings import PostgresSettings

if TYPE_CHECKING:
    import psycopg

APPLICATION_NAME = "redline"
_SCHEMES = ("postgresql", "postgres")


class ConnectError(Exception):
    """The database cannot be audited; the message is safe to print (no password)."""


def password_of(url: str) -> str:
    try:
        parts = urlsplit(url)
        query = dict(parse_qsl(parts.query))
        return parts.password or query.get("password", "")
    except ValueError:
        return ""


def scrub(message: str, url: str) -> str:
    """An error message without the password, on one line."""
    secret = password_of(url)
    if secret:
        message = message.replace(secret, "***")
    return re.sub(r"\s+", " ", message).strip()


def check_url(url: str) -> None:
    try:
        parts = urlsplit(url)
    except ValueError:
        raise ConnectError(
            "the PostgreSQL URL cannot be parsed (expected postgresql://user@host:port/dbname)"
        ) from None
    if parts.scheme not in _SCHEMES:
        raise ConnectError(f"{redact_url(url)}: expected a postgresql:// URL")


def _options(settings: PostgresSettings) -> str:
    return (
        f"-c default_transaction_read_only=on -c statement_timeout={settings.statement_timeout_ms} "
        f"-c lock_timeout={settings.lock_timeout_ms} -c idle_in_transaction_session_timeout=60000"
    )


def open_session(settings: PostgresSettings) -> psycopg.Connection[Any]:
    """Connect, make the session read-only and time-boxed, and prove it."""
    check_url(settings.url)
    try:
        import psycopg  # noqa: PLC0415 - heavy, and only the database audit needs it
    except ImportError:
        raise ConnectError("psycopg is not installed: pip install 'psycopg[binary]'") from None
    try:
        # prepare_threshold=None: no automatic server-side prepared statements (the what-if step manages its
        # own, and a transaction-mode pooler in front would break them)
        conn = psycopg.connect(
            settings.url,
            autocommit=True,
            application_name=APPLICATION_NAME,
            connect_timeout=settings.connect_timeout_s,
            options=_options(settings),
            prepare_threshold=None,
        )
    except psycopg.Error as exc:
        raise ConnectError(f"cannot connect to {redact_url(settings.url)}: {scrub(str(exc), settings.url)}") from None
    try:
        conn.execute("/* redline */ SET default_transaction_read_only = on")
        conn.execute(f"/* redline */ SET statement_timeout = {int(settings.statement_timeout_ms)}")
        conn.execute(f"/* redline */ SET lock_timeout = {int(settings.lock_timeout_ms)}")
        conn.execute("/* redline */ SET application_name = 'redline'")
        row = conn.execute("/* redline */ SHOW transaction_read_only").fetchone()
    except psycopg.Error as exc:
        conn.close()
        raise ConnectError(
            f"{redact_url(settings.url)}: cannot configure the session: {scrub(str(exc), settings.url)}"
        ) from None
    if row is None or row[0] != "on":
        conn.close()
        raise ConnectError(f"{redact_url(settings.url)}: the session is not read-only; refusing to audit")
    return conn
