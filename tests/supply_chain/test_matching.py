"""OSV range semantics, alias grouping and the smallest clearing upgrade, on hand-written advisories."""

from __future__ import annotations

from redline.checks.supply_chain.matching import (
    AdvisoryMatch,
    group_by_alias,
    in_range,
    is_affected,
    ordered_ids,
    smallest_upgrade,
)
from redline.core.advisories import Advisory, Affected, AffectedRange, RangeEvent


def rng(*events: tuple[str, str], kind: str = "ECOSYSTEM") -> AffectedRange:
    return AffectedRange(kind, tuple(RangeEvent(k, v) for k, v in events))


def test_introduced_fixed() -> None:
    r = rng(("introduced", "1.0"), ("fixed", "1.5"))
    assert [in_range("PyPI", v, r) for v in ("0.9", "1.0", "1.4.9", "1.5", "2.0")] == [False, True, True, False, False]


def test_introduced_zero_and_unsorted_events() -> None:
    # pyspark's PYSEC-2022-236 lists its events out of order; OSV sorts them before evaluating
    r = rng(
        ("introduced", "0"),
        ("fixed", "3.1.1"),
        ("introduced", "3.2.0"),
        ("fixed", "3.2.2"),
        ("introduced", "3.1.1"),
        ("fixed", "3.1.3"),
    )
    assert [in_range("PyPI", v, r) for v in ("0.1", "3.1.1", "3.1.2", "3.1.3", "3.2.1", "3.2.2")] == [
        True,
        True,
        True,
        False,
        True,
        False,
    ]


def test_last_affected_is_inclusive() -> None:
    r = rng(("introduced", "2.0.0"), ("last_affected", "2.3.0"))
    assert [in_range("npm", v, r) for v in ("1.9.9", "2.0.0", "2.3.0", "2.3.1")] == [False, True, True, False]


def test_limit_bounds_the_range() -> None:
    r = rng(("introduced", "0"), ("limit", "2.0.0"))
    assert in_range("npm", "1.9.0", r)
    assert not in_range("npm", "2.0.0", r)
    assert not in_range("npm", "3.0.0", r)


def test_prerelease_ordering_matters() -> None:
    r = rng(("introduced", "0"), ("fixed", "1.0.0"))
    assert in_range("npm", "1.0.0-rc.1", r)
    maven = rng(("introduced", "0"), ("fixed", "2.0"))
    assert in_range("Maven", "2.0-SNAPSHOT", maven)
    assert not in_range("Maven", "2.0.0", maven)  # Maven: 2.0 == 2.0.0


def test_semver_ranges_use_semver_and_strip_v() -> None:
    r = rng(("introduced", "0"), ("fixed", "1.2.0"), kind="SEMVER")
    assert in_range("Go", "v1.1.9", r)
    assert not in_range("Go", "v1.2.0", r)


def test_git_ranges_never_match_versions() -> None:
    r = rng(("introduced", "0"), ("fixed", "abc123"), kind="GIT")
    assert not in_range("PyPI", "1.0", r)


def test_explicit_versions_list() -> None:
    aff = Affected("PyPI", "trac", (rng(("introduced", "0"), ("fixed", "0.10")),), ("0.8.4", "0.9", "1.2"))
    assert is_affected("PyPI", "1.2", aff)  # listed, though outside the range
    assert is_affected("PyPI", "0.9.0", aff)  # PEP 440: 0.9.0 == 0.9
    assert not is_affected("PyPI", "1.3", aff)


def _match(ident: str, aliases: tuple[str, ...], fixed: str, introduced: str = "0") -> AdvisoryMatch:
    aff = Affected("PyPI", "p", (rng(("introduced", introduced), ("fixed", fixed)),))
    return AdvisoryMatch(Advisory(ident, aliases), (aff,), (fixed,))


def test_alias_groups_are_transitive() -> None:
    a = _match("PYSEC-1", ("CVE-1",), "1.1")
    b = _match("GHSA-x", ("CVE-1", "CVE-2"), "1.2")
    c = _match("PYSEC-2", ("CVE-2",), "1.3")
    d = _match("PYSEC-3", ("CVE-9",), "1.4")
    groups = group_by_alias([a, b, c, d])
    assert sorted(sorted(m.advisory.id for m in g) for g in groups) == [["GHSA-x", "PYSEC-1", "PYSEC-2"], ["PYSEC-3"]]
    big = next(g for g in groups if len(g) == 3)
    assert ordered_ids(big) == ["GHSA-x", "PYSEC-1", "PYSEC-2", "CVE-1", "CVE-2"]


def test_smallest_upgrade_clears_every_advisory() -> None:
    a = _match("A", (), "1.1")
    b = _match("B", (), "1.3")
    c = _match("C", (), "2.1", introduced="2.0")  # 1.3 is safe from C; 2.0 is not
    assert smallest_upgrade("PyPI", "1.0", [a, b, c]) == "1.3"
    reintroduced = _match("D", (), "1.5", introduced="1.3")
    assert smallest_upgrade("PyPI", "1.0", [a, b, reintroduced]) == "1.5"
    assert smallest_upgrade("PyPI", "1.0", []) is None
