"""Outputs: SARIF 2.1.0 valid and GitHub-ready, findings.json valid against its schema, HTML escaped."""

from __future__ import annotations

import json
import re
from importlib.resources import files
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from audit_helpers import cli_audit as audit
from redline.checks.builtin import builtin_checks
from redline.core.config import Config
from redline.pipeline.run import AuditRequest, run_audit
from redline.report.formats import write_reports
from redline.report.interface import OutputFormat
from redline.sources.builtin import builtin_file_sources

from .checks_for_tests import MarkerCheck
from .helpers import HTTP_CALL, write

NASTY = '<script>alert("x")</script>&amp;'


@pytest.fixture
def audited(tmp_path: Path) -> Path:
    src = tmp_path / "src"
    write(src, "client.py", HTTP_CALL + f"# TODO-SECRET {NASTY}\n")
    write(src, "pkg/<odd>.py", "# TODO-SECRET\n")
    write(src, "pkg/quiet.py", "import requests\nrequests.get('x')  # redline: ignore[RES101] known\n")
    req = AuditRequest(
        root=src, config=Config(), checks=[*builtin_checks(), MarkerCheck()], file_sources=builtin_file_sources()
    )
    out = tmp_path / "out"
    write_reports(run_audit(req), out, list(OutputFormat))
    return out


def test_sarif_validates_against_the_2_1_0_schema(audited: Path, shared_data: Path) -> None:
    schema = json.loads((shared_data / "schemas" / "sarif-schema-2.1.0.json").read_text())
    doc = json.loads((audited / "findings.sarif").read_text())
    jsonschema.Draft4Validator(schema).validate(doc)


def test_sarif_is_what_github_code_scanning_needs(audited: Path) -> None:
    run = json.loads((audited / "findings.sarif").read_text())["runs"][0]
    rules = {r["id"]: r for r in run["tool"]["driver"]["rules"]}
    assert rules["TST101"]["properties"]["security-severity"] == "8.0"
    assert "security-severity" not in rules["RES101"]["properties"]
    assert rules["RES101"]["help"]["markdown"].startswith("### What it does")
    results = run["results"]
    assert all(r["locations"][0]["physicalLocation"]["artifactLocation"]["uriBaseId"] == "SRCROOT" for r in results)
    uris = sorted(r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] for r in results)
    assert uris == ["client.py", "client.py", "pkg/<odd>.py", "pkg/quiet.py"]
    assert all(len(r["partialFingerprints"]["redline/v1"]) == 32 for r in results)
    for r in results:
        assert run["tool"]["driver"]["rules"][r["ruleIndex"]]["id"] == r["ruleId"]
    suppressed = [r for r in results if "suppressions" in r]
    assert [s["suppressions"] for s in suppressed] == [[{"kind": "inSource", "justification": "known"}]]


def test_sarif_documents_the_rules_with_results_and_lists_every_rule_that_ran(audited: Path) -> None:
    run = json.loads((audited / "findings.sarif").read_text())["runs"][0]
    rules = run["tool"]["driver"]["rules"]
    with_results = {r["ruleId"] for r in run["results"]}
    assert {"TST101", "RES101"} <= with_results and len(rules) > len(with_results)
    for rule in rules:
        assert rule["shortDescription"]["text"] and rule["helpUri"].endswith(rule["id"])
        assert ("help" in rule) == ("fullDescription" in rule) == (rule["id"] in with_results)


def test_sarif_text_is_the_document_with_one_line_per_rule() -> None:
    from redline.report.sarif import _RULES_MARK, _dumps

    tricky = f'{_RULES_MARK} "{_RULES_MARK}" \\u0000redline-rules\\u0000 <é>'
    rules: list[dict[str, Any]] = [{"id": "A1", "help": {"text": tricky}}, {"id": "B2"}]
    doc: dict[str, Any] = {
        "runs": [{"tool": {"driver": {"name": tricky, "rules": rules}}, "results": [{"message": {"text": tricky}}]}]
    }
    text = _dumps(doc)
    assert json.loads(text) == doc
    assert doc["runs"][0]["tool"]["driver"]["rules"] is rules  # the caller's document is left whole
    assert [line.strip().rstrip(",") for line in text.splitlines() if '"A1"' in line or '"B2"' in line] == [
        json.dumps(r, ensure_ascii=False) for r in rules
    ]
    empty: dict[str, Any] = {"runs": [{"tool": {"driver": {"rules": []}}}]}
    assert json.loads(_dumps(empty)) == empty


def test_findings_json_validates_against_its_schema(audited: Path) -> None:
    schema = json.loads(files("redline.report").joinpath("schema/findings.schema.json").read_text())
    jsonschema.Draft202012Validator.check_schema(schema)
    jsonschema.Draft202012Validator(schema).validate(json.loads((audited / "findings.json").read_text()))


