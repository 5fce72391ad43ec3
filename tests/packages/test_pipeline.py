"""The pipeline picks the parsers up: manifests become facts, bad files become named errors, the run goes on."""

from __future__ import annotations

import shutil
from collections.abc import Iterable
from pathlib import Path

from redline.checks.interface import CheckContext, ProjectCheck
from redline.core.config import Config
from redline.core.facts import Facts
from redline.core.model import Area, Finding, Location, Severity
from redline.core.packages import PackageManifest
from redline.core.rules import Rule, RuleDoc
from redline.pipeline.run import AuditRequest, run_audit
from redline.sources.builtin import builtin_file_sources

DOC = RuleDoc("Lists every parsed manifest.", "It is a test.", "requirements.txt", "nothing", ("https://example.com",))
SEEN = Rule("TST901", "manifest-seen", Area.SECURITY, Severity.INFO, "one finding per parsed manifest", DOC)


class ManifestSeen(ProjectCheck):
    """One finding per manifest, naming its format and package count: proves the facts arrived."""

    name = "manifest-seen"
    rules = (SEEN,)
    fact_types = (PackageManifest,)

    def check(self, facts: Facts, ctx: CheckContext) -> Iterable[Finding]:
        for m in facts.of(PackageManifest):
            yield self.finding(SEEN, f"{m.format}: {len(m.packages)} packages", Location(m.path))


def test_run_audit_parses_manifests_and_names_bad_ones(shared_data: Path, tmp_path: Path) -> None:
    base = shared_data / "lockfiles/by-ecosystem"
    layout = {
        "api/requirements.txt": "python/requirements/testdata/with_versions.txt",
        "api/poetry.lock": "python/poetrylock/testdata/two-packages.lock",
        "web/package-lock.json": "javascript/packagelockjson/testdata/nested-dependencies.v1.json",
        "web/yarn.lock": "javascript/yarnlock/testdata/not-there-on-purpose",  # replaced below
        "svc/go.mod": "golang/gomod/testdata/indirect-packages.mod",
        "svc/go.sum": "golang/gomod/testdata/indirect-1.23.sum",  # malformed
        "jvm/pom.xml": "java/pomxml/testdata/with-scope.xml",
        "broken/Cargo.lock": "rust/cargolock/testdata/not-toml.txt",
    }
    for dest, src in layout.items():
        target = tmp_path / dest
        target.parent.mkdir(parents=True, exist_ok=True)
        if (base / src).exists():
            shutil.copy(base / src, target)
    (tmp_path / "web/yarn.lock").write_text((base / "javascript/yarnlock/testdata/two-packages.v1.lock").read_text())
    (tmp_path / "node_modules/left-pad").mkdir(parents=True)
    (tmp_path / "node_modules/left-pad/package.json").write_text('{"dependencies": {"x": "1.0.0"}}')

    result = run_audit(
        AuditRequest(root=tmp_path, config=Config(jobs=1), checks=[ManifestSeen()], file_sources=builtin_file_sources())
    )
    seen = {(f.location.path, f.message) for f in result.findings}
    assert seen == {
        ("api/requirements.txt", "requirements.txt: 11 packages"),
        ("api/poetry.lock", "poetry.lock: 2 packages"),
        ("web/package-lock.json", "package-lock.json v1: 5 packages"),
        ("web/yarn.lock", "yarn.lock v1: 2 packages"),
        ("svc/go.mod", "go.mod: 5 packages"),  # go 1.17: no stdlib release taken
        ("jvm/pom.xml", "pom.xml: 2 packages"),
    }
    errors = {(e.where, e.stage): e.reason for e in result.errors}
    assert errors == {
        ("svc/go.sum", "parse"): "go-sum: line 1: not a '<module> <version>[/go.mod] h1:<hash>' line",
        ("broken/Cargo.lock", "parse"): "cargo-lock: invalid TOML: Expected '=' after a key in a key/value pair "
        "(at line 1, column 6)",
    }
    assert result.facts_summary.get("PackageManifest") == 6


def test_sources_run_only_when_a_check_needs_manifests(tmp_path: Path) -> None:
    (tmp_path / "Cargo.lock").write_text("not toml [[[")
    result = run_audit(
        AuditRequest(root=tmp_path, config=Config(jobs=1), checks=[], file_sources=builtin_file_sources())
    )
    assert result.errors == ()
    assert "PackageManifest" not in result.facts_summary
