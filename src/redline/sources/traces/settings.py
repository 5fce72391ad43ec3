"""The ``[traces]`` thresholds and the ``[slo."ROUTE"]`` latency objectives, each parsed once into a
frozen settings object. Declared here, in the source package, because checks and the pipeline both read
them (checks may import sources, not the reverse)."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field, fields
from fnmatch import fnmatchcase
from typing import Any

from redline.core.config import ConfigError, SectionSpec, Where, str_tuple


@dataclass(frozen=True)
class HopRule:
    """A span is on hop ``hop`` when its ``field`` (service, category, peer, kind, operation) matches
    the glob ``pattern``: ``[traces.hops] db = ["category=db"], edge = ["service=envoy*"]``."""

    hop: str
    field: str
    pattern: str


HOP_FIELDS = ("service", "category", "peer", "kind", "operation")


@dataclass(frozen=True)
class TracesSettings:
    """Detector thresholds. The defaults follow published practice (each rule's doc cites it)."""

    #: trace files or directories ``redline audit`` reads (relative to the audited root)
    paths: tuple[str, ...] = ()
    #: hosts (``host`` or ``host:port``, glob patterns) that belong to the system, never "third party"
    internal_hosts: tuple[str, ...] = ()
    n_plus_one_min_count: int = 5  # same statement under one parent
    n_plus_one_min_total_ms: float = 50.0
    chatty_min_calls: int = 10  # sequential calls to one host and route under one parent
    serial_min_saving_ms: float = 100.0  # what running the calls in parallel would save
    third_party_min_share: float = 0.10  # of the root span's duration
    slow_query_p95_ms: float = 100.0
    slow_query_min_count: int = 3
    hedge_min_samples: int = 100
    hedge_min_ratio: float = 3.0  # p99 / p50
    hedge_min_gain_ms: float = 20.0  # the p99 a hedge at p95 would save
    retry_min_attempts: int = 3  # identical calls under one parent, all but the last failing
    blocked_min_ms: float = 100.0  # a write that waited on another request's lock (TRC111)
    blocked_min_ratio: float = 5.0  # times the same statement's median
    #: hop tagging rules for latency budgets, first match wins; untagged spans count for their service
    hops: tuple[HopRule, ...] = ()

    def is_internal(self, peer: str) -> bool:
        host = peer.rsplit(":", 1)[0] if peer.count(":") == 1 else peer
        return any(fnmatchcase(peer, p) or fnmatchcase(host, p) for p in self.internal_hosts)


_NUMBER = (int, float)
_INT_KEYS = {f.name for f in fields(TracesSettings) if f.type == "int"}


def parse_traces(raw: Mapping[str, Any], where: Where) -> TracesSettings:
    values: dict[str, Any] = {}
    for key, value in raw.items():
        if key in ("internal_hosts", "paths"):
            values[key] = str_tuple(raw, key, where)
            continue
        if key == "hops":
            values[key] = _hop_rules(value, where)
            continue
        if key in _INT_KEYS and not float(value).is_integer():
            raise ConfigError(f"{where.key(key)} must be a whole number, got {value!r}")
        if value <= 0:
            raise ConfigError(f"{where.key(key)} must be positive, got {value!r}")
        values[key] = int(value) if key in _INT_KEYS else float(value)
    if values.get("third_party_min_share", 0.1) > 1:
        raise ConfigError(f"{where.key('third_party_min_share')} is a fraction of the root's latency (0 to 1)")
    return TracesSettings(**values)


def _hop_rules(table: Mapping[str, Any], where: Where) -> tuple[HopRule, ...]:
    rules = []
    for hop, patterns in table.items():
        items = patterns if isinstance(patterns, list) else [patterns]
        for item in items:
            field_name, sep, pattern = str(item).partition("=")
            if not sep or field_name.strip() not in HOP_FIELDS:
                raise ConfigError(
                    f"{where.key('hops.' + hop)}: {item!r} must be FIELD=GLOB with FIELD one of {', '.join(HOP_FIELDS)}"
                )
            rules.append(HopRule(hop, field_name.strip(), pattern.strip()))
    return tuple(rules)


TRACES_SECTION: SectionSpec[TracesSettings] = SectionSpec(
    name="traces",
    keys={
        "paths": list,
        "internal_hosts": list,
        "hops": dict,
        **{f.name: _NUMBER for f in fields(TracesSettings) if f.name not in ("paths", "internal_hosts", "hops")},
    },
    parse=parse_traces,
    doc="Thresholds of the trace detectors and the hosts that belong to the system.",
)


@dataclass(frozen=True)
class Slo:
    """One route's latency objective and how it is sliced between hops (milliseconds)."""

    route: str
    p95_ms: float
    budget: Mapping[str, float] = field(default_factory=dict)


@dataclass(frozen=True)
class SloSettings:
    slos: tuple[Slo, ...] = ()

    def for_route(self, operation: str) -> Slo | None:
        return next((s for s in self.slos if s.route == operation), None)


class _AnyRoute(Mapping[str, type]):
    """``[slo]`` keys are route names chosen by the user: every key is allowed and must be a table."""

    def __getitem__(self, key: str) -> type:
        return dict

    def __contains__(self, key: object) -> bool:
        return isinstance(key, str)

    def __iter__(self) -> Iterator[str]:
        return iter(())

    def __len__(self) -> int:
        return 0


def parse_slo(raw: Mapping[str, Any], where: Where) -> SloSettings:
    slos = []
    for route, table in sorted(raw.items()):
        key = f'"{route}"'
        unknown = set(table) - {"p95_ms", "budget"}
        if unknown:
            raise ConfigError(f"{where.key(key + '.' + sorted(unknown)[0])} is unknown (allowed: budget, p95_ms)")
        p95 = table.get("p95_ms")
        if isinstance(p95, bool) or not isinstance(p95, int | float) or p95 <= 0:
            raise ConfigError(f"{where.key(key + '.p95_ms')} must be a positive number of milliseconds")
        budget = table.get("budget", {})
        if not isinstance(budget, dict):
            raise ConfigError(f"{where.key(key + '.budget')} must be a table of hop = milliseconds")
        for hop, ms in budget.items():
            if isinstance(ms, bool) or not isinstance(ms, int | float) or ms < 0:
                raise ConfigError(f"{where.key(f'{key}.budget.{hop}')} must be a non-negative number of milliseconds")
        if sum(budget.values()) > p95:
            raise ConfigError(
                f"{where.key(key + '.budget')}: the hop budgets add up to {sum(budget.values()):g} ms, "
                f"more than the route's p95_ms = {p95:g}"
            )
        slos.append(Slo(route, float(p95), {h: float(v) for h, v in budget.items()}))
    return SloSettings(tuple(slos))


SLO_SECTION: SectionSpec[SloSettings] = SectionSpec(
    name="slo",
    keys=_AnyRoute(),
    parse=parse_slo,
    doc='Latency objectives per route: [slo."POST /checkout"] p95_ms = 300, and [slo."POST /checkout".budget] '
    "edge = 40, api = 120 … (the hop budgets must not add up to more than p95_ms).",
)
