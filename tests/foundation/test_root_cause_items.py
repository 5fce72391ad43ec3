"""Root-cause items: findings of one rule and group are ONE item in findings.json, summary.md, report.html,
SARIF (with relatedLocations) and the gate, with every place; ungrouped findings are unchanged. Tool
errors, not-covered inputs and sample findings each have their own section."""

from __future__ import annotations

import json
import re
from dataclasses import replace
from pathlib import Path

import jsonschema
import pytest

from redline.checks.builtin import builtin_checks
from redline.core.config import Config, OutputFormat
from redline.core.groups import group_findings
from redline.core.model import Finding, Location, Severity, Skipped, Stage, ToolError
from redline.core.result import AuditResult
from redline.core.rules import RuleRegistry
from redline.report.formats import write_reports

from .test_html_browser import CHROMIUM, rendered_rows

REGISTRY = RuleRegistry(rule for check in builtin_checks() for rule in check.rules)


def _f(
    path: str,
    line: int,
    *,
    rule: str = "VUL101",
    group: str = "",
    sev: Severity = Severity.HIGH,
    tags: tuple[str, ...] = (),
) -> Finding:
    return Finding(
        rule, f"{rule} at {path}", sev, Location(path, line, line), group=group, tags=tags, identity=f"{path}:{line}"
    )


FINDINGS = (
    _f("a/requirements.txt", 3, group="package:PyPI/x@1.0"),
    _f("b/requirements.txt", 5, group="package:PyPI/x@1.0", sev=Severity.CRITICAL),
    _f("c/requirements-dev.txt", 1, group="package:PyPI/x@1.0", sev=Severity.MEDIUM),
    _f("a/requirements.txt", 4),  # no group: an item of its own
    _f("d/requirements.txt", 4),
    _f("tests/fixtures/key.pem", 1, rule="SEC101", tags=("context:sample",)),
)


@pytest.fixture
def result() -> AuditResult:
    return AuditResult(
        root="/tmp/x",
        findings=tuple(sorted(FINDINGS, key=Finding.sort_key)),
        rules=REGISTRY,
        config=Config(formats=tuple(OutputFormat)),
        errors=(
            ToolError("vulnerability database", "no vulnerability database at /nowhere", stage=Stage.NOTICE),
            ToolError("k8s/app.yaml", "unrendered Helm template", stage=Stage.PARSE),
        ),
        skipped=(
            Skipped("chart/templates/a.yaml", "unrendered Helm template"),
            Skipped("chart/templates/b.yaml", "unrendered Helm template"),
            Skipped("App.csproj", "format not supported"),
        ),
    )


def test_one_grouping_function() -> None:
    items = group_findings(FINDINGS)
    assert [g.count for g in items] == [3, 1, 1, 1]
    assert items[0].lead.location.path == "b/requirements.txt"  # the most severe place leads
    assert [f.location.path for f in items[0].related] == ["a/requirements.txt", "c/requirements-dev.txt"]
    other_rule = replace(FINDINGS[0], rule="VUL102")
    assert len(group_findings([FINDINGS[0], other_rule])) == 2  # same group, different rule: two items


def test_gate_and_counts_see_items(result: AuditResult) -> None:
    # VUL101 gates only when critical: the package (one critical place of three) once, and the secret
    assert [f.location.path for f in result.gating(Severity.HIGH)] == ["b/requirements.txt", "tests/fixtures/key.pem"]
    critical = replace(result, findings=tuple(replace(f, severity=Severity.CRITICAL) for f in result.findings))
    assert len(critical.gating(Severity.HIGH)) == 4  # six findings, four root causes
    assert sum(result.counts()["security"].values()) == 4


