"""The first history schema: runs, run counts, items, resolutions.

Revision ID: 0001
Revises:
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "runs",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("scope", sa.String(512), nullable=False),
        sa.Column("at", sa.BigInteger, nullable=False),
        sa.Column("branch", sa.String(255), nullable=False, server_default=""),
        sa.Column("revision", sa.String(64), nullable=False, server_default=""),
        sa.Column("full", sa.Boolean, nullable=False),
        sa.Column("findings", sa.Integer, nullable=False),
        sa.Column("items", sa.Integer, nullable=False),
    )
    op.create_index("ix_runs_scope_at", "runs", ["scope", "at"])
    op.create_table(
        "run_counts",
        sa.Column("run_id", sa.Integer, sa.ForeignKey("runs.id", ondelete="CASCADE"), primary_key=True),
        sa.Column("dimension", sa.String(32), primary_key=True),
        sa.Column("name", sa.String(255), primary_key=True),
        sa.Column("value", sa.BigInteger, nullable=False),
    )
    op.create_table(
        "items",
        sa.Column("scope", sa.String(512), primary_key=True),
        sa.Column("item_key", sa.String(64), primary_key=True),
        sa.Column("rule", sa.String(32), nullable=False),
        sa.Column("severity", sa.Integer, nullable=False),
        sa.Column("area", sa.String(32), nullable=False),
        sa.Column("component", sa.String(255), nullable=False, server_default=""),
        sa.Column("path", sa.Text, nullable=False, server_default=""),
        sa.Column("message", sa.Text, nullable=False, server_default=""),
        sa.Column("count", sa.Integer, nullable=False),
        sa.Column("first_seen", sa.BigInteger, nullable=False),
        sa.Column("last_seen", sa.BigInteger, nullable=False),
        sa.Column("opened_at", sa.BigInteger, nullable=False),
        sa.Column("resolved_at", sa.BigInteger, nullable=True),
        sa.Column("reopened", sa.Integer, nullable=False, server_default="0"),
    )
    op.create_index("ix_items_scope_open", "items", ["scope", "resolved_at"])
    op.create_table(
        "resolutions",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("scope", sa.String(512), nullable=False),
        sa.Column("item_key", sa.String(64), nullable=False),
        sa.Column("severity", sa.Integer, nullable=False),
        sa.Column("opened_at", sa.BigInteger, nullable=False),
        sa.Column("resolved_at", sa.BigInteger, nullable=False),
    )
    op.create_index("ix_resolutions_scope", "resolutions", ["scope", "severity"])


def downgrade() -> None:
    op.drop_table("resolutions")
    op.drop_table("items")
    op.drop_table("run_counts")
    op.drop_table("runs")
