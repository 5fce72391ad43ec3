"""OSV matching: is this package version affected, by which advisories, and what clears them.

Semantics follow the OSV schema exactly
(https://ossf.github.io/osv-schema/#evaluation): a version is affected when it
is listed in ``versions`` or falls in an ``ECOSYSTEM``/``SEMVER`` range, where
a range is evaluated by sorting its events and sweeping ``introduced`` (on),
``fixed`` (off at that version), ``last_affected`` (off after it) and
``limit`` (an upper bound on the whole range). ``GIT`` ranges name commits,
not versions, and are not used. Withdrawn advisories never reach here (the
database query leaves them out).
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from redline.core.advisories import Advisory, Affected, AffectedRange
from redline.core.packages import Package
from redline.sources.advisories.database import AdvisoryDatabase, DatabaseError, canonical_version
from redline.sources.advisories.versions import order_key

log = logging.getLogger("redline")

#: at equal versions a range's end applies before the next range's start: "fixed 3.1.1" then
#: "introduced 3.1.1" leaves 3.1.1 affected (pyspark's PYSEC-2022-236 relies on it)
_KIND_ORDER = {"fixed": 0, "last_affected": 0, "introduced": 1, "limit": 2}


@functools.lru_cache(maxsize=65_536)
def _key(ecosystem: str, text: str) -> Any:
    try:
        return order_key(ecosystem, text)
    except ValueError:
        log.debug("cannot order %s version %r", ecosystem, text)
        return None


def _range_ecosystem(rng: AffectedRange, ecosystem: str) -> str:
    return "npm" if rng.type == "SEMVER" else ecosystem  # SEMVER ranges use SemVer 2.0 whatever the ecosystem


@functools.lru_cache(maxsize=65_536)
def _prepared(ecosystem: str, rng: AffectedRange) -> tuple[list[tuple[int, Any, int, str]], list[Any]]:
    """The range's events as sorted (present, key, kind order, kind) and its limits, parsed once."""
    events: list[tuple[int, Any, int, str]] = []  # present is 0 only for introduced "0", the minimum
    limits: list[Any] = []
    for event in rng.events:
        if event.kind == "introduced" and event.version == "0":
            events.append((0, 0, 0, "introduced"))
            continue
        k = _key(ecosystem, event.version.removeprefix("v") if rng.type == "SEMVER" else event.version)
        if k is None:
            continue
        if event.kind == "limit":
            if event.version != "*":
                limits.append(k)
            continue
        events.append((1, k, _KIND_ORDER[event.kind], event.kind))
    events.sort(key=lambda e: e[:3])
    return events, limits


def in_range(ecosystem: str, version: str, rng: AffectedRange) -> bool:
    """OSV range evaluation for one ``ECOSYSTEM`` or ``SEMVER`` range."""
    if rng.type not in ("ECOSYSTEM", "SEMVER"):
        return False
    eco = _range_ecosystem(rng, ecosystem)
    v = _key(eco, version.removeprefix("v") if rng.type == "SEMVER" else version)
    if v is None:
        return False
    events, limits = _prepared(eco, rng)
    affected = False
    for present, k, _, kind in events:
        if kind == "introduced":
            if not present or v >= k:
                affected = True
        elif kind == "fixed":
            if v >= k:
                affected = False
        elif kind == "last_affected" and v > k:
            affected = False
    if affected and limits and not any(v < lim for lim in limits):
        return False
    return affected


def _listed(ecosystem: str, version: str, affected: Affected) -> bool:
    if version in affected.versions:
        return True
    if affected.canonical_versions:  # PEP 440: "5.3" and "5.3.0" are the same release
        return canonical_version(ecosystem, version) in affected.canonical_versions
    if ecosystem == "PyPI" and affected.versions:  # built by hand (tests), not from the database
        return canonical_version(ecosystem, version) in {canonical_version(ecosystem, v) for v in affected.versions}
    return False


def is_affected(ecosystem: str, version: str, affected: Affected) -> bool:
    if _listed(ecosystem, version, affected):
        return True
    return any(in_range(ecosystem, version, r) for r in affected.ranges)


