"""The threat model: STRIDE per element and the concrete threats the facts show, as a register with owner,
compensating control, deadline and status. Built by the map step (``synthesis/map/threats.py``)."""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import date
from typing import Any

from redline.core.map_model import Seen


class Stride(enum.StrEnum):
    SPOOFING = "S"
    TAMPERING = "T"
    REPUDIATION = "R"
    INFORMATION_DISCLOSURE = "I"
    DENIAL_OF_SERVICE = "D"
    ELEVATION_OF_PRIVILEGE = "E"


class ControlState(enum.StrEnum):
    DETECTED = "detected"  # the facts show the control (evidence says where)
    MISSING = "missing"  # the facts show its absence


class ThreatStatus(enum.StrEnum):
    OPEN = "open"
    MITIGATED = "mitigated"  # the control was detected
    ACCEPTED = "accepted"  # a valid, unexpired [[accept]] entry


@dataclass(frozen=True)
class Threat:
    id: str  # stable: the same element, category and cause give the same id run after run
    element: str  # a component id, or "source -> target" for a flow
    element_type: str  # process, data-store, flow, external-entity
    category: Stride
    title: str
    control: str  # the control that mitigates it
    control_state: ControlState
    evidence: tuple[Seen, ...]
    findings: tuple[str, ...]  # fingerprints of the findings behind it
    severity: str  # critical, high, medium, low
    owner: str
    compensating: str  # what to do until the control is in place
    deadline: date | None  # from severity and the SLA; None once mitigated
    status: ThreatStatus
    acceptance: str = ""  # "reason (approved_by on approved_on, expires …)" when accepted

    def as_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "element": self.element,
            "element_type": self.element_type,
            "category": str(self.category),
            "title": self.title,
            "control": self.control,
            "control_state": str(self.control_state),
            "evidence": [s.as_dict() for s in self.evidence],
            "findings": list(self.findings),
            "severity": self.severity,
            "owner": self.owner,
            "compensating_control": self.compensating,
            "deadline": self.deadline.isoformat() if self.deadline else None,
            "status": str(self.status),
            "acceptance": self.acceptance,
        }


@dataclass(frozen=True)
class ThreatModel:
    #: element -> the STRIDE categories that apply to its type (processes all six; data stores T, R, I, D; …)
    elements: tuple[tuple[str, str, tuple[Stride, ...]], ...]
    threats: tuple[Threat, ...]
    rejected: tuple[str, ...] = ()  # [[accept]] entries that were not honoured, each naming the entry and why

    def as_dict(self) -> dict[str, Any]:
        return {
            "elements": [{"element": e, "type": t, "stride": [str(c) for c in cats]} for e, t, cats in self.elements],
            "threats": [t.as_dict() for t in self.threats],
            "rejected_acceptances": list(self.rejected),
        }
