"""The project sources that read no facts (``needs`` empty) are read while the workers parse, in the main
process's preparation thread; with one process they are read after the file phase as before. Either way each
source is read once, one that reads no facts is handed none, and the run's facts, findings and errors are the
same."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest

from redline.core.model import Stage
from redline.pipeline import project_sources
from redline.pipeline import run as pipeline_run
from redline.sources.interface import ProjectContext, ProjectOutput, ProjectSource
from redline.sources.ownership.codeowners import OwnershipSource

from .helpers import audit_with_catalogue


def _tree(tmp_path: Path) -> Path:
    root = tmp_path / "tree"
    (root / ".github").mkdir(parents=True)
    (root / ".github" / "CODEOWNERS").write_text("* @org/platform\n/billing/ @org/payments\n")
    (root / "settings.py").write_text("DEBUG = True\nSECRET_KEY = 'django-insecure-" + "x7" * 20 + "'\n")
    (root / "urls.py").write_text("from django.urls import path\nfrom views import f\nurlpatterns = [path('f/', f)]\n")
    (root / "views.py").write_text(
        "import requests\n\ndef f(request):\n    return requests.get('https://example.com')\n"
    )
    return root


@pytest.fixture
def pooled(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(pipeline_run, "PARALLEL_MIN_COST", 0)
    monkeypatch.setenv("REDLINE_CACHE_DIR", str(tmp_path / "cache"))


@pytest.mark.usefixtures("pooled")
@pytest.mark.parametrize(("jobs", "thread"), [(1, "MainThread"), (2, "redline-prepare")])
def test_a_source_reading_no_facts_is_read_while_the_workers_parse(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, jobs: int, thread: str
) -> None:
    read: list[tuple[str, bool, str, int]] = []
    collected = project_sources._collected

    def spy(source: ProjectSource, ctx: ProjectContext) -> ProjectOutput | object:
        read.append((source.name, bool(source.needs), threading.current_thread().name, len(ctx.facts.of(object))))
        return collected(source, ctx)

    monkeypatch.setattr(project_sources, "_collected", spy)
    result = audit_with_catalogue(_tree(tmp_path), jobs)

    assert result.stats.workers == jobs
    names = [name for name, *_ in read]
    assert len(names) == len(set(names))  # each source read once
    assert "ownership" in names and "entry points" in names
    assert {(where, seen) for _, needs, where, seen in read if not needs} == {(thread, 0)}
    deriving = {name: (where, seen) for name, needs, where, seen in read if needs}
    assert deriving["entry points"][0] == "MainThread"
    assert deriving["entry points"][1] > 0  # it reads the code indexes


@pytest.mark.usefixtures("pooled")
def test_one_or_two_processes_give_the_same_facts_findings_and_errors(tmp_path: Path) -> None:
    root = _tree(tmp_path)
    one, two = audit_with_catalogue(root, 1), audit_with_catalogue(root, 2)
    assert two.stats.workers == 2
    assert one.facts_summary == two.facts_summary
    assert one.facts_summary["Ownership"] == 1
    assert [f.fingerprint for f in one.findings] == [f.fingerprint for f in two.findings] != []
    assert one.errors == two.errors


@pytest.mark.usefixtures("pooled")
@pytest.mark.parametrize("jobs", [1, 2])
def test_a_source_failing_ahead_is_reported_once_and_the_run_goes_on(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, jobs: int
) -> None:
    def failing(self: OwnershipSource, ctx: ProjectContext) -> ProjectOutput:
        raise RuntimeError("bad table")

    monkeypatch.setattr(OwnershipSource, "collect", failing)
    result = audit_with_catalogue(_tree(tmp_path), jobs)
    failed = [e for e in result.errors if e.stage is Stage.SOURCE]
    reason = "source failed: RuntimeError: bad table"
    assert [(e.where, e.reason, e.fatal) for e in failed] == [("ownership", reason, True)]
    assert "Ownership" not in result.facts_summary
    assert result.findings != ()
