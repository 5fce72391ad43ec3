"""Heavy libraries are imported by the run that needs them: an audit of a tree without Terraform, XML
manifests, packages or traces imports none of them, and a tree holding one of those imports exactly what
reading it takes (timings live in bench/README.md)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

#: imported only where first needed (the module that needs each, in brackets): HCL parsing (hcl_tree),
#: the CycloneDX document (synthesis.bom), XML manifests (maven_pom.parse_xml), PEP 508 and wheel names
#: (pep508, python_requirements), licence expressions (spdx.LicenceNormaliser.licensing), METADATA headers
#: (advisories.licences), purls (core.purl), downloads (download.http_get), trace files
#: (traces.store.ingest), and statistics (three checks' medians)
DEFERRED = frozenset(
    {
        "hcl2",
        "lark",
        "redline.sources.terraform.hcl_tree",
        "cyclonedx",
        "redline.synthesis.bom",
        "defusedxml",
        "xml.sax.expatreader",
        "packaging.requirements",
        "packaging.utils",
        "license_expression",
        "boolean",
        "email.parser",
        "packageurl",
        "urllib.request",
        "http.client",
        "redline.sources.traces.files",
        "orjson",
        "concurrent.futures.process",
        "statistics",
    }
)

_AUDIT = """
import json, sys
from redline.cli.main import main
code = main({argv!r})
print(json.dumps({{"code": code, "modules": sorted(sys.modules)}}))
"""


def _audit_modules(root: Path, out: Path, *extra: str) -> set[str]:
    """The deferred modules a fresh interpreter holds after ``redline audit root`` (one worker, so every
    check runs in that interpreter); the audit must succeed and write its findings."""
    argv = ["audit", str(root), "--jobs", "1", "-q", "--format", "json", "--out", str(out), "--no-record"]
    env = {**os.environ, "REDLINE_CACHE_DIR": str(out.parent / "cache")}
    code = _AUDIT.format(argv=[*argv, *extra])
    run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, env=env)
    result = json.loads(run.stdout.strip().splitlines()[-1])
    assert result["code"] == 0, run.stderr
    assert (out / "findings.json").is_file()
    return {m for m in result["modules"] if m in DEFERRED}


def _python_tree(root: Path) -> Path:
    root.mkdir()
    (root / "app.py").write_text('import os\n\n\ndef home(name: str) -> str:\n    return os.path.join("/home", name)\n')
    (root / "README.md").write_text("# small\n")
    return root


def test_an_audit_of_a_python_only_tree_imports_none_of_the_heavy_libraries(tmp_path: Path) -> None:
    assert _audit_modules(_python_tree(tmp_path / "tree"), tmp_path / "out") == set()


TF = 'resource "aws_s3_bucket" "logs" {\n  bucket = "logs-${var.env}"\n}\n\nvariable "env" {\n  default = "prod"\n}\n'
POM = """<project xmlns="http://maven.apache.org/POM/4.0.0">
  <modelVersion>4.0.0</modelVersion>
  <groupId>com.example</groupId>
  <artifactId>shop</artifactId>
  <version>1.0</version>
  <dependencies>
    <dependency><groupId>org.slf4j</groupId><artifactId>slf4j-api</artifactId><version>2.0.9</version></dependency>
  </dependencies>
</project>
"""

URLLIB = ("urllib.request", "http.client", "email.parser")
PEP508 = ("packaging.requirements", "packaging.utils")  # the markers grammar imports packaging.utils


@pytest.mark.parametrize(
    ("name", "text", "extra", "expected"),
    [
        ("main.tf", TF, (), {"hcl2", "lark", "redline.sources.terraform.hcl_tree"}),
        # expat's SAX reader pulls urllib.request (xml.sax.saxutils), with http.client and email.parser
        ("pom.xml", POM, (), {"defusedxml", "xml.sax.expatreader", "packageurl", *URLLIB}),
        ("requirements.txt", "requests==2.31.0\n", (), {*PEP508, "packageurl"}),
        (
            "requirements.txt",
            "requests==2.31.0\n",
            ("--format", "json", "--format", "cyclonedx"),
            # cyclonedx-python-lib imports defusedxml for its XML output
            {*PEP508, "packageurl", "cyclonedx", "redline.synthesis.bom", "defusedxml"},
        ),
    ],
    ids=["terraform", "maven", "requirements", "requirements-sbom"],
)
def test_a_file_that_needs_a_library_imports_exactly_that_library(
    tmp_path: Path, name: str, text: str, extra: tuple[str, ...], expected: set[str]
) -> None:
    tree = _python_tree(tmp_path / "tree")
    (tree / name).write_text(text)
    assert _audit_modules(tree, tmp_path / "out", *extra) == expected
