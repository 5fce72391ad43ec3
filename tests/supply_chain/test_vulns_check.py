"""VUL101-103 over a fixture tree parsed by the real manifest sources: exact findings, look-alikes
(fixed versions, withdrawn advisories, a patched sibling package) that must stay quiet, KEV/EPSS
severity policy, dependency paths and the smallest clearing upgrade."""

from __future__ import annotations

import shutil
from collections.abc import Mapping
from pathlib import Path, PurePosixPath

import pytest

from redline.cli.main import main
from redline.core.evidence import Evidence
from redline.core.model import Finding, Severity
from redline.core.result import AuditResult

from .helpers import advisory_cvss, advisory_lines, audit

FIXTURE = Path(__file__).parent / "fixtures" / "vulns"


@pytest.fixture
def tree(tmp_path: Path) -> Path:
    shutil.copytree(FIXTURE, tmp_path / "tree")
    return tmp_path / "tree"


def _vulns(result: AuditResult) -> list[Finding]:
    return [f for f in result.findings if f.rule.startswith("VUL")]


def _key(f: Finding) -> tuple[str, str, int, str, str, str]:
    advisories = f.evidence["advisories"]
    count = len(advisories) if isinstance(advisories, tuple) else 0
    return (f.rule, f.location.path, f.location.start_line, str(f.severity), f.evidence.strings("ids")[0], str(count))


EXPECTED = {
    # one finding per package version: the most urgent advisory group decides the rule, the worst severity wins
    # requirements.txt line 1: pyspark 3.1.2, runtime; CVE-2022-33891 is in KEV, 5 advisory groups
    ("VUL102", "requirements.txt", 1, "critical", "PYSEC-2022-236", "5"),
    # requirements.txt line 5: aiohttp 3.8.5; PYSEC-2024-24 has EPSS above the threshold
    ("VUL103", "requirements.txt", 5, "high", "PYSEC-2024-24", "5"),
    # requirements-dev.txt: the same pyspark, one level lower (KEV: high, not critical)
    ("VUL102", "requirements-dev.txt", 1, "high", "PYSEC-2022-236", "5"),
    # transitive lodash 4.17.15 (line 21 of the npm lockfile); lodash-es 4.17.21 (same advisories, fixed) stays quiet
    ("VUL103", "web/package-lock.json", 21, "high", "GHSA-35jh-r3h4-6jhm", "2"),
}
THIN_NPM = (
    "3 npm packages checked against 2 npm advisories — run `redline db update` (a database this small "
    "cannot show that they are free of known vulnerabilities)"
)


def test_exact_findings_and_look_alikes(tree: Path, vulndb_dir: Path) -> None:
    result = audit(tree, vulndb_dir)
    # the reference data's npm advisories are two: said, not silently passed
    assert [(e.where, e.reason, e.fatal) for e in result.errors] == [("vulnerability database", THIN_NPM, False)]
    assert {_key(f) for f in _vulns(result)} == EXPECTED
    assert len(_vulns(result)) == len(EXPECTED)  # one finding per package version and manifest
    flagged = {f.evidence.text("package") for f in _vulns(result)}
    # requests 2.31.0 and pyyaml 5.4 are fixed releases; redis 5.0.1 only has a withdrawn advisory
    assert flagged == {"PyPI/pyspark@3.1.2", "PyPI/aiohttp@3.8.5", "npm/lodash@4.17.15"}
    # one package version reached from two manifests is one root cause
    assert {f.group for f in _vulns(result) if "pyspark" in f.message} == {"package:PyPI/pyspark@3.1.2"}


