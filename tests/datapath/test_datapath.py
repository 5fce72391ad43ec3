"""Data-path rules (DAT101-DAT105): exact lines of the true positives; batched, flushed-once and
compressed look-alikes stay silent."""

from __future__ import annotations

import pytest

from redline.checks.datapath import checks
from redline.checks.datapath.batching import BatchingCheck
from redline.checks.datapath.compression import CompressionCheck
from redline.checks.interface import FileCheck

from .helpers import lines_by_rule, run_fixture, run_source

EXPECTED: dict[str, tuple[FileCheck, list[int]]] = {
    "DAT101": (BatchingCheck(), [11, 16, 21]),
    "DAT102": (BatchingCheck(), [7, 12]),
    "DAT103": (BatchingCheck(), [12, 17, 23]),
    "DAT104": (CompressionCheck(), [6, 7, 9]),
    "DAT105": (CompressionCheck(), [6, 7, 9, 10]),
}


@pytest.mark.parametrize("code", sorted(EXPECTED))
def test_data_path_rule_fires_exactly_at_expected_lines(code: str) -> None:
    check, lines = EXPECTED[code]
    found = run_fixture(check, code)
    assert lines_by_rule(found) == {code: lines}
    assert all(f.remediation for f in found)


def test_migrations_and_tests_are_not_judged() -> None:
    src = "def f(cur, rows):\n    for r in rows:\n        cur.execute('INSERT INTO t VALUES (%s)', r)\n"
    assert run_source(BatchingCheck(), src, rel="shop/migrations/0004_backfill.py") == []
    assert run_source(BatchingCheck(), src, rel="tests/test_load.py") == []
    assert [f.rule for f in run_source(BatchingCheck(), src)] == ["DAT102"]


def test_family_lists_its_checks() -> None:
    assert sorted(type(c).__name__ for c in checks()) == [
        "BatchingCheck",
        "CompressionCheck",
        "ResponseCompressionCheck",
    ]
