"""VUL101-103 over a fixture tree parsed by the real manifest sources: exact findings, look-alikes
(fixed versions, withdrawn advisories, a patched sibling package) that must stay quiet, KEV/EPSS
severity policy, dependency paths and the smallest clearing upgrade."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from redline.cli.main import main
from redline.core.evidence import Evidence
from redline.core.model import Finding, Severity
from redline.core.result import AuditResult

from .helpers import audit

FIXTURE = Path(__file__).parent / "fixtures" / "vulns"


@pytest.fixture
def tree(tmp_path: Path) -> Path:
    shutil.copytree(FIXTURE, tmp_path / "tree")
    return tmp_path / "tree"


def _vulns(result: AuditResult) -> list[Finding]:
    return [f for f in result.findings if f.rule.startswith("VUL")]


def _key(f: Finding) -> tuple[str, str, int, str, str]:
    return (f.rule, f.location.path, f.location.start_line, str(f.severity), f.evidence.strings("ids")[0])


EXPECTED = {
    # requirements.txt line 1: pyspark 3.1.2, runtime
    ("VUL101", "requirements.txt", 1, "medium", "PYSEC-2022-186"),
    ("VUL101", "requirements.txt", 1, "medium", "PYSEC-2022-42976"),
    ("VUL101", "requirements.txt", 1, "medium", "PYSEC-2023-44"),
    ("VUL102", "requirements.txt", 1, "critical", "PYSEC-2022-236"),  # CVE-2022-33891 is in KEV
    ("VUL103", "requirements.txt", 1, "high", "PYSEC-2023-72"),  # EPSS 0.76
    # requirements.txt line 5: aiohttp 3.8.5
    ("VUL101", "requirements.txt", 5, "high", "PYSEC-2023-246"),  # CVSS 7.5
    ("VUL101", "requirements.txt", 5, "medium", "PYSEC-2023-250"),
    ("VUL101", "requirements.txt", 5, "medium", "PYSEC-2023-251"),
    ("VUL101", "requirements.txt", 5, "medium", "PYSEC-2024-26"),
    ("VUL103", "requirements.txt", 5, "high", "PYSEC-2024-24"),
    # requirements-dev.txt: the same pyspark, one level lower (KEV: high, not critical)
    ("VUL101", "requirements-dev.txt", 1, "low", "PYSEC-2022-186"),
    ("VUL101", "requirements-dev.txt", 1, "low", "PYSEC-2022-42976"),
    ("VUL101", "requirements-dev.txt", 1, "low", "PYSEC-2023-44"),
    ("VUL102", "requirements-dev.txt", 1, "high", "PYSEC-2022-236"),
    ("VUL103", "requirements-dev.txt", 1, "medium", "PYSEC-2023-72"),
    # transitive lodash 4.17.15 (line 21 of the npm lockfile); lodash-es 4.17.21 (same advisories, fixed) stays quiet
    ("VUL101", "web/package-lock.json", 21, "high", "GHSA-p6mc-m468-83gw"),
    ("VUL103", "web/package-lock.json", 21, "high", "GHSA-35jh-r3h4-6jhm"),
}


def test_exact_findings_and_look_alikes(tree: Path, vulndb_dir: Path) -> None:
    result = audit(tree, vulndb_dir)
    assert not result.errors, result.errors
    assert {_key(f) for f in _vulns(result)} == EXPECTED
    assert len(_vulns(result)) == len(EXPECTED)  # one finding per package and alias group
    flagged = {dict(f.evidence)["package"] for f in _vulns(result)}
    # requests 2.31.0 and pyyaml 5.4 are fixed releases; redis 5.0.1 only has a withdrawn advisory
    assert flagged == {"PyPI/pyspark@3.1.2", "PyPI/aiohttp@3.8.5", "npm/lodash@4.17.15"}


def test_kev_finding_carries_everything(tree: Path, vulndb_dir: Path) -> None:
    result = audit(tree, vulndb_dir)
    [kev] = [f for f in _vulns(result) if f.rule == "VUL102" and f.location.path == "requirements.txt"]
    ev = kev.evidence
    assert ev["ids"] == ("PYSEC-2022-236", "GHSA-4x9r-j582-cgr8", "CVE-2022-33891")
    assert ev["fixed"] == ("3.1.3", "3.2.2")  # the fix on its own line first, then the 3.2 line's
    assert ev["kev"] == (Evidence({"cve": "CVE-2022-33891", "date_added": "2023-03-07", "due_date": "2023-03-28",
                                   "ransomware": False}),)
    epss = ev.nested("epss")
    assert epss.text("cve") == "CVE-2022-33891" and round(epss.number("probability") or 0, 5) == 0.93076
    assert ev["upgrade"] == "3.4.0"
    assert ev["scope"] == "runtime" and ev["direct"] is True and ev["dependency_path"] == ("PyPI/pyspark@3.1.2",)
    assert "CVE-2022-33891" in kev.message and "exploited in the wild" in kev.message
    assert kev.priority.exploitability == 1.0
    assert kev.remediation == "Upgrade pyspark to 3.4.0 (clears every known advisory on it)."


def test_dependency_path_for_transitive_packages(tree: Path, vulndb_dir: Path) -> None:
    result = audit(tree, vulndb_dir)
    lodash = [f for f in _vulns(result) if f.location.path == "web/package-lock.json"]
    assert {f.evidence["dependency_path"] for f in lodash} == {("npm/express-lite@1.0.0", "npm/lodash@4.17.15")}
    assert {f.evidence["upgrade"] for f in lodash} == {"4.17.21"}


def test_fail_on_kev_keeps_dev_dependencies_critical(tree: Path, vulndb_dir: Path) -> None:
    result = audit(tree, vulndb_dir, extra_config="fail_on_kev = true\n")
    dev_kev = [f for f in _vulns(result) if f.rule == "VUL102" and f.location.path == "requirements-dev.txt"]
    assert [f.severity for f in dev_kev] == [Severity.CRITICAL]


def test_epss_threshold_is_configurable(tree: Path, vulndb_dir: Path) -> None:
    result = audit(tree, vulndb_dir, extra_config="epss_threshold = 0.99\n")
    assert not [f for f in _vulns(result) if f.rule == "VUL103"]
    result = audit(tree, vulndb_dir, extra_config="epss_threshold = 0.05\n")
    assert ("VUL103", "web/package-lock.json", 21, "high", "GHSA-p6mc-m468-83gw") in {_key(f) for f in _vulns(result)}


def test_fingerprints_are_stable_across_line_moves(tree: Path, vulndb_dir: Path) -> None:
    before = {f.fingerprint for f in _vulns(audit(tree, vulndb_dir))}
    req = tree / "requirements.txt"
    req.write_text("# moved\n\n" + req.read_text())
    after = {f.fingerprint for f in _vulns(audit(tree, vulndb_dir))}
    assert before == after


def test_manifest_and_lockfile_report_a_package_once(tree: Path, vulndb_dir: Path) -> None:
    (tree / "web" / "package.json").write_text(
        '{"name": "web", "version": "1.0.0", "dependencies": {"lodash": "4.17.15", "express-lite": "1.0.0"}}\n')
    result = audit(tree, vulndb_dir)
    assert {f.location.path for f in _vulns(result) if "lodash" in f.message} == {"web/package-lock.json"}


def test_manifest_without_lockfile_is_matched(tmp_path: Path, vulndb_dir: Path) -> None:
    (tmp_path / "package.json").write_text('{"name": "x", "version": "1.0.0", "dependencies": {"lodash": "4.17.15"}}\n')
    result = audit(tmp_path, vulndb_dir)
    assert {(f.location.path, f.rule) for f in _vulns(result)} == {
        ("package.json", "VUL101"), ("package.json", "VUL103")}


def test_audit_command_gate_options(tree: Path, vulndb_dir: Path, tmp_path: Path) -> None:
    (tree / "requirements.txt").write_text("requests==2.31.0\n")  # clean runtime; pyspark stays in dev
    base = ["audit", str(tree), "--out", str(tmp_path / "out"), "-q", "--select", "VUL",
            "--db-dir", str(vulndb_dir), "--fail-on", "critical", "--ignore", "VUL101,VUL103"]
    (tree / "web" / "package-lock.json").unlink()
    assert main(base) == 0  # the dev KEV finding is high: below the critical gate
    assert main([*base, "--fail-on-kev"]) == 1  # now critical
    assert main([*base, "--epss-threshold", "2"]) == 2  # bad value: usage error
