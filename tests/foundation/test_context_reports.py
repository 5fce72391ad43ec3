"""What the reports show of findings in tests, docs, samples and development files (``report.context_summary``):
one line per rule by default (summary.md, report.html, the terminal; SARIF leaves them out of its results),
every one in findings.json, and each one listed with ``--show-context`` or ``[report] context = "list"``."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest

from redline.checks.builtin import builtin_checks
from redline.cli.common import print_context
from redline.cli.main import main
from redline.core.config import Config, ConfigError, OutputFormat, parse_config
from redline.core.filekinds import context_folder
from redline.core.model import Finding, Location, Severity
from redline.core.result import GATE_EXEMPT_TAG, AuditResult
from redline.core.rules import RuleRegistry
from redline.report.context_summary import LIST, REPORT_SECTION, SUMMARY, context_lines
from redline.report.formats import write_reports

# a GitHub token (SEC150), written split so no scanner reads it here (as tests/secrets/test_context.py)
TOKEN = "ghp_" + "lJWiztlaYu16Gb9guAOeqEt3BeABegLbHiEs"


@pytest.mark.parametrize(
    ("path", "folder"),
    [
        ("saleor/app/tests/cassettes/x/y.yaml", "saleor/app/tests/"),
        (".devcontainer/docker-compose.yml", ".devcontainer/"),
        ("docs/requirements.txt", "docs/"),
        ("config/dev.yaml", "config/dev.yaml"),  # named like a dev config, not in a context folder: the file
        ("compose.override.yml", "compose.override.yml"),
        ("src/frontend/Dockerfile.cypress", "src/frontend/Dockerfile.cypress"),
        ("saleor/settings.py", "saleor/settings.py"),  # a local-development default: lowered by its value
    ],
)
def test_the_folder_a_reader_looks_in(path: str, folder: str) -> None:
    assert context_folder(path) == folder


def test_the_report_table_is_checked() -> None:
    assert parse_config({}, "redline.toml", sections=[REPORT_SECTION]).settings(REPORT_SECTION).context == SUMMARY
    cfg = parse_config({"report": {"context": "list"}}, "redline.toml", sections=[REPORT_SECTION])
    assert cfg.settings(REPORT_SECTION).context == LIST
    with pytest.raises(ConfigError, match=r"redline.toml: key 'report.context' must be 'summary' or 'list'"):
        parse_config({"report": {"context": "all"}}, "redline.toml", sections=[REPORT_SECTION])


def _tree(root: Path) -> None:
    for rel in ("app/settings.py", "tests/test_api.py", "tests/unit/test_b.py", "docs/setup.md"):
        target = root / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(f'token = "{TOKEN}"\n')


def _audit(root: Path, out: Path, *extra: str) -> int:
    args = [
        "audit", str(root), "--select", "SEC", "--jobs", "1", "--no-record", "--exit-zero", "--out", str(out),
        "--format", "json", "--format", "markdown", "--format", "sarif", "--format", "html", *extra,
    ]  # fmt: skip
    return main(args)


def test_by_default_one_line_per_rule(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    _tree(tmp_path / "tree")
    assert _audit(tmp_path / "tree", tmp_path / "out") == 0
    terminal = capsys.readouterr().out
    assert "  1 of them in tests, docs, samples and development files (low, not gating):\n" in terminal
    assert "    SEC150: 1 finding(s), 3 places in docs/, tests/\n" in terminal
    md = (tmp_path / "out" / "summary.md").read_text()
    section = md.split("### In tests, docs and samples (1): not among the top findings")[1]
    assert "| SEC150 | 1 | 3 | `docs/`, `tests/` |" in section and "test_api.py" not in section
    assert "`app/settings.py:1`" in md.split("### Top")[1].split("###")[0]
    sarif = json.loads((tmp_path / "out" / "findings.sarif").read_text())["runs"][0]
    assert [r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] for r in sarif["results"]] == [
        "app/settings.py"
    ]
    notes = [n["message"]["text"] for n in sarif["invocations"][0]["toolExecutionNotifications"]]
    assert "not listed (tests, docs and samples; --show-context lists them): SEC150: 1 finding(s), 3 places in " \
        "docs/, tests/" in notes  # fmt: skip
    html = (tmp_path / "out" / "report.html").read_text().split('id="samples"')[1]
    assert "<td>SEC150</td><td>1</td><td>3</td><td><code>docs/, tests/</code></td>" in html
    # nothing is lost: findings.json keeps the item with every place and its tag
    doc = json.loads((tmp_path / "out" / "findings.json").read_text())
    [sample] = [f for f in doc["findings"] if "context:sample" in f["tags"]]
    places = [sample["location"]["path"], *(r["path"] for r in sample["related_locations"])]
    assert sorted(places) == ["docs/setup.md", "tests/test_api.py", "tests/unit/test_b.py"]


@pytest.mark.parametrize("how", ["flag", "config"])
def test_show_context_lists_each_one(tmp_path: Path, how: str, capsys: pytest.CaptureFixture[str]) -> None:
    _tree(tmp_path / "tree")
    extra: tuple[str, ...] = ("--show-context",)
    if how == "config":
        (tmp_path / "tree" / "redline.toml").write_text('[report]\ncontext = "list"\n')
        extra = ()
    assert _audit(tmp_path / "tree", tmp_path / "out", *extra) == 0
    md = (tmp_path / "out" / "summary.md").read_text()
    section = md.split("### In tests, docs and samples (1): not among the top findings")[1]
    assert "| low | SEC150 | `docs/setup.md:1` (+2 more) |" in section
    sarif = json.loads((tmp_path / "out" / "findings.sarif").read_text())["runs"][0]
    assert sorted(r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] for r in sarif["results"]) == [
        "app/settings.py",
        "docs/setup.md",
    ]
    assert "docs/setup.md:1" in (tmp_path / "out" / "report.html").read_text().split('id="samples"')[1]


def test_the_section_says_when_samples_gate(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    _tree(tmp_path / "tree")
    (tmp_path / "tree" / "redline.toml").write_text("[secrets]\ngate_samples = true\n")
    assert _audit(tmp_path / "tree", tmp_path / "out") == 0
    assert (
        "  1 of them in tests, docs, samples and development files (low, 1 of them gating " in capsys.readouterr().out
    )
    md = (tmp_path / "out" / "summary.md").read_text()
    assert "(low, 1 of them gating ([secrets] gate_samples), kept in findings.json) are not listed" in md
    assert (
        "low, 1 of them gating ([secrets] gate_samples), kept in findings.json"
        in (tmp_path / "out" / "report.html").read_text()
    )


REGISTRY = RuleRegistry(rule for check in builtin_checks() for rule in check.rules)


def _finding(path: str, line: int, tag: str, resource: str = "") -> Finding:
    loc = Location(path, line, line, resource=resource)
    return Finding("VUL101", f"at {path}:{line}", Severity.LOW, loc, tags=(tag, GATE_EXEMPT_TAG), identity=f"{line}")


def test_each_reason_has_its_own_group(tmp_path: Path) -> None:
    """One rule in both reasons: two lines, tests and samples first; an unreached advisory's line names its
    module, a sample's its folder; summary.md and the terminal give each reason its own group."""
    findings = (
        _finding("go.mod", 8, "context:unreached", "Go/golang.org/x/text@0.38.0"),
        _finding("tools/go.mod", 5, "context:unreached", "Go/golang.org/x/mod@0.1.0"),
        _finding("examples/app/go.mod", 3, "context:sample", "Go/golang.org/x/net@0.1.0"),
    )
    result = AuditResult(
        root=str(tmp_path), findings=findings, rules=REGISTRY, config=Config(formats=(OutputFormat.MARKDOWN,))
    )
    assert [(c.reason.tag, c.text()) for c in context_lines(result.items)] == [
        ("context:sample", "VUL101: 1 finding(s) in examples/"),
        ("context:unreached", "VUL101: 2 finding(s) in Go/golang.org/x/text@0.38.0, Go/golang.org/x/mod@0.1.0"),
    ]
    out = io.StringIO()
    print_context(result, out)
    assert out.getvalue().splitlines() == [
        "  1 of them in tests, docs, samples and development files (low, not gating):",
        "    VUL101: 1 finding(s) in examples/",
        "  2 of them on modules whose vulnerable packages your code does not import (module-level match only; low, "
        "not gating):",
        "    VUL101: 2 finding(s) in Go/golang.org/x/text@0.38.0, Go/golang.org/x/mod@0.1.0",
    ]
    write_reports(result, tmp_path, [OutputFormat.MARKDOWN])
    md = (tmp_path / "summary.md").read_text()
    samples = md.index("### In tests, docs and samples (1): not among the top findings")
    unreached = md.index("### Advisories in modules your code does not import (2): not among the top findings")
    assert samples < unreached and "| VUL101 | 1 | 1 | `examples/` |" in md[samples:unreached]
    assert "| VUL101 | 2 | 2 | `Go/golang.org/x/text@0.38.0`, `Go/golang.org/x/mod@0.1.0` |" in md[unreached:]
    assert "Top" not in md  # nothing left for the main list
    assert not result.gate_failed()
