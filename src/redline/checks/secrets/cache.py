"""Where the secret scanner keeps what is costly to rebuild: the cache of :mod:`redline.core.cache`."""

from __future__ import annotations

import os

from redline.core.cache import cache_dir, read_entry, write_entry

__all__ = ["cache_dir", "machine", "read_entry", "write_entry"]


def machine() -> str:
    """The CPU architecture a compiled Hyperscan database is for (part of its cache key):
    ``platform.machine()``, without importing ``platform`` where ``os.uname`` says the same."""
    if hasattr(os, "uname"):
        return os.uname().machine
    import platform  # noqa: PLC0415

    return platform.machine()
