"""Read OSV JSON documents into ``Advisory`` facts (https://ossf.github.io/osv-schema/)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from redline.core.advisories import EVENT_KINDS, Advisory, Affected, AffectedImport, AffectedRange, RangeEvent
from redline.core.packages import pep503


class OsvFormatError(ValueError):
    """The document is not an OSV advisory."""


def normalise_name(ecosystem: str, name: str) -> str:
    """The key packages and advisories are matched by, per ecosystem."""
    base = ecosystem.split(":", 1)[0]
    if base == "PyPI":
        return pep503(name)
    if base in ("Packagist", "NuGet", "crates.io", "Hex", "Pub"):
        return name.lower()
    return name


def _strs(value: object) -> tuple[str, ...]:
    return tuple(v for v in value if isinstance(v, str)) if isinstance(value, list) else ()


def _range(raw: Mapping[str, Any]) -> AffectedRange:
    events: list[RangeEvent] = []
    for event in raw.get("events") or ():
        if not isinstance(event, dict):
            continue
        for kind in EVENT_KINDS:
            value = event.get(kind)
            if isinstance(value, str):
                events.append(RangeEvent(kind, value))
    return AffectedRange(str(raw.get("type", "")), tuple(events))


def _affected(raw: Mapping[str, Any]) -> Affected | None:
    pkg = raw.get("package")
    if not isinstance(pkg, dict) or not isinstance(pkg.get("name"), str) or not isinstance(pkg.get("ecosystem"), str):
        return None
    ranges = tuple(_range(r) for r in raw.get("ranges") or () if isinstance(r, dict))
    return Affected(
        pkg["ecosystem"],
        pkg["name"],
        ranges,
        _strs(raw.get("versions")),
        platforms=_platforms(raw),
        imports=_imports(raw),
    )


def _raw_imports(raw: Mapping[str, Any]) -> list[Any]:
    specific = raw.get("ecosystem_specific")
    imports = specific.get("imports") if isinstance(specific, dict) else None
    return imports if isinstance(imports, list) else []


def _imports(raw: Mapping[str, Any]) -> tuple[AffectedImport, ...]:
    """Go's ``ecosystem_specific.imports[]``: which packages of the module (and which symbols in them) hold
    the flaw, what tells a module merely required from one whose vulnerable package the code imports."""
    return tuple(
        AffectedImport(i["path"], _strs(i.get("symbols")))
        for i in _raw_imports(raw)
        if isinstance(i, dict) and isinstance(i.get("path"), str) and i["path"]
    )


def _platforms(raw: Mapping[str, Any]) -> tuple[str, ...]:
    """Go's ``ecosystem_specific.imports[].goos``: the union when every affected import names its
    platforms (code in ``x/sys/windows`` exists only on Windows), else () for every platform."""
    imports = _raw_imports(raw)
    if not imports:
        return ()
    per_import = [_strs(i.get("goos")) if isinstance(i, dict) else () for i in imports]
    if not all(per_import):
        return ()
    return tuple(sorted({os for oses in per_import for os in oses}))


def parse_osv(doc: object) -> Advisory:
    if not isinstance(doc, dict) or not isinstance(doc.get("id"), str):
        raise OsvFormatError("not an OSV document (no string 'id')")
    severity = tuple(
        (str(s.get("type", "")), str(s.get("score", ""))) for s in doc.get("severity") or () if isinstance(s, dict)
    )
    dbs = doc.get("database_specific")
    db_sev = dbs.get("severity", "") if isinstance(dbs, dict) else ""
    affected = tuple(a for a in (_affected(x) for x in doc.get("affected") or () if isinstance(x, dict)) if a)
    refs = tuple(str(r["url"]) for r in doc.get("references") or () if isinstance(r, dict) and "url" in r)
    return Advisory(
        id=doc["id"],
        aliases=_strs(doc.get("aliases")),
        summary=str(doc.get("summary") or ""),
        details=str(doc.get("details") or ""),
        published=str(doc.get("published") or ""),
        modified=str(doc.get("modified") or ""),
        withdrawn=str(doc.get("withdrawn") or ""),
        severity=severity,
        database_severity=str(db_sev or ""),
        affected=affected,
        references=refs,
    )
