"""The pipeline: errors inside checks are recorded and the run goes on; parallel equals serial."""

from __future__ import annotations

from pathlib import Path

import pytest

from redline.checks.builtin import builtin_checks
from redline.checks.interface import Check
from redline.core.config import Config
from redline.core.facts import Facts
from redline.core.model import Finding, Location, Severity
from redline.core.workspace import SourceFile
from redline.pipeline import run as run_module
from redline.pipeline.run import AuditRequest, run_audit
from redline.sources.builtin import builtin_file_sources

from .checks_for_tests import FailingCheck, MarkerCheck, ModuleCountCheck
from .helpers import HTTP_CALL, write


def request(root: Path, checks: list[Check], *, config: Config | None = None) -> AuditRequest:
    return AuditRequest(root=root, config=config or Config(), checks=checks, file_sources=builtin_file_sources())


def test_exception_in_one_check_becomes_a_tool_error(tmp_path: Path) -> None:
    write(tmp_path, "boom.py", "x = 1\n")
    write(tmp_path, "client.py", HTTP_CALL + "# TODO-SECRET\n")
    result = run_audit(request(tmp_path, [*builtin_checks(), FailingCheck(), MarkerCheck(), ModuleCountCheck()]))
    assert sorted((f.rule, f.location.path) for f in result.findings) == [
        ("RES101", "client.py"),
        ("TST101", "client.py"),
    ]
    errors = {(e.where, str(e.stage), e.fatal): e.reason for e in result.errors}
    assert errors[("boom.py", "check", True)].startswith("check always-fails failed: ValueError: simulated bug")
    assert errors[("module-count", "check", True)] == "check failed: RuntimeError: project check bug"


def test_exit_code_two_when_a_check_fails(tmp_path: Path) -> None:
    from redline.cli.common import exit_code

    write(tmp_path, "boom.py", "x = 1\n")
    result = run_audit(request(tmp_path, [FailingCheck()]))
    assert exit_code(result, exit_zero=True) == 2


def test_parse_errors_are_listed_not_fatal(tmp_path: Path) -> None:
    write(tmp_path, "py2.py", "print 'hello'\n")
    write(tmp_path, "client.py", HTTP_CALL)
    result = run_audit(request(tmp_path, builtin_checks()))
    assert [(e.where, e.stage, e.fatal) for e in result.errors] == [("py2.py", "parse", False)]
    assert "Python syntax error at line 1" in result.errors[0].reason
    assert len(result.findings) == 1


def test_parallel_run_equals_serial_run(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    for i in range(60):
        write(tmp_path, f"pkg{i % 7}/m{i}.py", HTTP_CALL * (1 + i % 3) + f"# TODO-SECRET {i}\n")
    write(tmp_path, "pkg0/boom.py", "x = 1\n")
    checks = [*builtin_checks(), MarkerCheck(), FailingCheck()]
    serial = run_audit(request(tmp_path, checks, config=Config(jobs=1)))
    monkeypatch.setattr(run_module, "PARALLEL_MIN_COST", 0)
    monkeypatch.setattr(run_module, "CHUNK_FILES", 7)
    parallel = run_audit(request(tmp_path, checks, config=Config(jobs=2)))
    assert parallel.stats.workers == 2 and serial.stats.workers == 1
    assert parallel.findings == serial.findings
    assert parallel.errors == serial.errors
    assert len(serial.findings) == 60 + sum(1 + i % 3 for i in range(60))


def test_sources_run_only_when_a_check_needs_them(tmp_path: Path) -> None:
    write(tmp_path, "py2.py", "print 'hello'\n")
    result = run_audit(request(tmp_path, [MarkerCheck()]))
    assert result.errors == ()  # python was never parsed: nothing needed it
    assert result.stats.files_scanned == 1


def test_findings_are_frozen_and_hash_with_equality() -> None:
    a = Finding("RES101", "m", Severity.LOW, Location("a.py", 3, 3, 1, 2, "x()"))
    b = Finding("RES101", "m", Severity.LOW, Location("a.py", 3, 3, 1, 2, "x()"))
    assert a == b and hash(a) == hash(b) and len({a, b}) == 1
    with pytest.raises(AttributeError):
        a.message = "changed"  # type: ignore[misc]


def test_fingerprint_survives_line_shifts_and_changes_with_content() -> None:
    a = Finding("RES101", "m", Severity.LOW, Location("a.py", 3, 3, 1, 2, "requests.get(url)"))
    moved = Finding("RES101", "m", Severity.LOW, Location("a.py", 40, 40, 5, 9, "  requests.get(url)  "))
    other = Finding("RES101", "m", Severity.LOW, Location("a.py", 3, 3, 1, 2, "requests.get(other)"))
    elsewhere = Finding("RES101", "m", Severity.LOW, Location("b.py", 3, 3, 1, 2, "requests.get(url)"))
    assert a.fingerprint == moved.fingerprint
    assert len({a.fingerprint, other.fingerprint, elsewhere.fingerprint}) == 3


def test_facts_of_includes_subclasses() -> None:
    class Base:
        pass

    class Child(Base):
        pass

    facts = Facts([Base(), Child(), 3])
    assert len(facts.of(Base)) == 2 and facts.of(int) == [3]


def test_chunks_keep_the_walk_order_and_shrink_to_a_floor_towards_the_end() -> None:
    """Guided scheduling: each chunk is half a worker's share of the work left (960 files of equal cost, two
    workers: a quarter first), never below 1/96 of a worker's share of the whole (5 files here), so neither
    process waits long for the other's last chunk."""
    files = [SourceFile(f"f{i}.py", f"/x/f{i}.py", "python", 0) for i in range(960)]
    chunks = list(run_module._chunks(files, [100] * len(files), 2))
    assert [len(c) for c in chunks] == [240, 180, 135, 102, 76, 57, 43, 32, 24, 18, 14, 10, 8, 6, 5, 5, 5]
    assert [f for c in chunks for f in c] == files
