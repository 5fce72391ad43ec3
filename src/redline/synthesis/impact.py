"""User impact (1-5) from reachability: is the finding on a path a user's request takes?

Facts, strongest first, each named in the reason:
- in the handler of an HTTP route (the code index's definition span of the route's view function);
- on a hot query (a statement taking a large share of the database's statement time);
- on a component reachable from the internet (the map: published ports, an ingress, a flow from outside),
  or called from one over the map's flows (a payments service behind an exposed orders API);
- on a component the map shows only internal (nothing exposed reaches it) — lower.
Measured traffic (traces) weighs a route: a route with a large share of the requests counts more, a route
the traces saw nothing of counts less. Nothing known: the neutral 3, saying what is missing.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

from redline.core.inventory import DatabaseInventory, LatencyInventory
from redline.core.map_model import Kind, SystemMap, Zone
from redline.core.model import Factor, Finding
from redline.sources.code.model import CodeIndex
from redline.sources.code.routes import RouteInventory

#: a statement this share of all statement time (or more) is hot (user impact 5), HOT_QUERY_SHARE / 4 warm (4)
HOT_QUERY_SHARE = 0.20
#: a route with this share of the measured server requests (or more) is a busy path (+1)
BUSY_ROUTE_SHARE = 0.10


@dataclass(frozen=True, slots=True)
class HandlerSpan:
    start: int
    end: int
    route: str  # "GET /orders"
    operation_keys: tuple[str, ...]  # how traces may name it: "GET /orders", "/orders"


@dataclass
class Reachability:
    """What the map, the code index, the traces and the database snapshot say, indexed for lookups."""

    handlers: dict[str, list[HandlerSpan]] = field(default_factory=dict)  # file -> handler spans
    internet_facing: dict[str, str] = field(default_factory=dict)  # component id -> how
    internal_only: set[str] = field(default_factory=set)
    query_share: dict[str, float] = field(default_factory=dict)  # queryid -> share of statement time
    traffic: dict[str, int] | None = None  # operation -> requests (None: no traces)
    total_requests: int = 0

    def handler_at(self, path: str, line: int) -> HandlerSpan | None:
        inside = [h for h in self.handlers.get(path, ()) if line and h.start <= line <= h.end]
        return min(inside, key=lambda h: h.end - h.start) if inside else None


def _definition_spans(index: CodeIndex) -> dict[str, tuple[int, int]]:
    spans: dict[str, tuple[int, int]] = {}
    for d in index.definitions:
        spans.setdefault(d.qualname, (d.line, d.end_line))
        spans.setdefault(d.name, (d.line, d.end_line))
    return spans


def handler_spans(routes: Iterable[RouteInventory], indexes: Iterable[CodeIndex]) -> dict[str, list[HandlerSpan]]:
    """Each route's view function as a line span of its file (routes whose handler the index lacks are left out)."""
    by_path = {i.path: i for i in indexes}
    spans: dict[str, dict[str, tuple[int, int]]] = {}
    out: dict[str, list[HandlerSpan]] = {}
    for inventory in routes:
        for r in inventory.routes:
            where = r.handler_file or r.file  # a Django view lives in views.py, its route in urls.py
            index = by_path.get(where)
            if index is None:
                continue
            defs = spans.setdefault(where, _definition_spans(index))
            span = defs.get(r.handler) or defs.get(r.handler.rsplit(".", 1)[-1])
            if span is None:
                continue
            methods = [m for m in r.methods if m != "ANY"]
            label = f"{' '.join(r.methods)} {r.path}"
            keys = (*(f"{m} {r.path}" for m in methods), r.path)
            out.setdefault(where, []).append(HandlerSpan(span[0], span[1], label, keys))
    return out


def exposure(system: SystemMap | None) -> tuple[dict[str, str], set[str]]:
    """(components on a user's path with how: exposed, or reached over flows from an exposed one; the
    components the map shows only internal: reached from nothing exposed)."""
    if system is None:
        return {}, set()
    facing: dict[str, str] = {}
    for f in system.flows:
        src = system.component(f.source)
        if src is not None and src.kind is Kind.INTERNET:
            facing.setdefault(f.target, "reached from the internet on the map")
    for c in system.components:
        if c.exposure:
            facing[c.id] = f"exposed: {c.exposure[0][0]} ({c.exposure[0][1]})"
        elif c.zone is Zone.EDGE:
            facing.setdefault(c.id, "in the edge zone")
    facing.update(_downstream(system, facing))
    internal = {
        c.id
        for c in system.components
        if c.id not in facing and c.zone in (Zone.INTERNAL, Zone.DATA) and c.kind is not Kind.INTERNET
    }
    return facing, internal


