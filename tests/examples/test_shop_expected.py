"""examples/shop/EXPECTED.md and what redline reports on the example must agree.

Rows name a path, a 1-based line, optionally a resource address, and rule codes.
A finding matches a row when code and path agree and either the line agrees or the
finding has no line (0) and names the row's resource. Every code of every planted
row must be reported; findings of any code EXPECTED.md mentions must match a planted
row or a judgement call (a second secret rule on a planted secret line, e.g. a
generic rule beside the provider's, counts as a duplicate, not a false positive);
nothing may be reported on a look-alike.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

SHOP = Path(__file__).resolve().parents[2] / "examples" / "shop"
_CODE = re.compile(r"\b[A-Z]{2,4}\d{3}\b")


@dataclass(frozen=True)
class Row:
    path: str
    line: int
    resource: str
    codes: tuple[tuple[str, ...], ...]  # every group must be reported, by any code in the group

    @property
    def any_code(self) -> set[str]:
        return {code for group in self.codes for code in group}


@dataclass(frozen=True)
class Found:
    code: str
    path: str
    line: int
    resource: str


def _table(section: str, width: int) -> list[list[str]]:
    rows = []
    for text in section.splitlines():
        cells = [c.strip() for c in text.strip().strip("|").split("|")]
        if len(cells) == width and cells[0].isdigit():
            rows.append(cells)
    return rows


def _codes(cell: str) -> tuple[tuple[str, ...], ...]:
    """``A, B / C`` means A, and one of B or C."""
    return tuple(tuple(_CODE.findall(part)) for part in cell.split(",") if _CODE.search(part))


def _expected() -> tuple[list[Row], list[Row], list[Row]]:
    text = (SHOP / "EXPECTED.md").read_text(encoding="utf-8")
    planted, rest = text.split("## Look-alikes", 1)
    looks, judgement = rest.split("## Judgement calls", 1)
    plant = [Row(c[1].strip("`"), int(c[2]), c[3], _codes(c[6])) for c in _table(planted, 7)]
    look = [Row(c[1].strip("`"), int(c[2]), c[3], ()) for c in _table(looks, 5)]
    judge = [Row(c[1].strip("`"), int(c[2]), c[3], tuple((code,) for code in _CODE.findall(c[4])))
             for c in _table(judgement, 6)]
    return plant, look, judge


def _duplicate(found: Found, row: Row) -> bool:
    return (found.code.startswith("SEC") and (found.path, found.line) == (row.path, row.line)
            and any(code.startswith("SEC") for code in row.any_code))


def _matches(found: Found, row: Row) -> bool:
    if found.code not in row.any_code or found.path != row.path:
        return False
    return found.line == row.line or (found.line == 0 and bool(row.resource) and found.resource == row.resource)


def _audit(out: Path, shared_data: Path) -> list[Found]:
    """Audit the example with a vulnerability database built from the reference data."""
    redline = Path(sys.executable).with_name("redline")
    db = out / "db"
    subprocess.run([str(redline), "db", "update", "--db-dir", str(db), "--mirror", str(shared_data),
                    "--ecosystem", "PyPI", "--ecosystem", "npm", "-q"], check=True, timeout=300)
    env = {**os.environ, "REDLINE_DB_DIR": str(db)}
    subprocess.run([str(redline), "audit", str(SHOP), "--out", str(out / "report"), "--exit-zero", "--quiet",
                    "--format", "json"], check=True, timeout=300, env=env)
    data = json.loads((out / "report" / "findings.json").read_text(encoding="utf-8"))
    # a root-cause item lists its other places in related_locations: each is a finding at that place
    # (a `cause:` item's other places may be another rule's: each place names its own)
    return [Found(loc.get("rule", f["rule"]), loc["path"], loc["start_line"], loc.get("resource") or "")
            for f in data["findings"] for loc in [f["location"], *f.get("related_locations", [])]]


def test_expected_rows_point_at_real_lines() -> None:
    plant, look, judge = _expected()
    assert len(plant) > 50 and len(look) > 20
    for row in [*plant, *look, *judge]:
        assert 1 <= row.line <= len((SHOP / row.path).read_text(encoding="utf-8").splitlines()), row


def test_audit_matches_expected(tmp_path: Path, shared_data: Path) -> None:
    plant, look, judge = _expected()
    found = _audit(tmp_path, shared_data)
    missing = [(group, row) for row in plant for group in row.codes
               if not any(_matches(f, Row(row.path, row.line, row.resource, (group,))) for f in found)]
    known = {code for row in [*plant, *judge] for code in row.any_code}
    unexpected = [f for f in found if f.code in known
                  and not any(_matches(f, row) or _duplicate(f, row) for row in [*plant, *judge])]
    on_look_alikes = [f for f in found for row in look
                      if (f.path, f.line) == (row.path, row.line) or (row.resource and f.resource == row.resource)]
    assert missing == []
    assert unexpected == []
    assert on_look_alikes == []
