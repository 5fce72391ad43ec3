"""What only the main process needs after the file phase (the synthesis steps' and report writers' ``ready``)
is loaded while the workers parse, in a thread of the main process; with one process nothing is loaded ahead,
and a load that fails changes nothing in the run (it is loaded again, and any failure reported, where used)."""

from __future__ import annotations

import subprocess
import sys
import threading
from dataclasses import replace
from pathlib import Path

import pytest

from redline.core.config import Config
from redline.core.result import AuditResult
from redline.pipeline import run as pipeline_run
from redline.pipeline.catalogue import load_catalogue
from redline.pipeline.run import AuditRequest, run_audit


def _tree(tmp_path: Path) -> Path:
    root = tmp_path / "tree"
    root.mkdir()
    (root / "settings.py").write_text("DEBUG = True\nSECRET_KEY = 'django-insecure-" + "x7" * 20 + "'\n")
    (root / "views.py").write_text("import requests\n\ndef f():\n    return requests.get('https://example.com')\n")
    return root


def _audit(root: Path, jobs: int, *ahead: object) -> AuditResult:
    catalogue = load_catalogue(with_plugins=False)
    req = AuditRequest(
        root=root,
        config=Config(jobs=jobs),
        checks=catalogue.checks,
        file_sources=catalogue.file_sources,
        project_sources=catalogue.project_sources,
        steps=catalogue.steps,
    )
    return run_audit(replace(req, ahead=tuple(ahead)))  # type: ignore[arg-type]


def _places(result: AuditResult) -> list[tuple[str, str, int]]:
    return [(f.rule, f.location.path, f.location.start_line) for f in result.findings]


@pytest.mark.parametrize(("jobs", "threads"), [(1, []), (2, ["redline-prepare"])])
def test_loaded_ahead_in_a_thread_only_when_workers_parse(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, jobs: int, threads: list[str]
) -> None:
    monkeypatch.setattr(pipeline_run, "PARALLEL_MIN_COST", 0)
    monkeypatch.setenv("REDLINE_CACHE_DIR", str(tmp_path / "cache"))
    called: list[str] = []
    result = _audit(_tree(tmp_path), jobs, lambda: called.append(threading.current_thread().name))
    assert result.stats.workers == jobs
    assert called == threads


def test_a_failing_load_ahead_changes_nothing(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(pipeline_run, "PARALLEL_MIN_COST", 0)
    monkeypatch.setenv("REDLINE_CACHE_DIR", str(tmp_path / "cache"))
    root = _tree(tmp_path)

    def failing() -> None:
        raise RuntimeError("no such module")

    plain, failed = _audit(root, 2), _audit(root, 2, failing)
    assert _places(plain) == _places(failed) != []
    assert failed.errors == plain.errors


@pytest.mark.parametrize(("formats", "loaded"), [("json", False), ("json,cyclonedx", True)])
def test_the_sbom_step_loads_cyclonedx_ahead_only_when_an_sbom_is_asked_for(formats: str, loaded: bool) -> None:
    """In a fresh interpreter: whether ``SbomStep.ready`` imported the CycloneDX builder (and the library)."""
    program = f"""
import sys
from pathlib import Path
from redline.checks.interface import CheckContext
from redline.core.config import Config, OutputFormat
from redline.synthesis.sbom import SbomStep
config = Config(formats=tuple(OutputFormat(f) for f in {formats.split(",")!r}))
SbomStep().ready(CheckContext(Path("."), config, frozenset()))
print("redline.synthesis.bom" in sys.modules, "cyclonedx.model.bom" in sys.modules)
"""
    out = subprocess.run([sys.executable, "-c", program], capture_output=True, text=True, check=True).stdout
    assert out.split() == [str(loaded), str(loaded)]


def test_the_page_reporter_compiles_its_template_once(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from redline.report import html

    monkeypatch.setenv("REDLINE_CACHE_DIR", str(tmp_path / "cache"))
    html._template.cache_clear()
    html.HtmlReporter().ready()
    template = html._template()
    assert html._template.cache_info().misses == 1
    assert template is html._template()
