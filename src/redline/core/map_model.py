"""The system map: components, flows, trust zones, colours and probes, each traced to where it was seen.

Built by the map synthesis step (``synthesis/map``) from facts only, carried on ``AuditResult.system_map``
and written by the map reporters. Every claim holds the ``Seen`` entries (file and line) it rests on.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from typing import Any


class Kind(enum.StrEnum):
    SERVICE = "service"
    FRONTEND = "frontend"
    JOB = "job"
    DATASTORE = "datastore"
    CACHE = "cache"
    QUEUE = "queue"
    OBJECT_STORE = "object-store"
    EXTERNAL_API = "external-api"
    IDENTITY = "identity-provider"
    EDGE = "edge"
    INTERNET = "internet"  # the outside world: the source of every flow into an exposed component
    UNKNOWN = "unknown"


class Zone(enum.StrEnum):
    """Trust zones, ordered from the outside in (the order the drawing lays them out)."""

    INTERNET = "internet"
    EDGE = "edge"
    INTERNAL = "internal"
    DATA = "data"
    THIRD_PARTY = "third-party"


ZONE_ORDER: tuple[Zone, ...] = (Zone.INTERNET, Zone.EDGE, Zone.INTERNAL, Zone.DATA, Zone.THIRD_PARTY)


class Colour(enum.StrEnum):
    """The five colours, strongest first: a component shows the first that applies, and keeps every reason."""

    RISKY = "risky"
    LEGACY = "legacy"
    UNKNOWN = "unknown"
    THIRD_PARTY = "third-party"
    CORE = "core"


COLOUR_ORDER: tuple[Colour, ...] = tuple(Colour)


class Tri(enum.StrEnum):
    """Authenticated / encrypted, as far as the facts say."""

    YES = "yes"
    NO = "no"
    UNKNOWN = "unknown"


@dataclass(frozen=True, slots=True, order=True)
class Seen:
    """One fact behind a claim: the file, its line(s), and what was read there."""

    path: str
    line: int
    what: str
    end_line: int = 0

    def as_dict(self) -> dict[str, Any]:
        return {"path": self.path, "line": self.line, "end_line": self.end_line or self.line, "what": self.what}

    def __str__(self) -> str:
        return f"{self.path}:{self.line}" if self.line else self.path


@dataclass(frozen=True, slots=True)
class Reason:
    colour: Colour
    why: str
    seen: tuple[Seen, ...] = ()

    def as_dict(self) -> dict[str, Any]:
        return {"colour": str(self.colour), "why": self.why, "seen": [s.as_dict() for s in self.seen]}


@dataclass(frozen=True, slots=True)
class Console:
    """An admin console a component serves (Grafana, Jaeger UI, RabbitMQ management …) and whether it
    asks for a login, as far as its image defaults and environment say."""

    name: str
    port: int
    authenticated: Tri
    why: str
    seen: Seen

    def as_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "port": self.port,
            "authenticated": str(self.authenticated),
            "why": self.why,
            **self.seen.as_dict(),
        }


#: a figure as shown and written to map.json: a number, or a short text (a statement, a table name)
Figure = int | float | str


@dataclass(frozen=True, slots=True)
class Measured:
    """What the running system says about a component: its traces, its database snapshot, its bill,
    with how the figures were joined to it (``service.name = checkout``, ``host db``, ``tag component``)."""

    source: str  # traces / postgres / cost
    matched_by: str
    figures: tuple[tuple[str, Figure], ...]  # (label, value), in display order

    def as_dict(self) -> dict[str, Any]:
        return {"source": self.source, "matched_by": self.matched_by, "figures": dict(self.figures)}


@dataclass(frozen=True)
class Component:
    """One real thing, however many sources show it."""

    id: str
    name: str
    kind: Kind
    zone: Zone
    technology: str = ""  # postgresql, redis, python 3.12, nginx …
    images: tuple[str, ...] = ()
    base_images: tuple[str, ...] = ()  # FROM of the Dockerfiles that build it
    built_here: bool = False
    exposure: tuple[tuple[str, Seen], ...] = ()  # (how it is reachable from outside, where) — published ports …
    seen: tuple[Seen, ...] = ()
    owners: tuple[str, ...] = ()
    colour: Colour = Colour.CORE
    reasons: tuple[Reason, ...] = ()
    findings: tuple[str, ...] = ()  # fingerprints of the findings on it
    aliases: tuple[str, ...] = ()  # other names it is addressed by (a K8s Service, a compose alias)
    consoles: tuple[Console, ...] = ()  # admin consoles it serves
    measured: tuple[Measured, ...] = ()  # traces, database snapshot and cost joined to it

    def as_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "name": self.name,
            "kind": str(self.kind),
            "zone": str(self.zone),
            "technology": self.technology,
            "images": list(self.images),
            "base_images": list(self.base_images),
            "built_here": self.built_here,
            "exposure": [{"how": how, **s.as_dict()} for how, s in self.exposure],
            "owners": list(self.owners),
            "colour": str(self.colour),
            "reasons": [r.as_dict() for r in self.reasons],
            "aliases": list(self.aliases),
            "findings": list(self.findings),
            "seen": [s.as_dict() for s in self.seen],
            "admin_consoles": [c.as_dict() for c in self.consoles],
            "measured": [m.as_dict() for m in self.measured],
        }


@dataclass(frozen=True)
class Flow:
    """``source`` calls (or sends to) ``target``."""

    source: str
    target: str
    protocol: str = ""
    port: int | None = None
    seen: tuple[Seen, ...] = ()
    crosses: bool = False  # crosses a trust-zone boundary
    encrypted: Tri = Tri.UNKNOWN
    authenticated: Tri = Tri.UNKNOWN

    @property
    def key(self) -> tuple[str, str]:
        return (self.source, self.target)

    def as_dict(self) -> dict[str, Any]:
        return {
            "source": self.source,
            "target": self.target,
            "protocol": self.protocol,
            "port": self.port,
            "crosses_boundary": self.crosses,
            "encrypted": str(self.encrypted),
            "authenticated": str(self.authenticated),
            "seen": [s.as_dict() for s in self.seen],
        }


@dataclass(frozen=True, slots=True)
class Probe:
    """An unknown turned into a concrete question, with where it was seen."""

    component: str
    question: str
    seen: tuple[Seen, ...] = ()

    def as_dict(self) -> dict[str, Any]:
        return {"component": self.component, "question": self.question, "seen": [s.as_dict() for s in self.seen]}


@dataclass(frozen=True)
class SystemMap:
    components: tuple[Component, ...]
    flows: tuple[Flow, ...]
    probes: tuple[Probe, ...] = ()
    problems: tuple[str, ...] = ()  # what the map could not reconcile (cycles, disagreeing files …)

    def component(self, cid: str) -> Component | None:
        return next((c for c in self.components if c.id == cid), None)

    def zones(self) -> dict[str, list[str]]:
        out: dict[str, list[str]] = {str(z): [] for z in ZONE_ORDER}
        for c in self.components:
            out[str(c.zone)].append(c.id)
        return out

    def as_dict(self) -> dict[str, Any]:
        return {
            "schema_version": "1.1",
            "components": [c.as_dict() for c in self.components],
            "flows": [f.as_dict() for f in self.flows],
            "zones": self.zones(),
            "probes": [p.as_dict() for p in self.probes],
            "problems": list(self.problems),
        }