def test_every_output_shows_one_item_per_root_cause(result: AuditResult, tmp_path: Path, shared_data: Path) -> None:
    write_reports(result, tmp_path, list(OutputFormat))
    sarif_schema = json.loads((shared_data / "schemas" / "sarif-schema-2.1.0.json").read_text())
    jsonschema.Draft4Validator(sarif_schema).validate(json.loads((tmp_path / "findings.sarif").read_text()))
    doc = json.loads((tmp_path / "findings.json").read_text())
    schema = json.loads((Path(__file__).parents[2] / "src/redline/report/schema/findings.schema.json").read_text())
    jsonschema.Draft202012Validator(schema).validate(doc)
    [item] = [f for f in doc["findings"] if f.get("group")]
    assert (item["occurrences"], item["location"]["path"]) == (3, "b/requirements.txt")
    assert [r["path"] for r in item["related_locations"]] == ["a/requirements.txt", "c/requirements-dev.txt"]
    assert len(doc["findings"]) == 4 and doc["summary"]["findings"] == 4 and doc["summary"]["occurrences"] == 6

    run = json.loads((tmp_path / "findings.sarif").read_text())["runs"][0]
    results = run["results"]
    assert len(results) == 3  # the sample is a note of the run, not a result (``--show-context`` lists it)
    notes = [
        n for n in run["invocations"][0]["toolExecutionNotifications"] if n["descriptor"]["id"] == "context-section"
    ]
    assert [n["message"]["text"] for n in notes] == [
        "not listed (tests, docs and samples; --show-context lists them): SEC101: 1 finding(s) in tests/"
    ]
    [grouped] = [r for r in results if "relatedLocations" in r]
    assert [r["physicalLocation"]["artifactLocation"]["uri"] for r in grouped["relatedLocations"]] == [
        "a/requirements.txt",
        "c/requirements-dev.txt",
    ]
    assert grouped["relatedLocations"][0]["physicalLocation"]["region"]["startLine"] == 3

    md = (tmp_path / "summary.md").read_text()
    assert "`b/requirements.txt:5` (+2 more)" in md
    assert md.count("VUL101 at") == 3  # the package once, two ungrouped findings
    html = (tmp_path / "report.html").read_text()
    embedded = re.search(r'<script id="data" type="application/json">(.*?)</script>', html, re.S)
    assert embedded is not None
    data = json.loads(embedded[1])["rows"]
    assert len(data) == 3 and max(d["n"] for d in data) == 3  # the sample is in its own section


def test_errors_not_covered_and_samples_have_sections(result: AuditResult, tmp_path: Path) -> None:
    write_reports(result, tmp_path, [OutputFormat.MARKDOWN, OutputFormat.HTML])
    md = (tmp_path / "summary.md").read_text()
    assert md.index("> **vulnerability database**: no vulnerability database") < md.index("Gate")  # at the top
    assert "### Tool errors and notices (2: 0 error(s), 2 notice(s))" in md
    assert "notice `k8s/app.yaml` (parse): unrendered Helm template" in md
    assert "### Not covered (3 input(s))" in md and "| 2 | unrendered Helm template |" in md
    assert "| 1 | format not supported |" in md
    top = md.split("### Top")[1].split("###")[0]
    assert "SEC101" not in top
    samples = md.split("### In tests, docs and samples (1)")[1]
    assert "| SEC101 | 1 | 1 | `tests/` |" in samples and "key.pem" not in samples  # one line per rule
    assert '`--show-context` or `[report] context = "list"` lists them one by one' in samples
    html = (tmp_path / "report.html").read_text()
    section = html.split('id="samples"')[1]
    assert "<td>SEC101</td><td>1</td><td>1</td><td><code>tests/</code></td>" in section
    assert "key.pem" not in section and "--show-context" in section
    assert "Not covered (3)" in html and "format not supported" in html
    assert html.index("no vulnerability database") < html.index("<h2>Findings by priority</h2>")


