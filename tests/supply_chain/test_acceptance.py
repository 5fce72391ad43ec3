"""Issue 4's acceptance test: every OSV PyPI advisory for requests 2.19.0, django 3.2.0 and pyyaml 5.3,
deduplicated by alias, each with its fixed versions.

The expected set is computed here from all.zip by a deliberately different, simple reference: each
``introduced`` opens an interval closed by the smallest ``fixed``/``last_affected`` above it, and alias
groups are merged by repeated set union until nothing changes.
"""

from __future__ import annotations

import json
import re
import zipfile
from pathlib import Path

from packaging.version import InvalidVersion, Version

from redline.core.evidence import Evidence

from .helpers import audit, write_tree

PINS = {"requests": "2.19.0", "django": "3.2.0", "pyyaml": "5.3"}


def _v(text: str) -> Version | None:
    try:
        return Version(text)
    except InvalidVersion:
        return None


def _reference_hits(events: list[dict[str, str]], version: Version) -> tuple[bool, set[str]]:
    """Interval reading of one range: affected?, and the fixed versions closing the intervals holding it."""
    hit, fixes = False, set()
    for start in (e["introduced"] for e in events if "introduced" in e):
        lo = Version("0") if start == "0" else _v(start)
        if lo is None or version < lo:
            continue
        ends = [
            (v, k, e[k])
            for e in events
            for k in ("fixed", "last_affected")
            if k in e
            if (v := _v(e[k])) is not None and (v > lo or (k == "last_affected" and v == lo))
        ]
        if not ends:
            hit = True
            continue
        end_v, kind, text = min(ends)
        if version < end_v or (kind == "last_affected" and version <= end_v):
            hit = True
            if kind == "fixed":
                fixes.add(text)
    return hit, fixes


def reference(zip_path: Path) -> dict[str, list[tuple[set[str], set[str]]]]:
    """package -> [(all ids of the group, fixed versions)]"""
    found: dict[str, list[tuple[set[str], set[str]]]] = {name: [] for name in PINS}
    with zipfile.ZipFile(zip_path) as zf:
        for member in zf.namelist():
            doc = json.loads(zf.read(member))
            if doc.get("withdrawn"):
                continue
            for aff in doc.get("affected", []):
                name = re.sub(r"[-_.]+", "-", aff["package"]["name"]).lower()
                if aff["package"]["ecosystem"] != "PyPI" or name not in PINS:
                    continue
                version = Version(PINS[name])
                listed = any(_v(s) == version for s in aff.get("versions", []))
                hits = [
                    _reference_hits(r["events"], version) for r in aff.get("ranges", []) if r["type"] == "ECOSYSTEM"
                ]
                if listed or any(h for h, _ in hits):
                    fixes = set().union(*(f for _, f in hits)) if hits else set()
                    found[name].append(({doc["id"], *doc.get("aliases", [])}, fixes))
    merged: dict[str, list[tuple[set[str], set[str]]]] = {}
    for name, groups in found.items():
        changed = True
        while changed:
            changed = False
            for i in range(len(groups)):
                for j in range(i + 1, len(groups)):
                    if groups[i][0] & groups[j][0]:
                        groups[i] = (groups[i][0] | groups[j][0], groups[i][1] | groups[j][1])
                        del groups[j]
                        changed = True
                        break
                if changed:
                    break
        merged[name] = groups
    return merged


def test_every_advisory_for_the_pinned_versions(tmp_path: Path, shared_data: Path, vulndb_dir: Path) -> None:
    expected = reference(shared_data / "osv" / "PyPI" / "all.zip")
    assert sum(len(g) for g in expected.values()) > 20  # the data really has them
    write_tree(tmp_path, {"requirements.txt": "".join(f"{n}=={v}\n" for n, v in PINS.items())})
    result = audit(tmp_path, vulndb_dir, select=("VUL",))
    assert not result.errors, result.errors
    by_pkg: dict[str, list[tuple[set[str], set[str]]]] = {n: [] for n in PINS}
    for f in result.findings:
        ev = f.evidence
        name = ev.text("package").split("/")[1].split("@")[0]
        fixed = set(ev.strings("fixed"))
        advisories = ev["advisories"]
        assert isinstance(advisories, tuple)
        for adv in advisories:  # every advisory group on the version
            assert isinstance(adv, Evidence)
            by_pkg[name].append(({adv.text("id"), *adv.strings("aliases")}, set(adv.strings("fixed"))))
        assert fixed >= {v for _, g in by_pkg[name] for v in g}
        assert f.location.path == "requirements.txt"
        assert f.location.start_line == list(PINS).index(name) + 1
    for name, pinned in PINS.items():
        got_ids = sorted(sorted(ids) for ids, _ in by_pkg[name])
        want_ids = sorted(sorted(ids) for ids, _ in expected[name])
        assert got_ids == want_ids, name
        for ids, fixed in by_pkg[name]:
            ref_fixed = next(f for i, f in expected[name] if i == ids)
            assert fixed, f"{name} {sorted(ids)} has no fixed version"
            assert ref_fixed <= fixed, (name, sorted(ids))
            assert all(Version(f) > Version(pinned) for f in fixed)
    assert len(by_pkg["requests"]) == 2
    assert len(by_pkg["pyyaml"]) == 2
    assert len(result.findings) == len({f.location.start_line for f in result.findings})  # one per version
