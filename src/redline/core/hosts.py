"""Which host names are this machine: one list for every check that treats a loopback address as local-only."""

from __future__ import annotations

#: how a loopback host begins: ``127.x``, ``localhost``, IPv6 ``::1`` bracketed or bare
LOOPBACK_PREFIXES = ("127.", "localhost", "[::1]", "::1")


def is_loopback(host: str) -> bool:
    """The host is this machine (``localhost``, ``127.0.0.1``, ``[::1]``); compare lower-cased names."""
    return host.startswith(LOOPBACK_PREFIXES)
