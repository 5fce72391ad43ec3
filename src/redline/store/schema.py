"""The history tables (SQLAlchemy Core). Changes go through a new Alembic revision in ``migrations/``.

Times are whole seconds since the epoch (UTC): portable across SQLite and PostgreSQL and cheap to
compare. An *item* is a root-cause item (``core/groups.py``): a group of findings of one rule and
cause, or one finding on its own; ``item_key`` is stable across runs.
"""

from __future__ import annotations

from sqlalchemy import BigInteger, Boolean, Column, ForeignKey, Index, Integer, MetaData, String, Table, Text

metadata = MetaData()

runs = Table(
    "runs",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("scope", String(512), nullable=False),
    Column("at", BigInteger, nullable=False),
    Column("branch", String(255), nullable=False, server_default=""),
    Column("revision", String(64), nullable=False, server_default=""),
    Column("full", Boolean, nullable=False),
    Column("findings", Integer, nullable=False),
    Column("items", Integer, nullable=False),
    Index("ix_runs_scope_at", "scope", "at"),
)

#: per run: findings and items by area, severity and component, and the tracked metrics after the run
run_counts = Table(
    "run_counts",
    metadata,
    Column("run_id", Integer, ForeignKey("runs.id", ondelete="CASCADE"), primary_key=True),
    Column("dimension", String(32), primary_key=True),  # area | severity | component | metric
    Column("name", String(255), primary_key=True),
    Column("value", BigInteger, nullable=False),
)

items = Table(
    "items",
    metadata,
    Column("scope", String(512), primary_key=True),
    Column("item_key", String(64), primary_key=True),
    Column("rule", String(32), nullable=False),
    Column("severity", Integer, nullable=False),
    Column("area", String(32), nullable=False),
    Column("component", String(255), nullable=False, server_default=""),
    Column("path", Text, nullable=False, server_default=""),
    Column("message", Text, nullable=False, server_default=""),
    Column("count", Integer, nullable=False),
    Column("first_seen", BigInteger, nullable=False),
    Column("last_seen", BigInteger, nullable=False),
    Column("opened_at", BigInteger, nullable=False),  # start of the current (or last) open episode
    Column("resolved_at", BigInteger, nullable=True),  # set while resolved, cleared when reopened
    Column("reopened", Integer, nullable=False, server_default="0"),
    Index("ix_items_scope_open", "scope", "resolved_at"),
)

#: every open-to-resolved episode that ended: the input of MTTR
resolutions = Table(
    "resolutions",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("scope", String(512), nullable=False),
    Column("item_key", String(64), nullable=False),
    Column("severity", Integer, nullable=False),
    Column("opened_at", BigInteger, nullable=False),
    Column("resolved_at", BigInteger, nullable=False),
    Index("ix_resolutions_scope", "scope", "severity"),
)
