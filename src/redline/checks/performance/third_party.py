"""Synchronous third-party calls on the request path, with their share of the user's wait."""

from __future__ import annotations

import ipaddress
from collections import defaultdict
from collections.abc import Iterable

from redline.checks.performance.common import Occurrence, Pattern, TraceCheck, examples, location, ms
from redline.core.model import Area, Finding, Severity
from redline.core.rules import Rule, RuleDoc
from redline.sources.traces.settings import TracesSettings
from redline.sources.traces.store import SpanStore

THIRD_PARTY_SYNC = Rule(
    code="TRC104",
    name="synchronous-third-party-call",
    area=Area.PERFORMANCE,
    severity=Severity.MEDIUM,
    summary="A request waits on a third-party service for a large share of its latency",
    doc=RuleDoc(
        what_it_does="In the traces, finds client HTTP/RPC calls made while a user request (a root server span) "
        "waits, to a peer that is not one of the system's own services (not a traced service, no server span "
        "under the call, not a private address or cluster-internal name, not in `[traces] internal_hosts`), "
        "taking at least 10% of the request's duration (median, `third_party_min_share`).",
        why_bad="A third party's latency, rate limits and outages become yours, and you cannot fix them: its "
        "tail lands on your users' tail and a slow day at the vendor fills your worker pool with waiting "
        "requests.",
        example="def checkout():\n"
        "    fraud = requests.post('https://api.fraudvendor.example/score', json=o, timeout=10)",
        use_instead="Take the call off the request path (queue it and answer 202, or score asynchronously), or "
        "bound it tightly: a short timeout, a circuit breaker and a cached or default answer.",
        references=(
            "https://learn.microsoft.com/en-us/azure/architecture/patterns/async-request-reply",
            "https://martinfowler.com/bliki/CircuitBreaker.html",
        ),
    ),
)

_SQL = """
WITH roots AS (
  SELECT trace_id, operation AS root_op, service AS root_service, start_us + dur_us AS root_end, dur_us AS root_us
  FROM spans WHERE parent_id IS NULL AND kind = 'server' AND dur_us > 0
), traced AS (
  SELECT DISTINCT trace_id, parent_id AS span_id FROM spans WHERE kind = 'server' AND parent_id IS NOT NULL
)
SELECT r.root_service, r.root_op, s.peer, s.trace_id, s.span_id, s.dur_us, r.root_us, s.file_no
FROM spans s JOIN roots r USING (trace_id)
LEFT JOIN traced t ON t.trace_id = s.trace_id AND t.span_id = s.span_id
WHERE s.kind = 'client' AND s.category IN ('http', 'rpc') AND s.peer IS NOT NULL AND t.span_id IS NULL
  AND s.start_us + s.dur_us <= r.root_end
"""


_PRIVATE_SUFFIXES = (".local", ".internal", ".svc", ".cluster.local", ".lan", ".localdomain", ".consul", ".intranet")


def own_service(peer: str, services: frozenset[str]) -> bool:
    """Whether ``peer`` belongs to the system: a traced service (``inventory``, ``inventory:8080``,
    ``inventory.shop.svc.cluster.local``), a cluster-internal name (one DNS label, or a private suffix),
    or a private, loopback or link-local address. Anything else is a third party."""
    host = _host(peer.lower())
    if host in services or host.split(".", 1)[0] in services:
        return True
    try:
        address = ipaddress.ip_address(host.strip("[]"))
    except ValueError:
        return "." not in host or host.endswith(_PRIVATE_SUFFIXES)
    return not address.is_global


def _host(peer: str) -> str:
    if peer.startswith("["):  # [::1]:8080
        return peer.split("]", 1)[0] + "]"
    return peer.rsplit(":", 1)[0] if peer.count(":") == 1 else peer


class ThirdPartyCallCheck(TraceCheck):
    name = "trace-third-party-call"
    rules = (THIRD_PARTY_SYNC,)

    def detect(self, store: SpanStore, settings: TracesSettings) -> Iterable[Finding]:
        services = frozenset(s.lower() for (s,) in store.query("SELECT DISTINCT service FROM spans"))
        patterns: dict[tuple[str, str, str], Pattern] = defaultdict(Pattern)
        for root_service, root_op, peer, trace_id, span_id, dur_us, root_us, file_no in store.query(_SQL):
            if own_service(peer, services) or settings.is_internal(peer):
                continue
            patterns[(root_service, root_op, peer)].add(
                Occurrence(trace_id, [span_id], ms(dur_us), file_no, {"share": dur_us / root_us})
            )
        for (service, root_op, peer), pattern in sorted(patterns.items()):
            share = pattern.median("share")
            if share < settings.third_party_min_share:
                continue
            yield self.finding(
                THIRD_PARTY_SYNC,
                f"{service} '{root_op}' waits on third party {peer} for {share:.0%} of the request (median, "
                f"{pattern.median():g} ms) in {pattern.traces} trace(s)",
                location(store, pattern, f"{service} {root_op} -> {peer}"),
                evidence={
                    "service": service,
                    "operation": root_op,
                    "peer": peer,
                    "median_share": round(share, 3),
                    "median_call_ms": pattern.median(),
                    "traces": pattern.traces,
                    **examples(pattern),
                },
                remediation=f"Move the call to {peer} off the request path (a queue and a worker, or a cached "
                "answer refreshed in the background); where the answer is needed now, give it a timeout well "
                "under the route's latency objective, a circuit breaker and a fallback. If it is one of your "
                "own services, add it to `[traces] internal_hosts`.",
                identity=f"{service}|{root_op}|{peer}",
            )