def test_html_is_self_contained_and_escaped(audited: Path) -> None:
    html = (audited / "report.html").read_text()
    assert NASTY not in html and "<odd>" not in html
    assert "\\u003cscript\\u003e" in html  # the snippet travels as escaped JSON
    assert "src=" not in html and "@import" not in html
    assert set(re.findall(r'href="(.)', html)) == {"#"}  # links only within the page
    assert "http://" not in html and "//cdn" not in html


def test_summary_markdown_has_counts_and_top_findings(audited: Path) -> None:
    text = (audited / "summary.md").read_text()
    assert "| resilience | 0 | 0 | 1 | 0 | 0 |" in text
    assert "| security | 0 | 2 | 0 | 0 | 0 |" in text
    assert "| high | TST101 | `client.py:4` | marker word found |" in text


def test_no_partial_outputs_when_rendering_fails(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from redline.report import sarif

    src = tmp_path / "src"
    write(src, "client.py", HTTP_CALL)

    def broken(result: object) -> dict[str, object]:
        raise RuntimeError("renderer bug")

    monkeypatch.setattr(sarif, "sarif_document", broken)
    out = tmp_path / "out"
    assert audit(src, out) == 2
    assert not out.exists() or list(out.iterdir()) == []


def test_region_topology_reaches_findings_json_and_summary(tmp_path: Path) -> None:
    src = tmp_path / "src"
    write(
        src,
        "main.tf",
        'provider "aws" {\n  region = "eu-west-1"\n}\n\n'
        'resource "aws_sqs_queue" "jobs" {\n  name = "jobs"\n}\n\n'
        'resource "aws_sns_topic" "events" {\n  name = "events"\n}\n',
    )
    out = tmp_path / "out"
    audit(src, out, "--exit-zero")
    doc = json.loads((out / "findings.json").read_text())
    assert doc["inventory"]["topology"]["placements"] == [
        {"provider": "aws", "account": "", "region": "eu-west-1", "zone": "", "source": "config", "resources": 2}
    ]
    schema = json.loads(files("redline.report").joinpath("schema/findings.schema.json").read_text())
    jsonschema.Draft202012Validator(schema).validate(doc)
    assert "| aws | - | eu-west-1 | - | config | 2 |" in (out / "summary.md").read_text()
    html = (out / "report.html").read_text()
    assert "<td>aws</td><td>-</td><td>eu-west-1</td><td>-</td><td>config</td><td>2</td>" in html


def test_unfollowed_terraform_modules_are_listed_as_not_covered(tmp_path: Path) -> None:
    src = tmp_path / "src"
    write(
        src,
        "main.tf",
        'module "vpc" {\n  source  = "terraform-aws-modules/vpc/aws"\n  version = "5.0.0"\n}\n\n'
        'module "local" {\n  source = "./modules/net"\n}\n',
    )
    write(src, "modules/net/main.tf", 'resource "aws_sqs_queue" "q" {\n  name = "q"\n}\n')
    out = tmp_path / "out"
    audit(src, out, "--exit-zero")
    doc = json.loads((out / "findings.json").read_text())
    assert doc["not_covered"] == [
        {
            "path": "main.tf:1 module.vpc",
            "reason": "Terraform module not followed (source terraform-aws-modules/vpc/aws); "
            "its resources were not audited",
        }
    ]


def test_html_template_is_compiled_once_into_the_cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import jinja2

    from redline.report.html import HtmlReporter, _template

    write(tmp_path / "src", "client.py", HTTP_CALL)
    result = run_audit(
        AuditRequest(
            root=tmp_path / "src", config=Config(), checks=builtin_checks(), file_sources=builtin_file_sources()
        )
    )
    cache = tmp_path / "cache"
    monkeypatch.setenv("REDLINE_CACHE_DIR", str(cache))
    compiled: list[str] = []
    real_compile = jinja2.Environment.compile

    def counting_compile(self: jinja2.Environment, *args: Any, **kwargs: Any) -> Any:
        compiled.append("x")
        return real_compile(self, *args, **kwargs)

    monkeypatch.setattr(jinja2.Environment, "compile", counting_compile)

    def render_in_a_new_process() -> bytes:  # a process keeps the template it loaded (``ready`` loads it ahead)
        _template.cache_clear()
        return HtmlReporter().render(result)

    first = render_in_a_new_process()
    entries = [p for p in cache.iterdir() if p.name.startswith("jinja-")]
    assert len(entries) == len(compiled) > 1  # the page and each section's template, one entry each
    once = len(compiled)
    assert HtmlReporter().render(result) == first and len(compiled) == once  # in this process: no cache read
    assert render_in_a_new_process() == first and len(compiled) == once  # the next process: from the cache
    entries[0].write_bytes(b"garbage")
    assert render_in_a_new_process() == first and len(compiled) == once + 1
    assert b"client.py" in first
