"""Warm-ups (``AuditRequest.warm_ups``, ``SynthesisStep.warm_up``, ``Reporter.warm_up``): the imports the end
of a run needs, done by the main process while a pool of workers parses; once, only when a pool runs, and a
warm-up that fails changes nothing about the result."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from redline.core.config import Config
from redline.core.result import AuditResult
from redline.pipeline import run as pipeline_run
from redline.pipeline.catalogue import load_catalogue
from redline.pipeline.run import AuditRequest, run_audit


def _tree(root: Path) -> Path:
    root.mkdir()
    (root / "settings.py").write_text("DEBUG = True\n")
    (root / "app.py").write_text("import requests\n\n\ndef fetch():\n    return requests.get('https://example.com')\n")
    return root


def _audit(root: Path, jobs: int, *warm_ups: object) -> AuditResult:
    catalogue = load_catalogue(with_plugins=False)
    return run_audit(
        AuditRequest(
            root=root,
            config=Config(jobs=jobs),
            checks=catalogue.checks,
            file_sources=catalogue.file_sources,
            project_sources=catalogue.project_sources,
            steps=catalogue.steps,
            warm_ups=tuple(warm_ups),  # type: ignore[arg-type]
        )
    )


def _places(result: AuditResult) -> list[tuple[str, str, int]]:
    return [(f.rule, f.location.path, f.location.start_line) for f in result.findings]


@pytest.mark.parametrize(("jobs", "runs"), [(1, 0), (2, 1)])
def test_warm_ups_run_once_in_the_main_process_and_only_beside_a_pool(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, jobs: int, runs: int
) -> None:
    monkeypatch.setattr(pipeline_run, "PARALLEL_MIN_COST", 0)
    calls: list[int] = []
    result = _audit(_tree(tmp_path / "tree"), jobs, lambda: calls.append(os.getpid()))
    assert result.stats.workers == jobs
    assert calls == [os.getpid()] * runs


def test_a_failing_warm_up_changes_nothing(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(pipeline_run, "PARALLEL_MIN_COST", 0)
    root = _tree(tmp_path / "tree")
    calls: list[str] = []

    def failing() -> None:
        calls.append("failing")
        raise RuntimeError("no such module")

    plain = _audit(root, 2)
    warmed = _audit(root, 2, failing, lambda: calls.append("after"))
    assert calls == ["failing", "after"]  # the next warm-up still runs
    assert _places(warmed) == _places(plain)
    assert _places(plain) == [("RES101", "app.py", 5), ("WEB301", "settings.py", 1)]
    assert warmed.errors == plain.errors


#: prints which heavy libraries a fresh interpreter holds after each warm-up
PROBE = """
import sys
from types import SimpleNamespace
from redline.core.config import Config, OutputFormat
from redline.report.formats import warm_up_reporters
from redline.synthesis.sbom import SbomStep

def held():
    return sorted(m for m in ("cyclonedx", "jinja2") if m in sys.modules)

SbomStep().warm_up(SimpleNamespace(config=Config(formats=(OutputFormat.JSON,))))
warm_up_reporters([OutputFormat.JSON, OutputFormat.MARKDOWN])
print(held())
SbomStep().warm_up(SimpleNamespace(config=Config(formats=(OutputFormat.CYCLONEDX,))))
print(held())
warm_up_reporters([OutputFormat.HTML])
print(held())
"""


def test_warm_ups_import_a_heavy_library_only_for_the_output_that_needs_it() -> None:
    out = subprocess.run([sys.executable, "-c", PROBE], capture_output=True, text=True, check=True).stdout
    assert out.splitlines() == ["[]", "['cyclonedx']", "['cyclonedx', 'jinja2']"]
