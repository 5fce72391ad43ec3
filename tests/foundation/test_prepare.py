"""``Check.prepare``: once per run, in the main process, before workers fork; what it builds is shared
through the run's scope; a check that cannot prepare is reported once and left out."""

from __future__ import annotations

import os
from collections.abc import Iterable
from pathlib import Path

from redline.checks.interface import CheckContext, CheckError, FileCheck
from redline.core.config import Config
from redline.core.model import Finding, Location
from redline.core.workspace import FileText
from redline.pipeline import run as run_module
from redline.pipeline.run import AuditRequest, run_audit
from redline.sources.builtin import builtin_file_sources

from .checks_for_tests import COUNT, MARKER


class PreparedCheck(FileCheck):
    """Reports, for every file, the pid that prepared the run's shared object: the main process."""

    name = "prepared"
    rules = (MARKER,)
    fact_types = (FileText,)

    def __init__(self) -> None:
        self.prepared = 0

    def prepare(self, ctx: CheckContext) -> None:
        self.prepared += 1
        ctx.scope.get("prepared-by", os.getpid)

    def check_file(self, fact: FileText, ctx: CheckContext) -> Iterable[Finding]:
        made_by = ctx.scope.get("prepared-by", lambda: -1)  # -1: nobody prepared it before this process
        yield self.finding(MARKER, f"prepared by {made_by}", Location(fact.file.path, 1, 1))


class UnpreparedCheck(PreparedCheck):
    name = "cannot-prepare"
    rules = (COUNT,)

    def prepare(self, ctx: CheckContext) -> None:
        raise CheckError("its configuration is broken")


def test_prepare_runs_once_before_the_workers_fork(tmp_path: Path) -> None:
    for i in range(40):
        (tmp_path / f"f{i}.txt").write_text("x" * 200_000 + "\n")  # 8 MB: above the parallel threshold
    check, broken = PreparedCheck(), UnpreparedCheck()
    req = AuditRequest(
        root=tmp_path, config=Config(jobs=2), checks=[check, broken], file_sources=builtin_file_sources()
    )
    result = run_audit(req)
    assert result.stats.workers == 2 and run_module.PARALLEL_MIN_COST < 8_000_000
    assert check.prepared == 1
    assert {f.message for f in result.findings} == {f"prepared by {os.getpid()}"}
    assert len(result.findings) == 40
    assert [(e.where, e.reason, e.fatal) for e in result.errors] == [
        ("cannot-prepare", "check not run: its configuration is broken", True)
    ]
