"""The known-images table, for the container checks: it lives in ``core/known_images`` so the map reads
the same rows (one table for what an image does at run time and what technology it is)."""

from __future__ import annotations

from redline.core.known_images import KnownImage, lookup, repository, table, unprivileged

__all__ = ["KnownImage", "lookup", "repository", "table", "unprivileged"]
