"""Where the secret scanner keeps what is costly to rebuild: the cache of :mod:`redline.core.cache`."""

from __future__ import annotations

from redline.core.cache import cache_dir, read_entry, write_entry

__all__ = ["cache_dir", "read_entry", "write_entry"]
