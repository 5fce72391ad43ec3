"""The CycloneDX 1.6 SBOM: schema-valid, components with purls and licences, the dependency graph,
the vulnerabilities section, deterministic output, and ``redline sbom``'s gate."""

from __future__ import annotations

import json
import shutil
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pytest
from cyclonedx.model.bom import Bom, BomMetaData
from cyclonedx.model.component import Component, ComponentType
from cyclonedx.model.dependency import Dependency
from cyclonedx.output.json import JsonV1Dot6
from cyclonedx.schema import SchemaVersion
from cyclonedx.validation.json import JsonStrictValidator

from audit_helpers import audit_catalogue
from redline.cli.main import main
from redline.core.config import load_config
from redline.core.packages import DependencyEdge, Package, PackageManifest
from redline.pipeline.catalogue import load_catalogue
from redline.report.cyclonedx import CycloneDxReporter, empty_bom
from redline.sources.advisories.spdx import LicenceNormaliser
from redline.synthesis.bom import bom_document, build_bom, component_purl

from .helpers import audit, write_tree

FIXTURE = Path(__file__).parent / "fixtures" / "vulns"


def validate(doc: Mapping[str, Any]) -> None:
    error = JsonStrictValidator(SchemaVersion.V1_6).validate_str(json.dumps(doc))
    assert error is None, error


@pytest.fixture
def tree(tmp_path: Path) -> Path:
    shutil.copytree(FIXTURE, tmp_path / "tree")
    write_tree(
        tmp_path / "tree",
        {
            ".venv/lib/python3.11/site-packages/aiohttp-3.8.5.dist-info/METADATA": "Metadata-Version: 2.1\n"
            "Name: aiohttp\nVersion: 3.8.5\nLicense: Apache 2\n",
        },
    )
    return tmp_path / "tree"


def test_audit_sbom_is_valid_and_complete(tree: Path, vulndb_dir: Path) -> None:
    result = audit(tree, vulndb_dir)
    doc = result.sbom
    assert doc is not None
    validate(doc)
    assert doc["specVersion"] == "1.6"
    comps = {c["bom-ref"]: c for c in doc["components"]}
    assert set(comps) == {
        "PyPI/pyspark@3.1.2",
        "PyPI/requests@2.31.0",
        "PyPI/pyyaml@5.4",
        "PyPI/redis@5.0.1",
        "PyPI/aiohttp@3.8.5",
        "npm/express-lite@1.0.0",
        "npm/lodash@4.17.15",
        "npm/lodash-es@4.17.21",
    }
    assert comps["PyPI/aiohttp@3.8.5"]["purl"] == "pkg:pypi/aiohttp@3.8.5"
    assert comps["PyPI/aiohttp@3.8.5"]["licenses"] == [{"expression": "Apache-2.0"}]
    assert comps["npm/lodash@4.17.15"]["purl"] == "pkg:npm/lodash@4.17.15"
    deps = {d["ref"]: set(d.get("dependsOn", [])) for d in doc["dependencies"]}
    assert deps["npm/express-lite@1.0.0"] == {"npm/lodash@4.17.15"}
    assert deps["project"] == {
        "PyPI/aiohttp@3.8.5",
        "PyPI/pyspark@3.1.2",
        "PyPI/pyyaml@5.4",
        "PyPI/redis@5.0.1",
        "PyPI/requests@2.31.0",
        "npm/express-lite@1.0.0",
        "npm/lodash-es@4.17.21",
    }
    vulns = {v["bom-ref"]: v for v in doc["vulnerabilities"]}
    assert len(vulns) == 12  # 5 pyspark + 5 aiohttp + 2 lodash groups, pyspark's dev duplicates merged
    kev = vulns["CVE-2022-33891@PyPI/pyspark@3.1.2"]
    assert kev["affects"] == [{"ref": "PyPI/pyspark@3.1.2"}]
    assert {r["id"] for r in kev["references"]} == {"PYSEC-2022-236", "GHSA-4x9r-j582-cgr8"}
    properties = {p["name"]: p["value"] for p in kev["properties"]}
    assert sorted(properties) == ["redline:dependency-path", "redline:epss", "redline:kev", "redline:rule"]
    assert properties["redline:kev"] == "CVE-2022-33891 added 2023-03-07, due 2023-03-28, ransomware use: unknown"
    assert properties["redline:rule"] == "VUL102"
    assert kev["ratings"][0]["severity"] == "critical"
    assert kev["recommendation"] == "Upgrade pyspark to 3.4.0 (clears every known advisory on it)."


def test_reporter_writes_deterministic_sbom(tree: Path, vulndb_dir: Path) -> None:
    first = CycloneDxReporter().render(audit(tree, vulndb_dir))
    second = CycloneDxReporter().render(audit(tree, vulndb_dir))
    assert first == second
    assert b'"timestamp"' not in first
    assert CycloneDxReporter.filename == "sbom.cdx.json"


