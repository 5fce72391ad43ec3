"""Alembic migrations of the history store, shipped with the package."""
