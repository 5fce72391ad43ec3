"""Go advisories the code does not reach at package level (``context:unreached``: no source file the build
compiles imports the vulnerable package) are listed apart like findings in tests and samples: one line per rule
in summary.md, report.html, the terminal and SARIF, each one with ``--show-context``, every one in findings.json
with its tag, never gating. govulncheck's default output does the same (it lists what the code reaches and
counts the rest in one line). Real advisories from the Go reference data (../shared/data/osv/Go)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from redline.checks.supply_chain.go_reach import GoModuleCode
from redline.checks.supply_chain.matching import AdvisoryMatch
from redline.checks.supply_chain.vulns import describe_group, judge, unreached
from redline.cli.main import main
from redline.core.advisories import Advisory, Affected, AffectedImport, KevEntry
from redline.core.packages import Package
from redline.sources.advisories.settings import SupplyChainSettings

from .helpers import write_tree

# x/net: main.go imports x/net/html (reached); x/text: required only by dependencies, no file imports
# unicode/norm (module level only); yaml.v2: only a _test.go file imports it (never built)
GO_MOD = """module example.com/shop

go 1.99.0

require (
\tgolang.org/x/net v0.54.0
\tgopkg.in/yaml.v2 v2.2.2
\tgolang.org/x/text v0.38.0 // indirect
)
"""
MAIN_GO = (
    'package main\n\nimport (\n\t"os"\n\n\t"golang.org/x/net/html"\n)\n\nfunc main() { _, _ = html.Parse(os.Stdin) }\n'
)
MAIN_TEST_GO = (
    'package main\n\nimport (\n\t"testing"\n\n\tyaml "gopkg.in/yaml.v2"\n)\n\n'
    "func TestC(t *testing.T) { _ = yaml.Unmarshal(nil, nil) }\n"
)


def _audit(tree: Path, db: Path, out: Path, *extra: str, config: str = "") -> int:
    (tree / "redline.toml").write_text(f'{config}[supply_chain]\ndb_dir = "{db.as_posix()}"\n', encoding="utf-8")
    args = [
        "audit", str(tree), "--select", "VUL", "--jobs", "1", "--no-record", "--out", str(out),
        "--format", "json", "--format", "markdown", "--format", "sarif", "--format", "html", *extra,
    ]  # fmt: skip
    return main(args)


def _sarif(out: Path) -> dict[str, Any]:
    run: dict[str, Any] = json.loads((out / "findings.sarif").read_text())["runs"][0]
    return run


NET = "Go/golang.org/x/net@0.54.0"
YAML = "Go/gopkg.in/yaml.v2@2.2.2"
TEXT = "Go/golang.org/x/text@0.38.0"
WHY = "module-level match only: no source file the build compiles imports a vulnerable package"
HEAD = "on modules whose vulnerable packages your code does not import"
TITLE = "### Advisories in modules your code does not import (2): not among the top findings"


def _tree(root: Path) -> Path:
    return write_tree(root, {"go.mod": GO_MOD, "main.go": MAIN_GO, "main_test.go": MAIN_TEST_GO})


def test_unreached_advisories_get_one_line_per_rule(
    tmp_path: Path, go_vulndb_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "out"
    assert _audit(_tree(tmp_path / "tree"), go_vulndb_dir, out, "--exit-zero") == 0
    terminal = capsys.readouterr().out
    assert terminal.splitlines()[1:3] == [
        f"  2 of them {HEAD} (module-level match only; low, not gating):",
        f"    VUL101: 2 finding(s) in {YAML}, {TEXT}",
    ]

    md = (out / "summary.md").read_text()
    top = md.split("### Top 1 findings")[1].split("##")[0]
    assert f"| medium | VUL101 | `go.mod:6 {NET}` |" in top and "yaml" not in top and "x/text" not in top
    assert md.split(TITLE)[1] == (
        f"\n\n2 finding(s) {HEAD} (module-level match only; low, not gating, kept in findings.json) are not listed: "
        '`--show-context` or `[report] context = "list"` lists them one by one.\n\n'
        "| rule | findings | places | where |\n|---|---:|---:|---|\n"
        f"| VUL101 | 2 | 2 | `{YAML}`, `{TEXT}` |\n"
    )
    assert "### In tests, docs and samples" not in md

    sarif = _sarif(out)
    assert [r["locations"][0]["logicalLocations"][0]["fullyQualifiedName"] for r in sarif["results"]] == [NET]
    notes = [n["message"]["text"] for n in sarif["invocations"][0]["toolExecutionNotifications"]]
    assert notes == [
        "not listed (advisories in modules your code does not import, module-level match only; --show-context "
        f"lists them): VUL101: 2 finding(s) in {YAML}, {TEXT}"
    ]

    html = (out / "report.html").read_text()
    section = html.split('<h2 id="unreached">Advisories in modules your code does not import (2)</h2>')[1]
    section = section.split("</section>")[0]
    assert f'<p class="muted">2 finding(s) {HEAD}: module-level match only; low, not gating, kept in' in section
    assert f"<tr><td>VUL101</td><td>2</td><td>2</td><td><code>{YAML}, {TEXT}</code></td></tr>" in section
    assert "<th>modules</th>" in section and 'id="samples"' not in html

    # findings.json keeps both, with the tag, the reason and the package-level verdict
    doc = json.loads((out / "findings.json").read_text())
    by_module = {f["location"]["resource"]: f for f in doc["findings"]}
    assert set(by_module) == {NET, YAML, TEXT}
    assert "context:unreached" not in by_module[NET]["tags"] and by_module[NET]["severity"] == "medium"
    for module, level in ((YAML, "tests-only"), (TEXT, "module-only")):
        found = by_module[module]
        assert {"context:unreached", "gate:exempt"} <= set(found["tags"]), module
        assert (found["severity"], found["confidence"]) == ("low", "low")
        assert (found["evidence"]["context"], found["evidence"]["reach"]) == (WHY, level)


def test_show_context_lists_them_one_by_one(tmp_path: Path, go_vulndb_dir: Path) -> None:
    out = tmp_path / "out"
    assert _audit(_tree(tmp_path / "tree"), go_vulndb_dir, out, "--show-context", "--exit-zero") == 0
    section = (out / "summary.md").read_text().split(TITLE)[1]
    rows = [line.split(" | ")[:3] for line in section.splitlines() if line.startswith("| low ")]
    assert rows == [["| low", "VUL101", f"`go.mod:7 {YAML}`"], ["| low", "VUL101", f"`go.mod:8 {TEXT}`"]]
    assert "imported only by files the build never compiles" in section and "required only by dependencies" in section
    sarif = _sarif(out)
    assert sorted(r["locations"][0]["logicalLocations"][0]["fullyQualifiedName"] for r in sarif["results"]) == [
        NET,
        TEXT,
        YAML,
    ]
    html = (out / "report.html").read_text().split('id="unreached"')[1]
    assert f"<code>go.mod:7 {YAML}</code>" in html and f"<code>go.mod:8 {TEXT}</code>" in html


@pytest.mark.parametrize(("imports_norm", "code"), [(False, 0), (True, 1)])
def test_the_gate_ignores_unreached_advisories(
    tmp_path: Path, go_vulndb_dir: Path, imports_norm: bool, code: int, capsys: pytest.CaptureFixture[str]
) -> None:
    """x/text's advisory fails a gate at low (VUL101's own floor is critical) once main.go imports its
    vulnerable package, never before."""
    body = 'import _ "golang.org/x/text/unicode/norm"\n' if imports_norm else 'import _ "os"\n'
    mod = "module example.com/m\n\ngo 1.99.0\n\nrequire golang.org/x/text v0.38.0\n"
    tree = write_tree(tmp_path / "tree", {"go.mod": mod, "main.go": f"package main\n\n{body}\nfunc main() {{}}\n"})
    assert _audit(tree, go_vulndb_dir, tmp_path / "out", "--fail-on", "low", config='[gate]\nVUL101 = "low"\n') == code
    gate = next(line for line in capsys.readouterr().out.splitlines() if "gate " in line)
    assert gate == f"  gate {'FAILED' if code else 'passed'} at low: {code} new finding(s) at or above it"


def test_exploited_or_partly_reached_modules_stay_on_the_main_list() -> None:
    """Apart only when every vulnerability on the module stops at module level and none is KEV-listed."""
    entry = Affected("Go", "example.com/m", imports=(AffectedImport("example.com/m/vuln", ("Do",)),))
    pkg = Package("Go", "example.com/m", "1.0.0", "pkg:golang/example.com/m@v1.0.0", "go.mod", direct=True)
    code = GoModuleCode("", files=1, importers={"example.com/m/other": ["main.go"]})
    match = AdvisoryMatch(Advisory("GO-1", aliases=("CVE-2099-1",)), (entry,), ("1.1.0",))
    kev = {"CVE-2099-1": KevEntry("CVE-2099-1")}
    settings = SupplyChainSettings()
    plain = describe_group(pkg, [match], judge([match], pkg, {}, {}, settings), code)
    exploited = describe_group(pkg, [match], judge([match], pkg, kev, {}, settings), code)
    assert unreached([plain]) and not unreached([exploited]) and not unreached([plain, exploited])
    reached_code = GoModuleCode("", files=1, importers={"example.com/m/vuln": ["main.go"]})
    reached = describe_group(pkg, [match], judge([match], pkg, {}, {}, settings), reached_code)
    assert not unreached([reached]) and not unreached([plain, reached])
    whole = Affected("Go", "example.com/m")  # no package named: the whole module, as far as the data says
    unnamed = AdvisoryMatch(Advisory("GO-2"), (whole,), ("1.1.0",))
    assert not unreached([describe_group(pkg, [unnamed], judge([unnamed], pkg, {}, {}, settings), code)])
    no_source = describe_group(pkg, [match], judge([match], pkg, {}, {}, settings), GoModuleCode(""))
    assert not unreached([no_source])