def test_every_advisory_group_is_listed_once(tree: Path, vulndb_dir: Path) -> None:
    result = audit(tree, vulndb_dir)
    [aiohttp] = [f for f in _vulns(result) if "aiohttp" in f.message]
    lines = advisory_lines(aiohttp)
    assert [line.split(" ", 1)[0] for line in lines] == [
        "CVE-2023-47627",
        "CVE-2023-49081",
        "CVE-2023-49082",
        "CVE-2024-23334",
        "CVE-2024-23829",
    ]
    assert lines[0].startswith("CVE-2023-47627 (PYSEC-2023-246, GHSA-gfw2-4jvh-wgfg), high: ")
    assert "affected <3.8.6; fixed in 3.8.6" in lines[0]
    assert advisory_cvss(aiohttp, "CVE-2023-47627") == "7.5 CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:N/I:H/A:N"
    assert aiohttp.evidence["upgrade"] == "3.9.2"
    assert aiohttp.message.startswith(
        "aiohttp 3.8.5 (runtime dependency) has 5 known vulnerabilities; worst CVE-2024-23334"
    )
    assert aiohttp.message.endswith("; upgrade to 3.9.2 clears all")
    # the package's own description ("aiohttp is an asynchronous HTTP client/server framework") is no flaw
    assert "asynchronous HTTP client/server framework" not in aiohttp.message


def test_kev_finding_carries_everything(tree: Path, vulndb_dir: Path) -> None:
    result = audit(tree, vulndb_dir)
    [kev] = [f for f in _vulns(result) if f.rule == "VUL102" and f.location.path == "requirements.txt"]
    ev = kev.evidence
    assert ev["ids"] == ("PYSEC-2022-236", "GHSA-4x9r-j582-cgr8", "CVE-2022-33891")
    advisories = ev["advisories"]
    assert isinstance(advisories, tuple)
    [adv] = [a for a in advisories if isinstance(a, Evidence) and a.text("id") == "CVE-2022-33891"]
    assert adv.strings("aliases") == ("PYSEC-2022-236", "GHSA-4x9r-j582-cgr8") and adv.text("severity") == "critical"
    assert adv.text("affected") == ">=3.1.1, <3.1.3" and adv.strings("fixed") == ("3.1.3", "3.2.2")
    assert ev["kev"] == (
        Evidence({"cve": "CVE-2022-33891", "date_added": "2023-03-07", "due_date": "2023-03-28", "ransomware": False}),
    )
    epss = ev.nested("epss")
    assert epss.text("cve") == "CVE-2022-33891" and round(epss.number("probability") or 0, 5) == 0.93076
    assert ev["upgrade"] == "3.4.0"
    assert ev["scope"] == "runtime" and ev["direct"] is True and ev["dependency_path"] == ("PyPI/pyspark@3.1.2",)
    assert "CVE-2022-33891" in kev.message and "exploited in the wild" in kev.message
    assert "impersonation" in kev.message  # the sentence naming the flaw, not the feature description
    assert kev.priority.exploitability.value == 5 and "KEV" in kev.priority.exploitability.reason
    assert kev.remediation == "Upgrade pyspark to 3.4.0 (clears every known advisory on it)."


def test_dev_dependency_is_ranked_lower_and_says_so(tree: Path, vulndb_dir: Path) -> None:
    result = audit(tree, vulndb_dir)
    runtime, dev = (
        next(f for f in _vulns(result) if f.location.path == p and "pyspark" in f.message)
        for p in ("requirements.txt", "requirements-dev.txt")
    )
    assert dev.severity < runtime.severity and dev.priority.score < runtime.priority.score
    assert "(development-only dependency, ranked one level below a runtime one)" in dev.message
    assert "(runtime dependency)" in runtime.message


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
    assert ("VUL103", "web/package-lock.json", 21, "high", "GHSA-p6mc-m468-83gw", "2") in {  # both groups now
        _key(f) for f in _vulns(result)
    }


def test_fingerprints_are_stable_across_line_moves(tree: Path, vulndb_dir: Path) -> None:
    before = {f.fingerprint for f in _vulns(audit(tree, vulndb_dir))}
    req = tree / "requirements.txt"
    req.write_text("# moved\n\n" + req.read_text())
    after = {f.fingerprint for f in _vulns(audit(tree, vulndb_dir))}
    assert before == after


