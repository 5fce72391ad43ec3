"""STRIDE per element, then the concrete threats the facts show, each with its control (detected or
missing, with evidence), the findings behind it, an owner, a compensating control and a deadline.

Concrete threats:
- a data store, cache, queue or admin console reachable from the internet → Spoofing and Elevation
  (nothing authenticates in front of it);
- a flow across a trust boundary that is unencrypted → Tampering and Information disclosure; an
  encrypted one is the same threat with the control detected (mitigated);
- privileged containers, container-runtime socket mounts, wildcard IAM/RBAC (their findings) → Elevation;
- calls without a timeout in a component the internet reaches (RES findings) → Denial of service;
- an admin console (Grafana, Jaeger UI, Consul …) reachable from outside that answers anyone → Spoofing
  (one that asks for a login: the same threat, control detected);
- state-changing routes without an audit trail (``audit_trail.py``, passed in as ``extra``) → Repudiation.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta

from redline.core.map_model import Component, Kind, Seen, SystemMap, Tri, Zone
from redline.core.model import Finding, Severity
from redline.core.threat_model import ControlState, Stride, Threat, ThreatModel, ThreatStatus
from redline.synthesis.map.classify import ADMIN_PORTS
from redline.synthesis.map.settings import Acceptances, ThreatSettings, judge

_PROCESS = frozenset({Kind.SERVICE, Kind.FRONTEND, Kind.JOB, Kind.EDGE, Kind.UNKNOWN})
_STORE = frozenset({Kind.DATASTORE, Kind.CACHE, Kind.QUEUE, Kind.OBJECT_STORE})
ALL = tuple(Stride)
STORE_CATS = (Stride.TAMPERING, Stride.REPUDIATION, Stride.INFORMATION_DISCLOSURE, Stride.DENIAL_OF_SERVICE)
FLOW_CATS = (Stride.TAMPERING, Stride.INFORMATION_DISCLOSURE, Stride.DENIAL_OF_SERVICE)
EXTERNAL_CATS = (Stride.SPOOFING, Stride.REPUDIATION)
#: findings that mean "more privilege than needed": privileged containers, runtime sockets, wildcard grants
_ELEVATION_RULES = frozenset({"CMP101", "CMP102", "KUB102", "KUB110", "KUB130", "KUB131", "TF105", "TF107"})
_TARGET_PORT = re.compile(r"-> (\d+)$")


def element_type(c: Component) -> str:
    if c.kind in _STORE:
        return "data-store"
    if c.kind in _PROCESS and c.zone not in (Zone.INTERNET, Zone.THIRD_PARTY):
        return "process"
    return "external-entity"


def categories(kind: str) -> tuple[Stride, ...]:
    return {"process": ALL, "data-store": STORE_CATS, "flow": FLOW_CATS}.get(kind, EXTERNAL_CATS)


def threat_id(element: str, category: Stride, cause: str) -> str:
    digest = hashlib.sha256(f"{element}\x1f{category}\x1f{cause}".encode()).hexdigest()[:10]
    return f"TM-{category}-{digest}"


@dataclass
class ThreatDraft:
    """A concrete threat before the register fills in its id, owner, deadline and status."""

    element: str
    etype: str
    category: Stride
    cause: str
    title: str
    control: str
    state: ControlState
    evidence: tuple[Seen, ...]
    findings: tuple[str, ...]
    severity: Severity
    compensating: str


def _exposed(m: SystemMap) -> dict[str, Component]:
    reached = {f.target for f in m.flows if f.source == "internet"}
    return {c.id: c for c in m.components if c.id in reached}


def _entry_threats(m: SystemMap) -> Iterable[ThreatDraft]:
    for c in _exposed(m).values():
        admin = sorted(
            {
                ADMIN_PORTS[int(p.group(1))]
                for how, _s in c.exposure
                if (p := _TARGET_PORT.search(how)) and int(p.group(1)) in ADMIN_PORTS and c.kind in _STORE
            }
        )
        if c.kind not in _STORE and not admin:
            continue
        what = f"{c.kind} ({c.technology or 'unknown technology'})" + (f" and {', '.join(admin)}" if admin else "")
        evidence = tuple(s for _h, s in c.exposure)
        for cat, title in (
            (Stride.SPOOFING, f"anyone on the internet can connect to {what} `{c.id}` as a client"),
            (
                Stride.ELEVATION_OF_PRIVILEGE,
                f"an internet client of `{c.id}` gets direct data-tier "
                "access, past every service that should mediate it",
            ),
        ):
            yield ThreatDraft(
                c.id,
                element_type(c),
                cat,
                "internet-facing-data-tier",
                title,
                "not reachable from outside: bind to a private network or loopback, authenticate clients",
                ControlState.MISSING,
                evidence,
                c.findings,
                Severity.HIGH,
                "firewall the published port to known addresses; rotate the credentials it uses",
            )


def _reaches(how: str, port: int) -> bool:
    """A published port aimed at the console's port, or an exposure that names no target port (a
    LoadBalancer/NodePort Service, an Ingress, a public cloud resource)."""
    target = _TARGET_PORT.search(how)
    return target is None or int(target.group(1)) == port


def _console_threats(m: SystemMap) -> Iterable[ThreatDraft]:
    for c in _exposed(m).values():
        for console in c.consoles:
            reached = [s for how, s in c.exposure if _reaches(how, console.port)]
            if not reached or console.authenticated == Tri.UNKNOWN:
                continue
            done = console.authenticated == Tri.YES
            places = {(s.path, s.line) for s in reached}
            yield ThreatDraft(
                c.id,
                element_type(c),
                Stride.SPOOFING,
                f"open-admin-console:{console.name}",
                f"{console.name} of `{c.id}` is reachable from outside the network "
                + ("and asks for a login" if done else "and answers anyone: its data and settings are open"),
                "a login in front of every admin console (SSO or the console's own users), and no public port",
                ControlState.DETECTED if done else ControlState.MISSING,
                (*reached, *([console.seen] if (console.seen.path, console.seen.line) not in places else [])),
                c.findings,
                Severity.HIGH,
                "bind the console's port to loopback or a VPN and reach it through an SSH tunnel",
            )


def _flow_threats(m: SystemMap) -> Iterable[ThreatDraft]:
    for f in m.flows:
        if not f.crosses or f.source == "internet" or f.encrypted == Tri.UNKNOWN:
            continue
        element = f"{f.source} -> {f.target}"
        done = f.encrypted == Tri.YES
        state = ControlState.DETECTED if done else ControlState.MISSING
        proto = f"{f.protocol or 'traffic'}{f':{f.port}' if f.port else ''}"
        for cat, harm in ((Stride.TAMPERING, "altered"), (Stride.INFORMATION_DISCLOSURE, "read")):
            title = (
                f"{proto} from `{f.source}` to `{f.target}` crosses a trust boundary "
                f"{'encrypted' if done else 'in plain text'}: it can be {harm} in transit"
            )
            yield ThreatDraft(
                element,
                "flow",
                cat,
                "boundary-flow",
                title,
                "TLS on the connection (verified peer)",
                state,
                f.seen,
                (),
                Severity.MEDIUM,
                "keep the path on a private network segment; limit who can sniff or route it",
            )


def _finding_threats(m: SystemMap, findings: list[Finding]) -> Iterable[ThreatDraft]:
    exposed = _exposed(m)
    by_component: dict[tuple[str, Stride], list[Finding]] = {}
    for f in findings:
        if not f.component or f.suppressed is not None:
            continue
        if f.rule in _ELEVATION_RULES:
            by_component.setdefault((f.component, Stride.ELEVATION_OF_PRIVILEGE), []).append(f)
        elif f.rule.startswith("RES") and f.component in exposed:
            by_component.setdefault((f.component, Stride.DENIAL_OF_SERVICE), []).append(f)
    for (cid, cat), group in sorted(by_component.items()):
        c = m.component(cid)
        etype = element_type(c) if c is not None else "process"
        evidence = tuple(
            Seen(f.location.path, f.location.start_line, f"{f.rule}: {f.message[:80]}")
            for f in sorted(group, key=Finding.sort_key)
        )
        worst = max(f.severity for f in group)
        if cat == Stride.ELEVATION_OF_PRIVILEGE:
            yield ThreatDraft(
                cid,
                etype,
                cat,
                "excess-privilege",
                f"`{cid}` runs with more privilege than it needs "
                f"({', '.join(sorted({f.rule for f in group}))}): a compromise takes over the host or account",
                "least privilege: no privileged mode, no runtime socket, scoped grants",
                ControlState.MISSING,
                evidence,
                tuple(f.fingerprint for f in group),
                worst,
                "isolate it on dedicated nodes/accounts and alert on its use of the granted privilege",
            )
        else:
            yield ThreatDraft(
                cid,
                etype,
                cat,
                "no-timeout-public-path",
                f"`{cid}` is reached from the internet and "
                "makes calls without a timeout: one slow dependency exhausts its workers",
                "timeouts (and bounded queues) on every outbound call of a public path",
                ControlState.MISSING,
                evidence,
                tuple(f.fingerprint for f in group),
                worst,
                "rate-limit at the edge and watch worker saturation",
            )


def build_threats(
    m: SystemMap,
    findings: list[Finding],
    settings: ThreatSettings,
    acceptances: Acceptances,
    extra: Iterable[ThreatDraft] = (),
) -> ThreatModel:
    """The register: STRIDE per element, the threats read off the map and ``extra`` ones derived from
    other facts (no audit trail for state-changing routes)."""
    today = settings.as_of or date.today()
    elements = [(c.id, element_type(c), categories(element_type(c))) for c in m.components]
    elements += [(f"{f.source} -> {f.target}", "flow", FLOW_CATS) for f in m.flows]
    drafts = [*_entry_threats(m), *_console_threats(m), *_flow_threats(m), *_finding_threats(m, findings), *extra]
    rejected: list[str] = []
    honoured: dict[str, str] = {}
    for entry in acceptances.entries:
        why = judge(entry, settings, today)
        if why:
            rejected.append(why)
        else:
            honoured[entry.target] = (
                f"{entry.reason} (approved by {entry.approved_by}"
                f"{' on ' + entry.approved_on.isoformat() if entry.approved_on else ''}, "
                f"expires {entry.expires.isoformat() if entry.expires else '?'})"
            )
    owners = {c.id: ", ".join(c.owners) for c in m.components}
    threats = [_threat(d, owners, settings, today, honoured) for d in drafts]
    known = {t.id for t in threats} | {fp for t in threats for fp in t.findings}
    rejected += [
        f"[[accept]] entry {e.index} ({e.target}): no threat or finding has this id: not applied"
        for e in acceptances.entries
        if e.target not in known and e.target in honoured
    ]
    order = {s: i for i, s in enumerate(("critical", "high", "medium", "low", "info"))}
    threats.sort(key=lambda t: (t.status != ThreatStatus.OPEN, order.get(t.severity, 9), t.element, t.category))
    return ThreatModel(tuple(elements), tuple(threats), tuple(rejected))


def _threat(
    d: ThreatDraft, owners: dict[str, str], settings: ThreatSettings, today: date, honoured: dict[str, str]
) -> Threat:
    tid = threat_id(d.element, d.category, d.cause)
    severity = str(d.severity)
    owner = owners.get(d.element) or owners.get(d.element.split(" -> ", 1)[0]) or "unassigned"
    accepted = honoured.get(tid) or next((honoured[fp] for fp in d.findings if fp in honoured), "")
    if d.state == ControlState.DETECTED:
        status, deadline = ThreatStatus.MITIGATED, None
    elif accepted:
        status, deadline = ThreatStatus.ACCEPTED, None
    else:
        status = ThreatStatus.OPEN
        deadline = today + timedelta(days=settings.sla_days.get(severity, settings.sla_days["low"]))
    return Threat(
        tid,
        d.element,
        d.etype,
        d.category,
        d.title,
        d.control,
        d.state,
        d.evidence,
        d.findings,
        severity,
        owner,
        d.compensating,
        deadline,
        status,
        accepted,
    )
