"""CVSS base scores computed from the vector string (v3.0/v3.1 and v2).

FIRST's formulas, kept small and tested against NVD's published scores.
v3.1: https://www.first.org/cvss/v3.1/specification-document#7-4-Metric-Values
v2:   https://www.first.org/cvss/v2/guide#3-2-1-Base-Equation
"""

from __future__ import annotations

import math

from redline.core.model import Severity

_V3 = {
    "AV": {"N": 0.85, "A": 0.62, "L": 0.55, "P": 0.2},
    "AC": {"L": 0.77, "H": 0.44},
    "UI": {"N": 0.85, "R": 0.62},
    "C": {"H": 0.56, "L": 0.22, "N": 0.0},
    "I": {"H": 0.56, "L": 0.22, "N": 0.0},
    "A": {"H": 0.56, "L": 0.22, "N": 0.0},
}
_PR = {"U": {"N": 0.85, "L": 0.62, "H": 0.27}, "C": {"N": 0.85, "L": 0.68, "H": 0.5}}


class CvssError(ValueError):
    """The vector is not a valid CVSS vector of a supported version."""


def _roundup(value: float) -> float:
    """CVSS v3.1 Roundup: the smallest number with one decimal >= value, free of float noise."""
    scaled = round(value * 100_000)
    if scaled % 10_000 == 0:
        return scaled / 100_000
    return (math.floor(scaled / 10_000) + 1) / 10.0


def _metrics(parts: list[str]) -> dict[str, str]:
    out: dict[str, str] = {}
    for part in parts:
        key, sep, value = part.partition(":")
        if not sep or key in out:
            raise CvssError(f"bad or repeated metric {part!r}")
        out[key] = value
    return out


def cvss3_base_score(vector: str) -> float:
    parts = vector.strip().split("/")
    if not parts[0].startswith("CVSS:3."):
        raise CvssError(f"not a CVSS v3 vector: {vector!r}")
    m = _metrics(parts[1:])
    try:
        scope = m["S"]
        pr = _PR[scope][m["PR"]]
        av, ac, ui = _V3["AV"][m["AV"]], _V3["AC"][m["AC"]], _V3["UI"][m["UI"]]
        c, i, a = _V3["C"][m["C"]], _V3["I"][m["I"]], _V3["A"][m["A"]]
    except KeyError as exc:
        raise CvssError(f"CVSS v3 vector {vector!r} lacks or misstates base metric {exc}") from None
    iss = 1 - (1 - c) * (1 - i) * (1 - a)
    impact = 6.42 * iss if scope == "U" else 7.52 * (iss - 0.029) - 3.25 * (iss - 0.02) ** 15
    exploitability = 8.22 * av * ac * pr * ui
    if impact <= 0:
        return 0.0
    if scope == "U":
        return _roundup(min(impact + exploitability, 10))
    return _roundup(min(1.08 * (impact + exploitability), 10))


_V2 = {
    "AV": {"L": 0.395, "A": 0.646, "N": 1.0},
    "AC": {"H": 0.35, "M": 0.61, "L": 0.71},
    "Au": {"M": 0.45, "S": 0.56, "N": 0.704},
    "C": {"N": 0.0, "P": 0.275, "C": 0.660},
    "I": {"N": 0.0, "P": 0.275, "C": 0.660},
    "A": {"N": 0.0, "P": 0.275, "C": 0.660},
}


def cvss2_base_score(vector: str) -> float:
    m = _metrics(vector.strip().removeprefix("(").removesuffix(")").split("/"))
    try:
        v = {k: _V2[k][m[k]] for k in _V2}
    except KeyError as exc:
        raise CvssError(f"CVSS v2 vector {vector!r} lacks or misstates base metric {exc}") from None
    impact = 10.41 * (1 - (1 - v["C"]) * (1 - v["I"]) * (1 - v["A"]))
    exploitability = 20 * v["AV"] * v["AC"] * v["Au"]
    f = 0.0 if impact == 0 else 1.176
    return round((0.6 * impact + 0.4 * exploitability - 1.5) * f + 1e-9, 1)


def base_score(kind: str, vector: str) -> float | None:
    """The base score for an OSV ``severity`` entry, or None for types we do not compute (v4)."""
    if kind == "CVSS_V3" or vector.startswith("CVSS:3."):
        return cvss3_base_score(vector)
    if kind == "CVSS_V2":
        return cvss2_base_score(vector)
    return None


def severity_of_score(score: float) -> Severity:
    """The qualitative rating scale shared by v3 and v4 (0.1-3.9 low … 9.0-10 critical)."""
    if score >= 9.0:
        return Severity.CRITICAL
    if score >= 7.0:
        return Severity.HIGH
    if score >= 4.0:
        return Severity.MEDIUM
    if score > 0:
        return Severity.LOW
    return Severity.INFO


_DB_SEVERITY = {
    "LOW": Severity.LOW,
    "MODERATE": Severity.MEDIUM,
    "MEDIUM": Severity.MEDIUM,
    "HIGH": Severity.HIGH,
    "CRITICAL": Severity.CRITICAL,
}


def database_severity(text: str) -> Severity | None:
    """GHSA-style ``database_specific.severity`` words."""
    return _DB_SEVERITY.get(text.strip().upper())
