"""One worker or two, the same report: module checks judge each module in the worker that indexed it and
the main process finishes them with the routes, so the findings must not depend on how files were split."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from redline.core.config import OutputFormat
from redline.core.result import AuditResult
from redline.pipeline import run as pipeline_run
from redline.pipeline.catalogue import load_catalogue
from redline.pipeline.run import AuditRequest, run_audit
from redline.report.formats import write_reports

REPO = Path(__file__).resolve().parents[2]
CODE_FIXTURES = REPO / "tests" / "code" / "fixtures"


def _tree(tmp_path: Path) -> Path:
    """The example shop plus the code-rule fixtures: Python, JavaScript and Go modules across many files,
    with routes in one module and their handlers in another."""
    root = tmp_path / "tree"
    shutil.copytree(REPO / "examples" / "shop", root / "shop")
    for name in ("flaws", "injection", "settings", "jsgo", "routes", "exposure"):
        shutil.copytree(CODE_FIXTURES / name, root / name)
    return root


def _audit(root: Path, jobs: int, out: Path, cache: Path, monkeypatch: pytest.MonkeyPatch) -> AuditResult:
    shutil.rmtree(cache / "code-index", ignore_errors=True)  # every index built in this run's processes
    monkeypatch.setenv("REDLINE_CACHE_DIR", str(cache))
    catalogue = load_catalogue(with_plugins=False)
    from redline.core.config import Config

    result = run_audit(
        AuditRequest(
            root=root,
            config=Config(jobs=jobs),
            checks=catalogue.checks,
            file_sources=catalogue.file_sources,
            project_sources=catalogue.project_sources,
            steps=catalogue.steps,
        )
    )
    write_reports(result, out, [OutputFormat.JSON])
    return result


def test_one_and_two_workers_write_byte_identical_findings(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    root = _tree(tmp_path)
    monkeypatch.setattr(pipeline_run, "PARALLEL_MIN_COST", 0)  # a fixture tree is small: use the pool anyway
    one = _audit(root, 1, tmp_path / "one", tmp_path / "cache", monkeypatch)
    two = _audit(root, 2, tmp_path / "two", tmp_path / "cache", monkeypatch)

    assert (one.stats.workers, two.stats.workers) == (1, 2)
    first = (tmp_path / "one" / "findings.json").read_bytes()
    assert first == (tmp_path / "two" / "findings.json").read_bytes()
    rules = {f["rule"] for f in json.loads(first)["findings"]}
    # the module checks' rules are there (SQL, shell, path, SSRF, JS/Go SQL, settings), and the route ones
    assert {"WEB201", "WEB202", "WEB203", "WEB204", "WEB210", "WEB305"} <= rules
    reached = [f for f in json.loads(first)["findings"] if "reachable from" in f["message"]]
    assert reached, "module-check findings are completed with their route in the main process"