@pytest.mark.skipif(CHROMIUM is None, reason="chromium not installed (make test installs it)")
def test_browser_shows_every_place_of_an_item(result: AuditResult, tmp_path: Path) -> None:
    write_reports(result, tmp_path, [OutputFormat.HTML])
    rows = rendered_rows(tmp_path / "report.html", "", tmp_path / "profile")
    assert len(rows) == 3  # the sample secret is in its own section, not in the table
    assert [r[5] for r in rows].count("b/requirements.txt:5+2") == 1
    opened = rendered_rows(tmp_path / "report.html", "details=1", tmp_path / "profile2")
    [places] = [r[0] for r in opened if "2 more place(s)" in r[0]]  # the row's details, opened from the link
    assert "a/requirements.txt:3" in places and "c/requirements-dev.txt:1" in places


def test_a_cause_group_is_one_item_across_rules() -> None:
    """The image that runs as root, reported by DKR101 on its Dockerfile and CMP103 on the compose service
    building it (opentelemetry-demo: 12 + 12 items for 12 images), is one item led by the most severe finding;
    an ordinary group key shared by two rules still gives two items."""
    findings = [
        _f(
            "src/cart/Dockerfile",
            35,
            rule="DKR101",
            group="cause:runs-as-root:src/cart/Dockerfile",
            sev=Severity.MEDIUM,
        ),
        _f("compose.yaml", 79, rule="CMP103", group="cause:runs-as-root:src/cart/Dockerfile", sev=Severity.LOW),
        _f("k8s/a.yaml", 3, rule="KUB114", group="Deployment/default/a"),
        _f("k8s/a.yaml", 9, rule="KUB113", group="Deployment/default/a"),
    ]
    items = group_findings(findings)
    assert [(g.lead.rule, [m.location.path for m in g.members]) for g in items] == [
        ("DKR101", ["src/cart/Dockerfile", "compose.yaml"]),
        ("KUB114", ["k8s/a.yaml"]),
        ("KUB113", ["k8s/a.yaml"]),
    ]


def test_a_cause_item_names_every_rule_in_every_report(tmp_path: Path) -> None:
    findings = (
        _f(
            "src/cart/Dockerfile",
            35,
            rule="DKR101",
            group="cause:runs-as-root:src/cart/Dockerfile",
            sev=Severity.MEDIUM,
        ),
        _f("compose.yaml", 79, rule="CMP103", group="cause:runs-as-root:src/cart/Dockerfile", sev=Severity.LOW),
    )
    result = AuditResult(
        root="/tmp/x",
        findings=tuple(sorted(findings, key=Finding.sort_key)),
        rules=REGISTRY,
        config=Config(formats=(OutputFormat.JSON, OutputFormat.MARKDOWN)),
    )
    write_reports(result, tmp_path, [OutputFormat.JSON, OutputFormat.MARKDOWN])
    [item] = json.loads((tmp_path / "findings.json").read_text(encoding="utf-8"))["findings"]
    assert item["rule"] == "DKR101"
    assert [(r["rule"], r["path"], r["start_line"]) for r in item["related_locations"]] == [
        ("CMP103", "compose.yaml", 79)
    ]
    assert "| medium | DKR101, CMP103 | `src/cart/Dockerfile:35` (+1 more) |" in (tmp_path / "summary.md").read_text(
        encoding="utf-8"
    )


def test_show_context_lists_the_samples_one_by_one(result: AuditResult, tmp_path: Path) -> None:
    from redline.cli.common import show_context

    listed = replace(result, config=show_context(result.config))
    write_reports(listed, tmp_path, [OutputFormat.MARKDOWN, OutputFormat.HTML, OutputFormat.SARIF])
    samples = (tmp_path / "summary.md").read_text().split("### In tests, docs and samples (1)")[1]
    assert "| high | SEC101 | `tests/fixtures/key.pem:1` | SEC101 at tests/fixtures/key.pem |" in samples
    html = (tmp_path / "report.html").read_text()
    assert "tests/fixtures/key.pem:1" in html.split('id="samples"')[1]
    run = json.loads((tmp_path / "findings.sarif").read_text())["runs"][0]
    assert [r["ruleId"] for r in run["results"]].count("SEC101") == 1
    assert not [
        n for n in run["invocations"][0]["toolExecutionNotifications"] if n["descriptor"]["id"] == "context-section"
    ]
