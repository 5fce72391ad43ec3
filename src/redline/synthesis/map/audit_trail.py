"""Repudiation: a component that serves state-changing routes and keeps no audit trail of them.

The routes (``sources/code/routes``) belong to the component whose build context holds their file;
of several components built from one context (``web`` and ``worker`` from ``.``), those that serve
traffic (published ports, flows into them) take them. The control is detected when the component's
code shows an audit trail: an audit/history library (django-auditlog, django-simple-history,
django-reversion, easyaudit, pghistory, activity streams, SQLAlchemy-Continuum), an audit middleware,
a ``LogEntry``/``AuditLog``/``ActivityLog`` model or call, or an ``audit`` logger. Else it is missing,
with the state-changing routes as the evidence. Only routes declared for POST/PUT/PATCH/DELETE count.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator

from redline.core.filekinds import looks_like_test_or_sample
from redline.core.map_model import Seen
from redline.core.model import Severity
from redline.core.threat_model import ControlState, Stride
from redline.sources.code.model import Arg, CodeIndex
from redline.sources.code.routes import Route, RouteInventory
from redline.synthesis.map.builder import Draft, MapBuilder
from redline.synthesis.map.code import BuildOwners
from redline.synthesis.map.threats import ThreatDraft

#: import prefixes of audit-trail libraries
AUDIT_LIBRARIES = (
    "auditlog",
    "simple_history",
    "reversion",
    "easyaudit",
    "pghistory",
    "actstream",
    "sqlalchemy_continuum",
    "django_auditlog",
    "flask_audit",
    "django.contrib.admin.models.LogEntry",
)
#: names of audit-trail models, functions, loggers and middleware (``AuditLog``, ``log_audit_event``,
#: ``ActivityLog``, ``record_action_log``, ``AuditMiddleware``)
AUDIT_NAME = re.compile(r"(?i)audit|activity_?log|action_?log|\bLogEntry\b")
_MAX_EVIDENCE = 5
_STATE_CHANGING = frozenset({"POST", "PUT", "PATCH", "DELETE"})


def audit_trail_threats(
    builder: MapBuilder, inventories: Iterable[RouteInventory], indexes: Iterable[CodeIndex]
) -> list[ThreatDraft]:
    owners = BuildOwners(builder.drafts.values())
    routes: dict[str, list[Route]] = {}
    for inventory in inventories:
        for route in inventory.routes:
            if _changes_state(route) and not looks_like_test_or_sample(route.file):
                for draft in _serving(builder, owners.of(route.file)):
                    routes.setdefault(draft.id, []).append(route)
    if not routes:
        return []
    trail: dict[str, Seen] = {}
    for index in sorted(indexes, key=lambda i: i.path):
        if looks_like_test_or_sample(index.path):
            continue
        found = next(audit_evidence(index), None)
        if found is None:
            continue
        for draft in owners.of(index.path):
            trail.setdefault(draft.id, found)
    by_place = {cid: sorted(rs, key=lambda r: (r.file, r.line)) for cid, rs in routes.items()}
    return [_threat(cid, rs, trail.get(cid)) for cid, rs in sorted(by_place.items())]


def _changes_state(route: Route) -> bool:
    """Declared for POST, PUT, PATCH or DELETE: a view taking any method (a Django function view, an
    ``include``) is too often read-only to say so."""
    return any(m in _STATE_CHANGING for m in route.methods)


def _serving(builder: MapBuilder, drafts: list[Draft]) -> list[Draft]:
    """Of the components built from one context, those that take requests (else all of them)."""
    targets = {t for _s, t in builder.flows}
    serving = [d for d in drafts if d.exposure or d.id in targets or d.port_names]
    return serving or drafts


def audit_evidence(index: CodeIndex) -> Iterator[Seen]:
    """Where this module shows an audit trail, first place first."""
    for local, qualified in index.imports:
        if qualified.startswith(AUDIT_LIBRARIES):
            line = next((c.line for c in index.calls if (c.target or "").startswith(qualified)), 1)
            yield Seen(index.path, line, f"audit-trail library `{qualified}` (imported as `{local}`)")
    for definition in index.definitions:
        if AUDIT_NAME.search(definition.name):
            yield Seen(index.path, definition.line, f"audit-trail {definition.kind} `{definition.qualname}`")
    for call in index.calls:
        if AUDIT_NAME.search(call.raw) or _audit_logger(call.target, call.args):
            yield Seen(index.path, call.line, f"audit-trail call `{call.raw or call.target}(…)`")
    for assignment in index.assignments:
        if assignment.name in ("MIDDLEWARE", "INSTALLED_APPS"):
            hit = next((v for v in assignment.values if isinstance(v, str) and _audit_app(v)), None)
            if hit:
                yield Seen(index.path, assignment.line, f"`{hit}` in {assignment.name}")


def _audit_logger(target: str | None, args: Iterable[Arg]) -> bool:
    """``logging.getLogger("audit")``, ``getLogger("app.audit")``."""
    return target == "logging.getLogger" and any(isinstance(a.literal, str) and "audit" in a.literal for a in args)


def _audit_app(value: str) -> bool:
    return bool(AUDIT_NAME.search(value)) or value.split(".", 1)[0] in {
        "auditlog",
        "simple_history",
        "reversion",
        "easyaudit",
        "pghistory",
        "actstream",
    }


def _threat(cid: str, routes: list[Route], found: Seen | None) -> ThreatDraft:
    shown = ", ".join(f"{'/'.join(r.methods)} {r.path}" for r in routes[:3]) + (" …" if len(routes) > 3 else "")
    evidence = (
        (found,)
        if found
        else tuple(
            Seen(r.file, r.line, f"{'/'.join(r.methods)} {r.path} -> {r.handler}") for r in routes[:_MAX_EVIDENCE]
        )
    )
    return ThreatDraft(
        cid,
        "process",
        Stride.REPUDIATION,
        "no-audit-trail",
        f"`{cid}` serves {len(routes)} state-changing route(s) ({shown}) "
        + ("and keeps an audit trail" if found else "and no audit trail was found: a user can deny what they did"),
        "an audit trail: who changed what and when, for every state-changing request, kept out of the users' reach",
        ControlState.DETECTED if found else ControlState.MISSING,
        evidence,
        (),
        Severity.MEDIUM,
        "keep the access logs of these routes (user id, method, path, status) in a store the application "
        "cannot rewrite",
    )
