"""From drafts to the map: zones, the internet's flows, owners, colours with reasons, and probes."""

from __future__ import annotations

from collections.abc import Callable

from redline.core.map_model import (
    Colour,
    Component,
    Flow,
    Kind,
    Probe,
    Reason,
    Seen,
    SystemMap,
    Zone,
)
from redline.sources.ownership.codeowners import Ownership
from redline.synthesis.map.builder import Draft, DraftFlow, MapBuilder

INTERNET = "internet"
_DATA_KINDS = frozenset({Kind.DATASTORE, Kind.CACHE, Kind.QUEUE, Kind.OBJECT_STORE})
#: (component id) -> legacy reasons (EOL images and runtimes), supplied by the step
LegacyLookup = Callable[[Draft], list[Reason]]


def zone_of(draft: Draft) -> Zone:
    if draft.zone is not None:
        return draft.zone
    if draft.external:
        return Zone.THIRD_PARTY
    if draft.kind == Kind.EDGE:
        return Zone.EDGE
    if draft.kind in _DATA_KINDS:
        return Zone.DATA
    return Zone.INTERNAL


def add_internet(builder: MapBuilder) -> None:
    exposed = [d for d in builder.drafts.values() if d.exposure]
    if not exposed:
        return
    internet = Draft(INTERNET, "internet", Kind.INTERNET, zone=Zone.INTERNET)
    builder.drafts[INTERNET] = internet
    for draft in exposed:
        for how, seen in draft.exposure:
            builder.flow(
                INTERNET,
                draft.id,
                Seen(seen.path, seen.line, how, seen.end_line),
                protocol=draft.technology if draft.kind in _DATA_KINDS else "",
            )


def owners_of(draft: Draft, ownership: Ownership | None) -> tuple[str, ...]:
    if ownership is None:
        return ()
    paths = [f"{d}/Dockerfile" if d else "Dockerfile" for d in sorted(draft.build_dirs)] + [s.path for s in draft.seen]
    for path in paths:
        _rule, owners = ownership.owners_of(path)
        if owners:
            return owners
    return ()


def probes_for(draft: Draft) -> list[Probe]:
    if draft.id == INTERNET or draft.external:
        return []
    if not draft.deployed and draft.addressed_by:
        names = ", ".join(sorted({f"`{v}`" for v, _s in draft.addressed_by}))
        readers = sorted({s.what for _v, s in draft.addressed_by})
        return [
            Probe(
                draft.id,
                f"{names} points at `{draft.name}` ({'; '.join(readers)}) but no manifest deploys "
                f"it: who owns it, is it live?",
                tuple(s for _v, s in draft.addressed_by),
            )
        ]
    if not draft.deployed and draft.built_here:
        return [
            Probe(
                draft.id,
                f"`{draft.name}` is built here but nothing deploys it: is it live, where does it run?",
                tuple(draft.seen),
            )
        ]
    if draft.kind == Kind.UNKNOWN:
        return [
            Probe(draft.id, f"what is `{draft.name}`? Its technology cannot be told from the facts", tuple(draft.seen))
        ]
    return []


def colour_reasons(
    draft: Draft, probes: list[Probe], severe: dict[str, list[str]], legacy: LegacyLookup
) -> list[Reason]:
    reasons: list[Reason] = []
    if draft.id == INTERNET:
        return [Reason(Colour.THIRD_PARTY, "the internet: outside anyone's control")]
    if severe.get(draft.id):
        reasons.append(
            Reason(
                Colour.RISKY,
                f"{len(severe[draft.id])} critical/high finding(s): " + ", ".join(sorted(set(severe[draft.id]))[:5]),
            )
        )
    if draft.exposure and draft.kind in _DATA_KINDS:
        how, seen = draft.exposure[0]
        reasons.append(
            Reason(
                Colour.RISKY,
                f"{draft.kind} ({draft.technology or 'unknown technology'}) reachable from outside the network: {how}",
                (seen,),
            )
        )
    reasons += legacy(draft)
    reasons += [Reason(Colour.UNKNOWN, p.question, p.seen) for p in probes]
    third = _third_party(draft)
    if third:
        reasons.append(third)
    if not reasons:
        reasons.append(Reason(Colour.CORE, "first-party, built and deployed here", tuple(draft.seen[:1])))
    return reasons


def _third_party(draft: Draft) -> Reason | None:
    if draft.external:
        return Reason(Colour.THIRD_PARTY, "external host outside the repository", tuple(draft.seen[:1]))
    if draft.managed:
        return Reason(Colour.THIRD_PARTY, "managed cloud service", tuple(draft.seen[:1]))
    if draft.images and not draft.built_here:
        return Reason(Colour.THIRD_PARTY, f"image `{draft.images[0]}` is pulled, not built here", tuple(draft.seen[:1]))
    return None


def to_component(
    draft: Draft, zone: Zone, owners: tuple[str, ...], reasons: list[Reason], findings: tuple[str, ...]
) -> Component:
    order = list(Colour)
    colour = min((r.colour for r in reasons), key=order.index) if reasons else Colour.CORE
    return Component(
        id=draft.id,
        name=draft.name,
        kind=draft.kind,
        zone=zone,
        technology=draft.technology,
        images=tuple(draft.images),
        base_images=tuple(sorted({b for b, _s in draft.base_images})),
        built_here=draft.built_here,
        exposure=tuple(draft.exposure),
        seen=tuple(sorted(draft.seen)),
        owners=owners,
        colour=colour,
        reasons=tuple(reasons),
        findings=findings,
        aliases=tuple(sorted(draft.aliases)),
        consoles=tuple(draft.consoles),
        measured=tuple(draft.measured),
    )


def to_flow(flow: DraftFlow, zones: dict[str, Zone], drafts: dict[str, Draft]) -> Flow:
    crosses = zones.get(flow.source) != zones.get(flow.target)
    target = drafts.get(flow.target)
    if not flow.protocol and target is not None and flow.port in target.port_names:
        flow.protocol = target.port_names[flow.port]  # type: ignore[index]
    return Flow(
        flow.source,
        flow.target,
        flow.protocol,
        flow.port,
        tuple(sorted(flow.seen)),
        crosses,
        flow.encrypted,
        flow.authenticated,
    )


def finish(
    builder: MapBuilder,
    ownership: Ownership | None,
    severe: dict[str, list[str]],
    findings_of: dict[str, tuple[str, ...]],
    legacy: LegacyLookup,
) -> SystemMap:
    add_internet(builder)
    zones = {d.id: zone_of(d) for d in builder.drafts.values()}
    components: list[Component] = []
    probes: list[Probe] = []
    for draft in sorted(builder.drafts.values(), key=lambda d: d.id):
        mine = probes_for(draft)
        probes += mine
        reasons = colour_reasons(draft, mine, severe, legacy)
        components.append(
            to_component(draft, zones[draft.id], owners_of(draft, ownership), reasons, findings_of.get(draft.id, ()))
        )
    flows = tuple(to_flow(f, zones, builder.drafts) for _k, f in sorted(builder.flows.items()))
    return SystemMap(tuple(components), flows, tuple(probes), tuple(builder.problems))
