"""Alembic environment: always run by ``store.engine.migrate`` on a connection it already holds
(inside its lock and transaction), never from the ``alembic`` command line against a URL."""

from __future__ import annotations

from alembic import context

from redline.store.schema import metadata

connection = context.config.attributes["connection"]
context.configure(
    connection=connection,
    target_metadata=metadata,
    transactional_ddl=True,
    render_as_batch=connection.dialect.name == "sqlite",
)
with context.begin_transaction():
    context.run_migrations()