def _downstream(system: SystemMap, facing: Mapping[str, str]) -> dict[str, str]:
    """Components an exposed one calls, directly or not (breadth first: the shortest path is named)."""
    calls: dict[str, list[str]] = {}
    for f in system.flows:
        calls.setdefault(f.source, []).append(f.target)
    out: dict[str, str] = {}
    queue = [(cid, cid) for cid in sorted(facing)]
    seen = set(facing)
    while queue:
        nxt: list[tuple[str, str]] = []
        for cid, path in queue:
            for target in sorted(calls.get(cid, ())):
                if target not in seen:
                    seen.add(target)
                    route = f"{path} → {target}"
                    out[target] = f"on a user's path: called from an exposed component ({route})"
                    nxt.append((target, route))
        queue = nxt
    return out


def query_shares(db: DatabaseInventory | None) -> dict[str, float]:
    if db is None:
        return {}
    return {
        str(s["queryid"]): float(s.get("share") or 0.0)
        for entry in db.as_list()
        for s in entry.get("top_statements", [])
    }


def reachability(
    system: SystemMap | None,
    routes: Sequence[RouteInventory],
    indexes: Sequence[CodeIndex],
    latency: LatencyInventory | None,
    db: DatabaseInventory | None,
) -> Reachability:
    facing, internal = exposure(system)
    traffic: dict[str, int] | None = None
    if latency is not None:
        traffic = {}
        for r in latency.routes:
            traffic[r.route] = traffic.get(r.route, 0) + r.count
    return Reachability(
        handler_spans(routes, indexes) if routes else {},
        facing,
        internal,
        query_shares(db),
        traffic,
        latency.total_requests if latency is not None else 0,
    )


def _queryids(f: Finding) -> list[str]:
    ids = [str(q) for q in (f.evidence.get("queryid"),) if q is not None]
    statements = f.evidence.get("statements")
    if isinstance(statements, list | tuple):
        ids += [str(q) for q in statements]
    return ids


def _weighted(base: int, reason: str, handler: HandlerSpan, reach: Reachability) -> Factor:
    """A handler's impact weighed by its measured share of the requests (when traces exist)."""
    if reach.traffic is None or not reach.total_requests:
        return Factor(base, reason)
    seen = max((reach.traffic.get(k, 0) for k in handler.operation_keys), default=0)
    share = seen / reach.total_requests
    if seen == 0:
        return Factor(max(1, base - 1), f"{reason}; no requests to it in the traces")
    if share >= BUSY_ROUTE_SHARE:
        return Factor(min(5, base + 1), f"{reason}; {share:.0%} of the measured requests ({seen:,})")
    return Factor(base, f"{reason}; {share:.1%} of the measured requests ({seen:,})")


def user_impact(f: Finding, reach: Reachability) -> Factor | None:
    """The impact the facts decide, or None (neutral default) when none applies."""
    shares = [reach.query_share[q] for q in _queryids(f) if q in reach.query_share]
    if shares and max(shares) >= HOT_QUERY_SHARE / 4:
        top = max(shares)
        return Factor(5 if top >= HOT_QUERY_SHARE else 4, f"on a hot query: {top:.0%} of all statement time")
    facing = reach.internet_facing.get(f.component) if f.component else None
    handler = reach.handler_at(f.location.path, f.location.start_line)
    if handler is not None:
        base, reason = (
            (5, f"in the handler of {handler.route} on {f.component}, {facing}")
            if facing
            else (
                4,
                f"in the handler of {handler.route}",
            )
        )
        return _weighted(base, reason, handler, reach)
    if facing:
        return Factor(4, f"on {f.component}, {facing}")
    if f.component in reach.internal_only:
        return Factor(2, f"on {f.component}: internal only on the map (not exposed, called by nothing exposed)")
    return None


def impacts(findings: Iterable[Finding], reach: Reachability) -> Mapping[str, Factor]:
    """Fingerprint -> the decided impact, for findings whose check left impact unknown."""
    out: dict[str, Factor] = {}
    for f in findings:
        if f.priority.user_impact.known:
            continue
        factor = user_impact(f, reach)
        if factor is not None:
            out[f.fingerprint] = factor
    return out
