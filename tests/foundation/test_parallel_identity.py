"""One worker or two, the same report: module checks judge each module in the worker that indexed it and
the main process finishes them with the routes, so the findings must not depend on how files were split;
with an empty cache the secret scanner compiles while the workers parse and its file check runs in a second
pass, which must not change them either; nor must a warm cache, where a worker decodes an index only for a check that
reads the module (``core.facts.Deferred``)."""

from __future__ import annotations

import json
import logging
import shutil
from pathlib import Path

import pytest

from redline.core.config import OutputFormat
from redline.core.result import AuditResult
from redline.pipeline import run as pipeline_run
from redline.report.formats import write_reports

from .helpers import audit_with_catalogue

REPO = Path(__file__).resolve().parents[2]
CODE_FIXTURES = REPO / "tests" / "code" / "fixtures"


def _tree(tmp_path: Path) -> Path:
    """The example shop plus the code-rule fixtures: Python, JavaScript and Go modules across many files,
    with routes in one module and their handlers in another."""
    root = tmp_path / "tree"
    shutil.copytree(REPO / "examples" / "shop", root / "shop")
    for name in ("flaws", "injection", "settings", "jsgo", "routes", "exposure"):
        shutil.copytree(CODE_FIXTURES / name, root / name)
    shutil.copytree(CODE_FIXTURES / "flaws", root / "tests" / "flaws")  # tests: read by no module check
    return root


def _audit(
    root: Path, jobs: int, out: Path, cache: Path, monkeypatch: pytest.MonkeyPatch, *, warm: bool = False
) -> AuditResult:
    if not warm:
        shutil.rmtree(cache / "code-index", ignore_errors=True)  # every index built in this run's processes
    monkeypatch.setenv("REDLINE_CACHE_DIR", str(cache))
    result = audit_with_catalogue(root, jobs)
    write_reports(result, out, [OutputFormat.JSON])
    return result


def test_one_and_two_workers_write_byte_identical_findings(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    root = _tree(tmp_path)
    monkeypatch.setattr(pipeline_run, "PARALLEL_MIN_COST", 0)  # a fixture tree is small: use the pool anyway
    cache = tmp_path / "cache"
    # an empty cache first: two workers parse while the main process compiles the secret scanner in a thread,
    # then the secrets are scanned in a second pass; then one worker, then two with the database cached
    with caplog.at_level(logging.WARNING, logger="redline"):
        cold = _audit(root, 2, tmp_path / "cold", cache, monkeypatch)
    compiled = [r for r in caplog.records if r.getMessage().startswith("compiled the secret scanner's")]
    assert [r.threadName for r in compiled] == ["redline-prepare"]
    one = _audit(root, 1, tmp_path / "one", cache, monkeypatch)
    two = _audit(root, 2, tmp_path / "two", cache, monkeypatch)
    warm = _audit(root, 2, tmp_path / "warm", cache, monkeypatch, warm=True)

    assert (cold.stats.workers, one.stats.workers, two.stats.workers, warm.stats.workers) == (2, 1, 2, 2)
    first = (tmp_path / "one" / "findings.json").read_bytes()
    assert first == (tmp_path / "two" / "findings.json").read_bytes()
    assert first == (tmp_path / "warm" / "findings.json").read_bytes()
    assert warm.skipped == two.skipped and warm.facts_summary == two.facts_summary
    assert first == (tmp_path / "cold" / "findings.json").read_bytes()
    rules = {f["rule"] for f in json.loads(first)["findings"]}
    # the module checks' rules are there (SQL, shell, path, SSRF, JS/Go SQL, settings), and the route ones
    assert {"WEB201", "WEB202", "WEB203", "WEB204", "WEB210", "WEB305"} <= rules
    # and the secrets the tree scan finds (the cold two-worker run found them in its second pass)
    secrets = {"SEC100", "SEC101", "SEC220", "SEC310", "SEC437", "SEC438", "SEC901", "SEC906", "SEC907"}
    assert {r for r in rules if r.startswith("SEC")} == secrets | {"SEC903"}  # SEC903: a project check's
    reached = [f for f in json.loads(first)["findings"] if "reachable from" in f["message"]]
    assert reached, "module-check findings are completed with their route in the main process"
