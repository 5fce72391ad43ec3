"""Package URLs: the SBOM's components and the VUL findings name one purl per package, in the purl spec's
form (scoped npm names with an encoded ``@`` namespace, Go module paths split at the last ``/`` with their
case and ``/vN`` suffix kept and a ``v``-prefixed version)."""

from __future__ import annotations

import json
from pathlib import Path

from redline.core.model import Finding
from redline.core.packages import Package
from redline.core.purl import package_purl, purl_for
from redline.core.result import AuditResult
from redline.synthesis.bom import component_purl

from .helpers import audit, write_tree

GO_MOD = """module example.com/shop

go 1.21.0

require (
\tgithub.com/Masterminds/goutils v1.1.0
\tgithub.com/labstack/echo/v4 v4.1.17
\tgolang.org/x/net v0.0.0-20220722155237-a158d28d115b // indirect
\tgopkg.in/yaml.v3 v3.0.1
)
"""

PACKAGE_LOCK = {
    "name": "web",
    "version": "1.0.0",
    "lockfileVersion": 3,
    "requires": True,
    "packages": {
        "": {"name": "web", "version": "1.0.0", "dependencies": {"@babel/core": "7.0.0", "lodash": "4.17.15"}},
        "node_modules/@babel/core": {"version": "7.0.0"},
        "node_modules/lodash": {"version": "4.17.15"},
        "node_modules/@types/node/node_modules/undici-types": {"version": "5.26.5"},
    },
}


def _sbom_purls(result: AuditResult) -> dict[str, str]:
    assert result.sbom is not None
    return {c["bom-ref"]: c["purl"] for c in result.sbom["components"]}


def _vul_purls(result: AuditResult) -> dict[str, str]:
    found: list[Finding] = [f for f in result.findings if f.rule.startswith("VUL")]
    return {f.evidence.text("package"): f.evidence.text("purl") for f in found}


def test_go_purls_keep_case_and_major_suffix(tmp_path: Path, go_vulndb_dir: Path) -> None:
    write_tree(tmp_path, {"go.mod": GO_MOD})
    result = audit(tmp_path, go_vulndb_dir, select=("VUL",))
    assert _sbom_purls(result) == {
        "Go/github.com/Masterminds/goutils@1.1.0": "pkg:golang/github.com/Masterminds/goutils@v1.1.0",
        "Go/github.com/labstack/echo/v4@4.1.17": "pkg:golang/github.com/labstack/echo/v4@v4.1.17",
        "Go/golang.org/x/net@0.0.0-20220722155237-a158d28d115b": (
            "pkg:golang/golang.org/x/net@v0.0.0-20220722155237-a158d28d115b"
        ),
        "Go/gopkg.in/yaml.v3@3.0.1": "pkg:golang/gopkg.in/yaml.v3@v3.0.1",
        "Go/stdlib@1.21.0": "pkg:golang/stdlib@v1.21.0",
        "Go/toolchain@1.21.0": "pkg:golang/toolchain@v1.21.0",
    }


def test_npm_purls_encode_the_scope(tmp_path: Path, vulndb_dir: Path) -> None:
    write_tree(tmp_path, {"package-lock.json": json.dumps(PACKAGE_LOCK)})
    result = audit(tmp_path, vulndb_dir, select=("VUL",))
    assert _sbom_purls(result) == {
        "npm/@babel/core@7.0.0": "pkg:npm/%40babel/core@7.0.0",
        "npm/lodash@4.17.15": "pkg:npm/lodash@4.17.15",
        "npm/undici-types@5.26.5": "pkg:npm/undici-types@5.26.5",
    }


def test_vul_findings_name_the_sbom_purl(tmp_path: Path, go_vulndb_dir: Path) -> None:
    write_tree(tmp_path, {"go.mod": GO_MOD})
    result = audit(tmp_path, go_vulndb_dir, select=("VUL",))
    sbom = _sbom_purls(result)
    vul = _vul_purls(result)
    assert sorted(vul) == [
        "Go/github.com/Masterminds/goutils@1.1.0",
        "Go/github.com/labstack/echo/v4@4.1.17",
        "Go/golang.org/x/net@0.0.0-20220722155237-a158d28d115b",
        "Go/stdlib@1.21.0",
    ]  # yaml.v3 3.0.1 carries the fix
    assert vul == {key: sbom[key] for key in vul}


def test_npm_vul_finding_names_the_sbom_purl(tmp_path: Path, vulndb_dir: Path) -> None:
    write_tree(tmp_path, {"package-lock.json": json.dumps(PACKAGE_LOCK)})
    result = audit(tmp_path, vulndb_dir, select=("VUL",))
    assert _vul_purls(result) == {"npm/lodash@4.17.15": "pkg:npm/lodash@4.17.15"}


def test_component_purl_of_a_package_made_without_one() -> None:
    """A package fact built without a purl (a plugin's source) gets the same purl the sources give: the
    SBOM once wrote ``@1.1.0`` for a Go module here, without Go's ``v``."""
    go = Package("Go", "github.com/Masterminds/goutils", "1.1.0", "", "go.mod")
    assert str(component_purl(go)) == "pkg:golang/github.com/Masterminds/goutils@v1.1.0"
    assert str(component_purl(go)) == purl_for(go.ecosystem, go.name, go.version)
    assert component_purl(Package("npm", "left-pad", "", "", "package.json", pinned=False)) is None
    assert component_purl(Package("Conan", "zlib", "1.3", "", "conanfile.txt")) is None


def test_purl_for_every_ecosystem() -> None:
    assert purl_for("Pub", "http", "1.0.0") == "pkg:pub/http@1.0.0"
    assert purl_for("Hex", "phoenix", "1.7.0") == "pkg:hex/phoenix@1.7.0"
    assert purl_for("PyPI", "zope-interface", "5.0") == "pkg:pypi/zope-interface@5.0"
    assert purl_for("Go", "github.com/foo/bar/v2", "v2.1.0") == "pkg:golang/github.com/foo/bar/v2@v2.1.0"
    assert purl_for("Go", "stdlib", "") == "pkg:golang/stdlib"
    assert purl_for("Conan", "zlib", "1.3") == ""


def test_package_purl_is_the_sbom_components() -> None:
    """The VUL evidence's purl (``package_purl``) and the SBOM component's are one string, for a package made
    with a purl and one made without."""
    made = Package("npm", "lodash", "4.17.15", purl_for("npm", "lodash", "4.17.15"), "package-lock.json")
    bare = Package("Go", "github.com/Masterminds/goutils", "1.1.0", "", "go.mod")
    for pkg in (made, bare):
        assert package_purl(pkg) == str(component_purl(pkg))
    assert package_purl(bare) == "pkg:golang/github.com/Masterminds/goutils@v1.1.0"
    assert package_purl(Package("npm", "left-pad", "", "", "package.json", pinned=False)) == ""
    assert package_purl(Package("Conan", "zlib", "1.3", "", "conanfile.txt")) == ""