def test_manifest_and_lockfile_report_a_package_once(tree: Path, vulndb_dir: Path) -> None:
    (tree / "web" / "package.json").write_text(
        '{"name": "web", "version": "1.0.0", "dependencies": {"lodash": "4.17.15", "express-lite": "1.0.0"}}\n'
    )
    result = audit(tree, vulndb_dir)
    assert {f.location.path for f in _vulns(result) if "lodash" in f.message} == {"web/package-lock.json"}


def test_manifest_without_lockfile_is_matched(tmp_path: Path, vulndb_dir: Path) -> None:
    (tmp_path / "package.json").write_text('{"name": "x", "version": "1.0.0", "dependencies": {"lodash": "4.17.15"}}\n')
    result = audit(tmp_path, vulndb_dir)
    assert {(f.location.path, f.rule) for f in _vulns(result)} == {("package.json", "VUL103")}


def test_audit_command_gate_options(tree: Path, vulndb_dir: Path, tmp_path: Path) -> None:
    (tree / "requirements.txt").write_text("requests==2.31.0\n")  # clean runtime; pyspark stays in dev
    base = [
        "audit",
        str(tree),
        "--out",
        str(tmp_path / "out"),
        "-q",
        "--select",
        "VUL",
        "--db-dir",
        str(vulndb_dir),
        "--fail-on",
        "critical",
        "--ignore",
        "VUL101,VUL103",
    ]
    (tree / "web" / "package-lock.json").unlink()
    assert main(base) == 0  # the dev KEV finding is high: below the critical gate
    assert main([*base, "--fail-on-kev"]) == 1  # now critical
    assert main([*base, "--epss-threshold", "2"]) == 2  # bad value: usage error


def test_osv_scanner_ignores_are_shown_as_suppressed(tree: Path, vulndb_dir: Path) -> None:
    """opentelemetry-demo records in src/checkout/osv-scanner.toml that an x/crypto advisory does not apply
    (the package is not imported): redline shows the decision (suppressed, with the reason) instead of
    overruling it. Only a finding whose every advisory is ignored is suppressed; an expired entry counts no more."""
    [aiohttp] = [f for f in _vulns(audit(tree, vulndb_dir)) if "aiohttp" in f.message]
    advisories = aiohttp.evidence["advisories"]
    assert isinstance(advisories, tuple)
    ids = [str(a["id"]) for a in advisories if isinstance(a, Mapping)]
    config = PurePosixPath(aiohttp.location.path).parent / "osv-scanner.toml"
    entries = "".join(
        f'[[IgnoredVulns]]\nid = "{i}"\nreason = "not reachable: we never parse multipart"\n' for i in ids
    )
    (tree / config).write_text(entries, encoding="utf-8")
    found = {f.evidence.text("package"): f for f in _vulns(audit(tree, vulndb_dir))}
    assert found["PyPI/aiohttp@3.8.5"].suppressed == f"{config}: not reachable: we never parse multipart"
    assert found["npm/lodash@4.17.15"].suppressed is None and found["PyPI/pyspark@3.1.2"].suppressed is None
    # one advisory of several left out, or every entry expired: reported as before
    if len(ids) > 1:
        (tree / config).write_text(
            entries.split("[[IgnoredVulns]]", 2)[1].join(["[[IgnoredVulns]]", ""]), encoding="utf-8"
        )
        partly = {f.evidence.text("package"): f for f in _vulns(audit(tree, vulndb_dir))}
        assert partly["PyPI/aiohttp@3.8.5"].suppressed is None
    (tree / config).write_text(entries.replace("reason =", "ignoreUntil = 2020-01-01\nreason ="), encoding="utf-8")
    expired = {f.evidence.text("package"): f for f in _vulns(audit(tree, vulndb_dir))}
    assert expired["PyPI/aiohttp@3.8.5"].suppressed is None