def _later_fixes(ecosystem: str, version: str, affected: Affected) -> list[str]:
    """Fixed versions above ``version``: from the ranges holding it, or from every range when it
    was matched only through the ``versions`` list."""
    v = _key(ecosystem, version)
    ranges = [r for r in affected.ranges if r.type in ("ECOSYSTEM", "SEMVER")]
    holding = [r for r in ranges if in_range(ecosystem, version, r)]
    out: list[str] = []
    for rng in holding or ranges:
        for fixed in rng.fixed():
            k = _key(_range_ecosystem(rng, ecosystem), fixed)
            if v is None or k is None or k > v:
                out.append(fixed)
    return out


@dataclass(frozen=True)
class AdvisoryMatch:
    """One advisory affecting one package version, with the fixed versions that apply."""

    advisory: Advisory
    entries: tuple[Affected, ...]
    fixed: tuple[str, ...]


def match_package(db: AdvisoryDatabase, package: Package) -> list[AdvisoryMatch]:
    if not package.version:
        return []
    found: dict[str, tuple[list[Affected], list[str]]] = {}
    for ident, entry in db.entries(package.ecosystem, package.name):
        if is_affected(package.ecosystem, package.version, entry):
            entries, fixed = found.setdefault(ident, ([], []))
            entries.append(entry)
            fixed.extend(f for f in _later_fixes(package.ecosystem, package.version, entry) if f not in fixed)
    docs = db.advisories(found)
    missing = sorted(set(found) - set(docs))
    if missing:  # a database damaged past what opening it shows: never answer "not affected" from it
        raise DatabaseError(
            f"damaged vulnerability database: advisory {missing[0]} is referenced but absent; run `redline db update`"
        )
    return [
        AdvisoryMatch(docs[ident], tuple(entries), tuple(sort_versions(package.ecosystem, fixed)))
        for ident, (entries, fixed) in found.items()
    ]


def sort_versions(ecosystem: str, versions: Iterable[str]) -> list[str]:
    unique = list(dict.fromkeys(versions))
    keyed = [(k, s) for s in unique if (k := _key(ecosystem, s)) is not None]
    keyed.sort(key=lambda pair: pair[0])
    return [s for _, s in keyed] + sorted(s for s in unique if _key(ecosystem, s) is None)


def group_by_alias(matches: Sequence[AdvisoryMatch]) -> list[list[AdvisoryMatch]]:
    """Union-find: advisories sharing any id or alias, transitively, form one group."""
    parent = list(range(len(matches)))

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    owner: dict[str, int] = {}
    for i, m in enumerate(matches):
        for ident in m.advisory.ids:
            j = owner.setdefault(ident, i)
            ri, rj = find(i), find(j)
            if ri != rj:
                parent[max(ri, rj)] = min(ri, rj)
    groups: dict[int, list[AdvisoryMatch]] = {}
    for i, m in enumerate(matches):
        groups.setdefault(find(i), []).append(m)
    return [sorted(g, key=lambda m: m.advisory.id) for g in groups.values()]


def smallest_upgrade(ecosystem: str, version: str, matches: Sequence[AdvisoryMatch]) -> str | None:
    """The lowest fixed version above ``version`` that no matched advisory affects, if any."""
    candidates = sort_versions(ecosystem, (f for m in matches for f in m.fixed))
    for candidate in candidates:
        if all(not is_affected(ecosystem, candidate, e) for m in matches for e in m.entries):
            return candidate
    return None


def ordered_ids(matches: Iterable[AdvisoryMatch]) -> list[str]:
    """Every id of a group: the advisories' own ids first, then GHSA, CVE and other aliases."""
    own = sorted({m.advisory.id for m in matches})
    aliases = {a for m in matches for a in m.advisory.aliases} - set(own)

    def rank(ident: str) -> tuple[int, str]:
        order = (
            0
            if ident.startswith("PYSEC-")
            else 1
            if ident.startswith("GHSA-")
            else 2
            if ident.startswith("CVE-")
            else 3
        )
        return order, ident

    return own + sorted(aliases, key=rank)
