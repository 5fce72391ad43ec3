"""LAT253/LAT266 on Go prepared statements: a statement handle (``tx.Prepare``, ``Preparex``, ``tx.Stmt``, a
``*sql.Stmt`` parameter) queried once per loop item is N+1; a prepared or literal INSERT executed once per item is
one round trip per row. SQLite, an id needed per row, UPDATEs, locking reads, a statement run after the loop and a
channel consumer stay silent."""

from __future__ import annotations

from pathlib import Path

from audit_helpers import findings_of
from redline.checks.latency.jsgo_check import JsGoPerItemCheck
from redline.core.model import Finding, Severity
from redline.sources.code.treesitter.index import index_tree_sitter

FIXTURES = Path(__file__).parent / "fixtures" / "gostmt"


def _found() -> dict[tuple[str, int], Finding]:
    return {(f.location.path, f.location.start_line): f for f in findings_of(FIXTURES, JsGoPerItemCheck())}


def test_statements_fire_at_their_lines_only() -> None:
    got = sorted((path, line, f.rule) for (path, line), f in _found().items())
    assert got == [
        ("bookmarks.go", 30, "LAT253"),
        ("bookmarks.go", 33, "LAT266"),
        ("bookmarks.go", 42, "LAT266"),
        ("bookmarks.go", 52, "LAT253"),
        ("bookmarks.go", 60, "LAT253"),
        ("copy.go", 11, "LAT266"),
    ]


def test_prepared_forms_say_the_round_trip_remains() -> None:
    found = _found()
    read = found[("bookmarks.go", 30)]
    assert read.evidence["prepared"] == "line 20" and "saves the parse, not the round trip" in read.message
    assert found[("bookmarks.go", 52)].evidence["prepared"] == "parameter"
    insert = found[("bookmarks.go", 33)]
    assert insert.severity is Severity.LOW and insert.evidence["prepared"] == "line 24"
    assert "prepared at line 24: parsed once, but each row is still one round trip" in insert.message
    assert "unnest" in insert.remediation and "CopyFrom" not in insert.remediation
    plain = found[("bookmarks.go", 42)]
    assert "prepared" not in plain.evidence and "runs an INSERT once per item of `events`" in plain.message
    assert "CopyFrom" in found[("copy.go", 11)].remediation  # a pgx file is pointed at COPY and pgx.Batch


def test_the_go_index_keeps_the_facts_statements_are_found_by() -> None:
    source = b"""package s
import (
	"database/sql"
	_ "github.com/lib/pq"
)
const q = `INSERT INTO t (a) VALUES ($1)`
func f(db *sql.DB) {
	stmt, err := db.Prepare(q)
	_, _ = err, stmt
	local := "SELECT 1"
	one, two := db.Query(local)
	_, _ = one, two
}
"""
    index = index_tree_sitter("s.go", source, "go")
    assert index.blank_imports == ("github.com/lib/pq",)
    assert ("", "q", "INSERT INTO t (a) VALUES ($1)") in index.string_bindings
    assert ("f", "local", "SELECT 1") in index.string_bindings
    bound = {c.raw: (c.assigned_to, c.first_assigned) for c in index.calls}
    assert bound["db.Prepare"] == (None, "stmt")
    assert bound["db.Query"] == (None, None)  # two values, not a value and its error
