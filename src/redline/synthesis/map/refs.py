"""References the collectors gather before every component is known, resolved once all are."""

from __future__ import annotations

from dataclasses import dataclass

from redline.core.map_model import Seen


@dataclass(frozen=True, slots=True)
class AddressRef:
    """``component`` reads variable ``name`` holding ``value`` (maybe an address)."""

    component: str
    name: str
    value: str
    seen: Seen


@dataclass(frozen=True, slots=True)
class DependsRef:
    """``component`` depends on (or links to, or may talk to) ``target`` by name."""

    component: str
    target: str
    seen: Seen
    port: int | None = None
    protocol: str = ""
