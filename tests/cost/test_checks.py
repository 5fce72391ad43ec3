"""Every cost rule over the planted export: the exact resources that fire, and the look-alikes that do not."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest

from redline.checks.cost import checks
from redline.checks.interface import CheckContext, ProjectCheck
from redline.core.config import Config
from redline.core.facts import Facts
from redline.core.model import Finding
from redline.sources.cost.dataset import load_dataset
from redline.sources.cost.model import CostDataset
from redline.sources.cost.settings import CostSettings

from .exports import focus_row, write_focus
from .planted import write_planted


def _run(ds: CostDataset) -> list[Finding]:
    ctx = CheckContext(Path("."), Config(), frozenset())
    found = [f for check in checks() if isinstance(check, ProjectCheck) for f in check.check(Facts([ds]), ctx)]
    return [f for f in found if isinstance(f, Finding)]


@pytest.fixture(scope="module")
def planted(tmp_path_factory: pytest.TempPathFactory) -> CostDataset:
    export, requests = write_planted(tmp_path_factory.mktemp("planted"))
    return load_dataset([export], [str(requests)], CostSettings(shared_spread="none"))


@pytest.fixture(scope="module")
def findings(planted: CostDataset) -> list[Finding]:
    return _run(planted)


def _resources(findings: list[Finding], rule: str) -> list[str]:
    return sorted(f.location.resource for f in findings if f.rule == rule)


def test_unallocated_names_the_largest_untagged(findings: list[Finding]) -> None:
    [finding] = [f for f in findings if f.rule == "COST101"]
    tops = list(finding.evidence.strings("largest"))
    assert tops == ["vol-orphan-big", "i-untagged", "/aws/lambda/search", "vol-detached", "lb/app/busy"]
    assert finding.location.resource == "(unallocated)/USD"
    assert finding.remediation


def test_unallocated_below_threshold_is_quiet(tmp_path: Path) -> None:
    rows = [focus_row(95.0, resource="i-a", tags={"application": "a"}), focus_row(5.0, resource="i-b")]
    ds = load_dataset([write_focus(tmp_path / "f.csv", rows)], [], CostSettings())
    assert _resources(_run(ds), "COST101") == []


def test_resource_patterns_allocate(tmp_path: Path) -> None:
    rows = [
        focus_row(50.0, resource="arn:aws:ec2:us-east-1:1:instance/search-worker-1"),
        focus_row(50.0, resource="i-other", tags={"app": "billing"}),
    ]
    ds = load_dataset(
        [write_focus(tmp_path / "f.csv", rows)], [], CostSettings(components={"search": (r"instance/search-",)})
    )
    assert {(ln.component, ln.component_via) for ln in ds.lines} == {("search", "pattern"), ("billing", "tag")}
    assert _resources(_run(ds), "COST101") == []


def test_idle_spend(findings: list[Finding]) -> None:
    assert _resources(findings, "COST102") == ["eipalloc-idle", "lb/app/silent", "legacy", "vol-detached"]


def test_cost_per_request_growth(findings: list[Finding]) -> None:
    # checkout: +50 % on flat traffic; acme: its dedicated search cluster appeared in September
    assert _resources(findings, "COST103") == ["checkout", "search/acme"]
    [f] = [f for f in findings if f.rule == "COST103" and f.location.resource == "checkout"]
    assert f.evidence["month"] == "2024-09"


def test_tenant_skew(findings: list[Finding]) -> None:
    assert _resources(findings, "COST104") == ["search/acme"]


def test_data_transfer(findings: list[Finding]) -> None:
    assert _resources(findings, "COST105") == ["orders"]


def test_log_retention(findings: list[Finding]) -> None:
    assert _resources(findings, "COST106") == ["/aws/lambda/orders"]


def test_commitment_coverage(findings: list[Finding]) -> None:
    assert _resources(findings, "COST107") == ["AWS/Amazon EC2/checkout"]


def test_every_finding_has_a_remediation_and_points_at_the_export(findings: list[Finding]) -> None:
    assert findings
    assert all(f.remediation and f.location.path.endswith("focus.csv") for f in findings)


def test_no_request_data_means_no_request_findings(planted: CostDataset) -> None:
    quiet = _run(replace(planted, requests=()))
    assert {f.rule for f in quiet} == {"COST101", "COST102", "COST105", "COST106", "COST107"}
    assert _resources(quiet, "COST102") == ["eipalloc-idle", "lb/app/silent", "vol-detached"]


def test_thresholds_come_from_settings(planted: CostDataset) -> None:
    strict = replace(planted, settings=replace(planted.settings, growth_threshold=10.0, transfer_share=0.5))
    found = _run(strict)
    assert _resources(found, "COST103") == []
    assert _resources(found, "COST105") == []
