"""Opening a history store: a SQLite file or any SQLAlchemy URL, migrated to the current schema.

Concurrent writers are safe: on SQLite every write transaction starts with ``BEGIN IMMEDIATE`` (one
writer at a time, others wait up to ``BUSY_SECONDS``, readers go on under WAL); on PostgreSQL a
transaction-scoped advisory lock serialises writers of one scope (and the migration).
"""

from __future__ import annotations

import zlib
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config as AlembicConfig
from sqlalchemy import Connection, Engine, create_engine, event, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, NoSuchModuleError, SQLAlchemyError

BUSY_SECONDS = 60
MIGRATION_LOCK = "redline-history-migration"


class StoreError(RuntimeError):
    """The store cannot be opened or written; the message names it (never its password)."""


def store_url(spec: str, root: Path | None = None) -> str:
    """A SQLAlchemy URL from ``spec``: a URL as given (``postgresql://`` uses psycopg 3), or a file path
    (relative to ``root``) as a SQLite database."""
    if "://" not in spec:
        path = Path(spec)
        if root is not None and not path.is_absolute():
            path = root / path
        return f"sqlite:///{path.resolve()}"
    if spec.startswith(("postgresql://", "postgres://")):
        return "postgresql+psycopg://" + spec.split("://", 1)[1]
    return spec


def safe_name(url: str) -> str:
    """The URL without its password, for messages."""
    try:
        return make_url(url).render_as_string(hide_password=True)
    except ArgumentError:
        return "<unparseable store URL>"


def _sqlite_engine(url: str) -> Engine:
    database = make_url(url).database
    if database and database != ":memory:":
        Path(database).parent.mkdir(parents=True, exist_ok=True)
    engine = create_engine(url, connect_args={"timeout": BUSY_SECONDS})

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn: Any, _record: Any) -> None:
        dbapi_conn.isolation_level = None  # SQLAlchemy emits BEGIN itself (below), not the driver
        cur = dbapi_conn.cursor()
        cur.execute("PRAGMA journal_mode=WAL")
        cur.execute("PRAGMA foreign_keys=ON")
        cur.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Connection) -> None:
        conn.exec_driver_sql("BEGIN IMMEDIATE")

    return engine


def lock(conn: Connection, name: str) -> None:
    """Serialise writers of ``name`` until the transaction ends (SQLite: already, by BEGIN IMMEDIATE)."""
    if conn.dialect.name == "postgresql":
        conn.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": zlib.crc32(name.encode())})


def open_store(spec: str, root: Path | None = None) -> Engine:
    """An engine on the store, its schema migrated to the newest revision."""
    url = store_url(spec, root)
    try:
        engine = _sqlite_engine(url) if url.startswith("sqlite") else create_engine(url, pool_pre_ping=True)
        migrate(engine)
    except (ArgumentError, NoSuchModuleError) as exc:
        raise StoreError(f"history store {safe_name(url)}: not a usable database URL ({exc})") from None
    except (SQLAlchemyError, OSError) as exc:
        raise StoreError(f"history store {safe_name(url)}: cannot open: {_reason(exc)}") from None
    return engine


def _reason(exc: BaseException) -> str:
    orig = getattr(exc, "orig", None)
    return str(orig or exc).strip().splitlines()[0] if str(orig or exc).strip() else type(exc).__name__


def migrate(engine: Engine) -> None:
    """Apply the package's Alembic revisions, under the lock, in one transaction."""
    cfg = AlembicConfig()
    cfg.set_main_option("script_location", str(Path(__file__).parent / "migrations"))
    with engine.begin() as conn:
        lock(conn, MIGRATION_LOCK)
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, "head")
