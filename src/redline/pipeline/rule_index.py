"""The rule index: every built-in rule, the family of its owning check and every configuration table,
readable without importing a single check.

It is built by importing every check once and then kept in the cache (:mod:`redline.core.cache`), keyed
by redline's version and the name, size and modification time of every file of ``redline.checks``: a
changed or added rule file means a new key, so the index is never stale. ``redline rules``, ``redline
rules explain`` and a command that runs one family read it instead of importing every check.
"""

from __future__ import annotations

import builtins
import hashlib
import json
import logging
import os
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from importlib import import_module
from typing import TYPE_CHECKING, Any

from redline import __version__
from redline.core.cache import read_entry, write_entry
from redline.core.config import SectionSpec, Where
from redline.core.model import Area, Severity
from redline.core.rules import Rule, RuleDoc, RuleRegistry

if TYPE_CHECKING:
    from redline.checks.interface import Check

log = logging.getLogger("redline")
INDEX_PREFIX = "rule-index-"
#: bump when the index's shape changes
INDEX_VERSION = 2


@dataclass(frozen=True)
class RuleIndex:
    registry: RuleRegistry  # every built-in rule
    family_of: Mapping[str, str]  # rule code -> the family module of its owning check
    sections: tuple[SectionSpec[Any], ...]  # every built-in configuration table


def rule_index() -> RuleIndex:
    """The index from the cache, or built now (importing every check) and cached."""
    name = f"{INDEX_PREFIX}{_index_key()}.json"
    raw = read_entry(name)
    if raw is not None:
        try:
            return _decode(json.loads(raw))
        except (ValueError, KeyError, TypeError) as exc:
            log.debug("rule index %s unreadable (%s); rebuilding", name, exc)
    index = build_rule_index()
    try:
        data = json.dumps(_encode(index), sort_keys=True).encode()
    except (TypeError, ValueError) as exc:  # a table key of a type the index cannot spell: no cache
        log.debug("rule index not cached: %s", exc)
        return index
    write_entry(name, data, prefix=INDEX_PREFIX, keep=4)
    return index


def build_rule_index() -> RuleIndex:
    from redline.checks.builtin import FAMILIES, family_checks  # noqa: PLC0415 - the costly path, on a cache miss
    from redline.checks.interface import rule_registry  # noqa: PLC0415

    owners: list[tuple[str, list[Check]]] = [(family, family_checks(family)) for family in FAMILIES]
    registry = rule_registry(c for _family, checks in owners for c in checks)
    family_of = {r.code: family for family, checks in owners for c in checks for r in c.rules}
    sections = {s.name: s for _family, checks in owners for c in checks for s in c.config_sections}
    from redline.synthesis.builtin import builtin_step_sections  # noqa: PLC0415

    sections.update({s.name: s for s in builtin_step_sections() if s.name not in sections})  # [threats] …
    return RuleIndex(registry, family_of, tuple(sections.values()))


def _package_files(top: str) -> Iterator[tuple[str, int, int]]:
    stack = [top]
    while stack:
        folder = stack.pop()
        with os.scandir(folder) as entries:
            for entry in entries:
                if entry.is_dir(follow_symlinks=False):
                    if entry.name != "__pycache__":
                        stack.append(entry.path)
                elif entry.name.endswith((".py", ".toml", ".json")):
                    st = entry.stat()
                    yield os.path.relpath(entry.path, top), st.st_mtime_ns, st.st_size


def _index_key() -> str:
    """A hash of redline's version and the name, size and mtime of every file the checks are made of, and
    of the modules that define what a rule and a configuration table are."""
    import redline.checks as checks_package  # noqa: PLC0415 - only its location is needed
    from redline.core import config, model, rules  # noqa: PLC0415

    digest = hashlib.sha256(f"{INDEX_VERSION}:{__version__}".encode())
    for path in checks_package.__path__:
        for item in sorted(_package_files(path)):
            digest.update(repr(item).encode())
    from redline.synthesis.builtin import STEP_SECTIONS  # noqa: PLC0415 - the steps' tables are indexed too

    for name, _tables in STEP_SECTIONS:
        st = os.stat(str(import_module(name).__file__))
        digest.update(repr((name, st.st_mtime_ns, st.st_size)).encode())
    for module in (config, model, rules):
        st = os.stat(str(module.__file__))
        digest.update(repr((module.__name__, st.st_mtime_ns, st.st_size)).encode())
    return digest.hexdigest()[:24]


_TYPES = {t.__name__: t for t in (str, int, float, bool, list, dict, tuple)}


def _type_names(value: type | tuple[type, ...]) -> list[str]:
    types = value if isinstance(value, tuple) else (value,)
    names = [t.__name__ for t in types]
    if any(getattr(builtins, n, None) is not t for n, t in zip(names, types, strict=True)) or any(
        n not in _TYPES for n in names
    ):
        raise TypeError(f"cannot index a table key of type {value!r}")
    return names


def _encode(index: RuleIndex) -> dict[str, Any]:
    return {
        "rules": [
            {
                "code": r.code,
                "name": r.name,
                "area": r.area.value,
                "severity": r.severity.name,
                "summary": r.summary,
                "tags": list(r.tags),
                "gate_floor": r.gate_floor.name,
                "opt_in": r.opt_in,
                "doc": [r.doc.what_it_does, r.doc.why_bad, r.doc.example, r.doc.use_instead, list(r.doc.references)],
                "family": index.family_of[r.code],
                "data_family": r.family,
            }
            for r in index.registry
        ],
        "sections": [
            {"name": s.name, "doc": s.doc, "keys": {k: _type_names(t) for k, t in s.keys.items()}}
            for s in index.sections
        ],
    }


def _unparsed(raw: Mapping[str, Any], where: Where) -> Mapping[str, Any]:
    """The table of a family this command does not load: its keys and types are checked (the index
    knows them), its meaning is for that family to judge when it runs."""
    return dict(raw)


def _decode(data: Mapping[str, Any]) -> RuleIndex:
    rules = [
        Rule(
            code=r["code"],
            name=r["name"],
            area=Area(r["area"]),
            severity=Severity[r["severity"]],
            summary=r["summary"],
            tags=tuple(r["tags"]),
            gate_floor=Severity[r["gate_floor"]],
            doc=RuleDoc(
                what_it_does=r["doc"][0],
                why_bad=r["doc"][1],
                example=r["doc"][2],
                use_instead=r["doc"][3],
                references=tuple(r["doc"][4]),
            ),
            family=r.get("data_family", ""),
            opt_in=bool(r.get("opt_in", False)),
        )
        for r in data["rules"]
    ]
    sections = tuple(
        SectionSpec(
            name=s["name"],
            doc=s["doc"],
            parse=_unparsed,
            keys={k: _TYPES[v[0]] if len(v) == 1 else tuple(_TYPES[n] for n in v) for k, v in s["keys"].items()},
        )
        for s in data["sections"]
    )
    return RuleIndex(RuleRegistry(rules), {r["code"]: r["family"] for r in data["rules"]}, sections)