def test_sbom_command(tree: Path, vulndb_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "out" / "bom.json"
    assert main(["sbom", str(tree), "--out", str(out), "--db-dir", str(vulndb_dir), "-q"]) == 0
    validate(json.loads(out.read_text()))
    assert main(["sbom", str(tree), "--out", str(out), "--db-dir", str(vulndb_dir), "-q", "--fail-on-kev"]) == 1
    assert (
        main(["sbom", str(tree), "--out", str(out), "--db-dir", str(vulndb_dir), "-q", "--epss-threshold", "0.95"]) == 0
    )
    assert (
        main(["sbom", str(tree), "--out", str(out), "--db-dir", str(vulndb_dir), "-q", "--epss-threshold", "0.9"]) == 1
    )  # CVE-2022-33891 has EPSS 0.93
    assert "gate failed" in capsys.readouterr().err


def test_audit_writes_sbom_file(tree: Path, vulndb_dir: Path, tmp_path: Path) -> None:
    (tree / "redline.toml").write_text(
        f'formats = ["cyclonedx", "json"]\n[supply_chain]\ndb_dir = "{vulndb_dir.as_posix()}"\n'
    )
    code = main(["audit", str(tree), "--out", str(tmp_path / "report"), "--exit-zero", "-q", "--select", "VUL"])
    assert code == 0
    validate(json.loads((tmp_path / "report" / "sbom.cdx.json").read_text()))


def test_purls_and_graph_from_facts() -> None:
    pkgs = (
        Package("Maven", "org.apache.logging.log4j:log4j-core", "2.14.1", "", "pom.xml", direct=True),
        Package("Go", "github.com/gin-gonic/gin", "v1.9.0", "", "go.mod", direct=True),
        Package("npm", "@babel/core", "7.0.0", "", "package-lock.json", dev=True),
    )
    assert str(component_purl(pkgs[0])) == "pkg:maven/org.apache.logging.log4j/log4j-core@2.14.1"
    assert str(component_purl(pkgs[1])) == "pkg:golang/github.com/gin-gonic/gin@v1.9.0"
    assert str(component_purl(pkgs[2])) == "pkg:npm/%40babel/core@7.0.0"
    manifest = PackageManifest("x", "test", "mixed", pkgs, (DependencyEdge(pkgs[0].key, pkgs[1].key),))
    doc = bom_document(build_bom("demo", [manifest], [], {}, LicenceNormaliser()))
    validate(doc)
    comps = {c["bom-ref"]: c for c in doc["components"]}
    assert comps[pkgs[0].key]["group"] == "org.apache.logging.log4j"
    assert comps[pkgs[2].key]["scope"] == "optional"  # development only


def test_empty_bom_is_valid() -> None:
    validate(empty_bom())


def test_sbom_step_runs_only_when_asked(tree: Path, vulndb_dir: Path) -> None:
    (tree / "redline.toml").write_text(f'formats = ["json"]\n[supply_chain]\ndb_dir = "{vulndb_dir.as_posix()}"\n')
    catalogue = load_catalogue(with_plugins=False)
    result = audit_catalogue(tree, load_config(tree / "redline.toml", catalogue.sections), ("VUL",))
    assert result.sbom is None
    assert sorted((f.location.path, f.location.start_line) for f in result.findings if f.rule == "VUL102") == [
        ("requirements-dev.txt", 1),
        ("requirements.txt", 1),
    ]


def _graph_bom(count: int) -> Bom:
    lock = "package-lock.json"
    pkgs = tuple(Package("npm", f"pkg{i:03d}", "1.0.0", "", lock, direct=i % 3 == 0) for i in range(count))
    edges = tuple(DependencyEdge(pkgs[i].key, pkgs[i + 1].key) for i in range(0, count - 1, 2))
    manifest = PackageManifest("package-lock.json", "npm", "npm", pkgs, edges)
    return build_bom("demo", [manifest], [], {}, LicenceNormaliser())


def test_indexed_validation_writes_what_the_library_writes() -> None:
    """The document with the dependency lookup indexed is the library's own, its validation included (a
    component with no entry and no parent, ``loose``, still gets one); the Bom keeps the library's method."""
    bom = _graph_bom(40)
    plain = json.loads(JsonV1Dot6(_graph_bom(40)).output_as_string())
    plain["metadata"].pop("timestamp")
    doc = bom_document(bom)
    assert doc["dependencies"] == plain["dependencies"]
    assert doc["components"] == plain["components"]
    assert "register_dependency" not in vars(bom)
    root = Component(name="demo", type=ComponentType.APPLICATION, bom_ref="project")
    child, loose = Component(name="child", bom_ref="child"), Component(name="loose", bom_ref="loose")
    graph = [Dependency(ref=root.bom_ref, dependencies=[Dependency(ref=child.bom_ref)])]
    missing = Bom(components=[child, loose], metadata=BomMetaData(component=root), dependencies=graph)
    assert [d["ref"] for d in bom_document(missing)["dependencies"]] == ["child", "loose", "project"]
