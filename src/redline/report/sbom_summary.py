"""The SBOM in a few lines for ``report.html``: components by ecosystem and scope, licences, and the
vulnerabilities by severity (the whole document is ``sbom.cdx.json``)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

#: licences and ecosystems listed (the rest are counted)
TOP = 8


@dataclass(frozen=True)
class SbomSummary:
    components: int
    ecosystems: tuple[tuple[str, int], ...]
    optional: int  # development / optional scope
    licences: tuple[tuple[str, int], ...]
    unlicensed: int
    vulnerabilities: tuple[tuple[str, int], ...]  # severity -> count, strongest first


def _ecosystem(c: Mapping[str, Any]) -> str:
    purl = str(c.get("purl") or "")
    return purl[4:].split("/", 1)[0] if purl.startswith("pkg:") else "unknown"


def _licences(c: Mapping[str, Any]) -> list[str]:
    out = []
    for entry in c.get("licenses") or []:
        if "expression" in entry:
            out.append(str(entry["expression"]))
        elif isinstance(entry.get("license"), Mapping):
            out.append(str(entry["license"].get("id") or entry["license"].get("name") or "?"))
    return out


_ORDER = ("critical", "high", "medium", "low", "info", "none", "unknown")


def summarise(doc: Mapping[str, Any] | None) -> SbomSummary | None:
    if not doc:
        return None
    components = [c for c in doc.get("components") or [] if c.get("type") != "application"]
    licences: Counter[str] = Counter()
    unlicensed = 0
    for c in components:
        found = _licences(c)
        licences.update(found)
        unlicensed += not found
    severities: Counter[str] = Counter()
    for v in doc.get("vulnerabilities") or []:
        ratings = [str(r.get("severity") or "unknown") for r in v.get("ratings") or []]
        severities[min(ratings or ["unknown"], key=lambda s: _ORDER.index(s) if s in _ORDER else len(_ORDER))] += 1
    return SbomSummary(
        len(components),
        tuple(Counter(_ecosystem(c) for c in components).most_common(TOP)),
        sum(1 for c in components if c.get("scope") == "optional"),
        tuple(licences.most_common(TOP)),
        unlicensed,
        tuple(sorted(severities.items(), key=lambda kv: _ORDER.index(kv[0]) if kv[0] in _ORDER else len(_ORDER))),
    )
