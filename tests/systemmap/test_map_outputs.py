"""map.json (valid against its schema, every claim with file and line), map.mmd, map.dot and `redline map`."""

from __future__ import annotations

import contextlib
import io
import json
import re
from pathlib import Path

import jsonschema
import pytest

from redline.cli.main import main

from .helpers import FIXTURES

SCHEMA = Path(__file__).resolve().parents[2] / "src" / "redline" / "report" / "schema" / "map.schema.json"


@pytest.fixture(scope="module")
def written(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    out = tmp_path_factory.mktemp("map")
    buf = io.StringIO()
    with contextlib.redirect_stdout(buf):
        assert main(["map", str(FIXTURES / "map_small"), "--out", str(out), "--quiet"]) == 0
    return out, buf.getvalue()


def test_map_command_prints_the_inventory_and_writes_three_files(written: tuple[Path, str]) -> None:
    out, printed = written
    assert sorted(p.name for p in out.iterdir()) == [
        ".redline-manifest.json",
        "map.dot",
        "map.json",
        "map.mmd",
        "threats.csv",
    ]
    rows = {line.split()[0]: line.split()[1:4] for line in printed.splitlines()[1:13]}
    assert rows["db"] == ["datastore", "data", "risky"]
    assert rows["recommendations"] == ["unknown", "internal", "unknown"]
    assert "probe: `RECOMMENDATIONS_SERVICE_ADDR` points at `recommendations`" in printed


def test_map_json_is_valid_and_every_claim_has_a_file_and_line(written: tuple[Path, str]) -> None:
    doc = json.loads((written[0] / "map.json").read_text())
    jsonschema.Draft202012Validator(json.loads(SCHEMA.read_text())).validate(doc)
    for c in doc["components"]:
        if c["id"] != "internet":
            assert c["seen"] and all(s["path"] and s["line"] > 0 for s in c["seen"]), c["id"]
        assert all(r["why"] for r in c["reasons"])
    assert all(s["line"] > 0 for f in doc["flows"] for s in f["seen"])
    assert doc["zones"]["data"] == ["aws_s3_bucket.uploads", "aws_sqs_queue.jobs", "cache", "db"]


def test_mermaid_and_dot_name_every_component_and_flow(written: tuple[Path, str]) -> None:
    doc = json.loads((written[0] / "map.json").read_text())
    mmd = (written[0] / "map.mmd").read_text()
    dot = (written[0] / "map.dot").read_text()
    assert mmd.startswith("flowchart LR\n")
    assert len(re.findall(r'^    c\d+\["', mmd, re.MULTILINE)) == len(doc["components"])
    assert len(re.findall(r"^  c\d+ -->", mmd, re.MULTILINE)) == len(doc["flows"])
    assert dot.startswith("digraph system {") and dot.rstrip().endswith("}")
    assert len(re.findall(r" -> ", dot)) == len(doc["flows"])
    assert '"db" [label="db (postgresql)", fillcolor="#e05252"' in dot


def test_audit_writes_the_map_and_findings_json_carries_it(tmp_path: Path) -> None:
    out = tmp_path / "out"
    main(["audit", str(FIXTURES / "map_small"), "--out", str(out), "--quiet", "--exit-zero"])
    assert {"map.json", "map.mmd", "map.dot"} <= {p.name for p in out.iterdir()}
    findings = json.loads((out / "findings.json").read_text())
    assert {c["id"] for c in findings["inventory"]["map"]["components"]} >= {"api", "db", "worker"}
    assert all(f["component"] for f in findings["findings"] if f["location"]["path"].startswith("k8s/"))
