"""Go advisories at package level: OSV's ``ecosystem_specific.imports`` name the vulnerable packages of a
module; an advisory whose packages no source file of the module imports is lowered (module level only, a
dependency's code may still use it), one whose package the code imports keeps its severity and says which
listed functions the code calls. Real advisories from the Go reference data (../shared/data/osv/Go)."""

from __future__ import annotations

from pathlib import Path

from redline.checks.supply_chain.go_reach import GoModuleCode
from redline.checks.supply_chain.matching import AdvisoryMatch
from redline.checks.supply_chain.vulns import describe_group, judge
from redline.core.advisories import Advisory, Affected, AffectedImport, KevEntry
from redline.core.evidence import Evidence
from redline.core.model import Confidence, Finding, Severity
from redline.core.packages import Package
from redline.core.workspace import SourceFile, read_file
from redline.sources.advisories.osv import parse_osv
from redline.sources.advisories.settings import SupplyChainSettings
from redline.sources.packages.go_imports import GoImportsSource, import_paths

from .helpers import audit, write_tree

GO_MOD = """module example.com/shop

go 1.99.0

require (
\tgithub.com/jackc/pgx/v5 v5.8.0
\tgolang.org/x/net v0.54.0
\tgopkg.in/yaml.v2 v2.2.2
\tgolang.org/x/text v0.38.0 // indirect
)
"""

MAIN_GO = """package main

import (
\t"fmt"
\t"os"

\t"github.com/jackc/pgx/v5/pgxpool"
\t"golang.org/x/net/html"
)

func main() {
\tdoc, err := html.Parse(os.Stdin)
\tfmt.Println(doc, err)
\t_, _ = pgxpool.New(nil, os.Getenv("DATABASE_URL"))
}
"""

# yaml.v2 only in a test: not built into the binary
MAIN_TEST_GO = """package main

import (
\t"testing"

\tyaml "gopkg.in/yaml.v2"
)

func TestConfig(t *testing.T) {
\t_ = yaml.Unmarshal(nil, nil)
}
"""

# a nested module of its own: what it imports says nothing about the root module
NESTED = {
    "tools/go.mod": "module example.com/tools\n\ngo 1.99.0\n\nrequire golang.org/x/text v0.38.0\n",
    "tools/gen.go": 'package tools\n\nimport _ "golang.org/x/text/unicode/norm"\n',
}


def _by_package(tree: Path, db: Path, select: tuple[str, ...] = ("VUL", "RES")) -> dict[tuple[str, str], Finding]:
    """VUL findings by (manifest, package); RES asks for the code index, which gives the calls."""
    found = audit(tree, db, select=select).findings
    return {(f.location.path, f.evidence.text("package")): f for f in found if f.rule.startswith("VUL")}


def _reach(finding: Finding) -> dict[str, tuple[str, tuple[str, ...], tuple[str, ...]]]:
    """advisory id -> (reach level, imported by, symbols called)."""
    out = {}
    advisories = finding.evidence.get("advisories")
    for adv in advisories if isinstance(advisories, tuple) else ():
        assert isinstance(adv, Evidence)
        reach = adv.nested("reach")
        out[adv.text("id")] = (reach.text("level"), reach.strings("imported_by"), reach.strings("symbols_called"))
    return out


def _severities(finding: Finding) -> dict[str, str]:
    advisories = finding.evidence.get("advisories")
    return (
        {a.text("id"): a.text("severity") for a in advisories if isinstance(a, Evidence)}
        if isinstance(advisories, tuple)
        else {}
    )


def test_imported_package_kept_unimported_lowered(tmp_path: Path, go_vulndb_dir: Path) -> None:
    write_tree(tmp_path, {"go.mod": GO_MOD, "main.go": MAIN_GO, "main_test.go": MAIN_TEST_GO, **NESTED})
    found = _by_package(tmp_path, go_vulndb_dir)
    assert set(found) == {
        ("go.mod", "Go/github.com/jackc/pgx/v5@5.8.0"),
        ("go.mod", "Go/golang.org/x/net@0.54.0"),
        ("go.mod", "Go/golang.org/x/text@0.38.0"),
        ("go.mod", "Go/gopkg.in/yaml.v2@2.2.2"),
        ("tools/go.mod", "Go/golang.org/x/text@0.38.0"),
    }

    # x/net: the html advisories' package is imported and html.Parse called (kept, medium); idna and
    # dnsmessage are packages of the same module nobody imports (lowered, annotated)
    net = found[("go.mod", "Go/golang.org/x/net@0.54.0")]
    reach, sev = _reach(net), _severities(net)
    html_ids = ["GO-2026-5025", "GO-2026-5027", "GO-2026-5028", "GO-2026-5029", "GO-2026-5030"]
    for ident in html_ids:
        primary = next(k for k in reach if k == ident or ident in _ids(net, k))
        assert reach[primary] == ("package-imported", ("main.go",), ("html.Parse at main.go:12",))
        assert sev[primary] == "medium"
    idna = next(k for k in reach if "GO-2026-5026" in _ids(net, k))
    dns = next(k for k in reach if "GO-2026-5942" in _ids(net, k))
    assert reach[idna] == reach[dns] == ("module-only", (), ())
    assert sev[idna] == sev[dns] == "low"
    assert (net.severity, net.confidence, net.evidence["reach"]) == (
        Severity.MEDIUM,
        Confidence.HIGH,
        "package-imported",
    )
    assert "is imported by the module's code; calls html.Parse at main.go:12" in net.message

    # x/text (// indirect): unicode/norm is imported by no file of this module (the nested module's file
    # does not count): lowered to low with the reason; in tools/ the blank import counts
    text = found[("go.mod", "Go/golang.org/x/text@0.38.0")]
    [norm] = _reach(text).values()
    assert norm == ("module-only", (), ())
    assert (text.severity, text.confidence, text.evidence["reach"]) == (Severity.LOW, Confidence.LOW, "module-only")
    assert text.message.endswith(
        "the vulnerable package golang.org/x/text/unicode/norm is not imported by any source file of the module; "
        "the module is required only by dependencies (`// indirect`). Module level only: reachable through a "
        "dependency's code cannot be ruled out without the module cache, so ranked low"
    )
    nested = found[("tools/go.mod", "Go/golang.org/x/text@0.38.0")]
    assert list(_reach(nested).values()) == [("package-imported", ("tools/gen.go",), ())]
    assert nested.severity == Severity.MEDIUM

    # pgx: the vulnerable packages are internal; the code imports pgxpool of the same module root: kept
    pgx = found[("go.mod", "Go/github.com/jackc/pgx/v5@5.8.0")]
    assert _reach(pgx) == {
        "CVE-2026-41889": ("internal-package-reached", ("main.go",), ()),  # GO-2026-5004: internal/sanitize
        "CVE-2026-33815": ("module-only", (), ()),  # pgproto3 (Backend.Receive), imported by no file
        "CVE-2026-33816": ("module-only", (), ()),
    }
    assert "GO-2026-5004" in _ids(pgx, "CVE-2026-41889")
    assert (pgx.severity, pgx.confidence) == (Severity.MEDIUM, Confidence.HIGH)
    assert "is internal to the module and the code imports github.com/jackc/pgx/v5/pgxpool" in pgx.message

    # yaml.v2: only a _test.go file imports it
    yaml = found[("go.mod", "Go/gopkg.in/yaml.v2@2.2.2")]
    assert set(_reach(yaml).values()) == {("tests-only", ("main_test.go",), ())}
    assert (yaml.severity, yaml.confidence) == (Severity.LOW, Confidence.LOW)
    assert "imported only by files the build never compiles (tests, `//go:build ignore` or `tools`)" in yaml.message


def _ids(finding: Finding, primary: str) -> tuple[str, ...]:
    advisories = finding.evidence.get("advisories")
    for adv in advisories if isinstance(advisories, tuple) else ():
        if isinstance(adv, Evidence) and adv.text("id") == primary:
            return (primary, *adv.strings("aliases"))
    return ()


def test_no_go_source_leaves_module_level(tmp_path: Path, go_vulndb_dir: Path) -> None:
    """go.mod alone (no Go file read): the package level is not determined and nothing is lowered."""
    write_tree(tmp_path, {"go.mod": GO_MOD})
    text = _by_package(tmp_path, go_vulndb_dir)[("go.mod", "Go/golang.org/x/text@0.38.0")]
    assert [v[0] for v in _reach(text).values()] == ["not-determined"]
    assert (text.severity, text.confidence) == (Severity.MEDIUM, Confidence.HIGH)
    assert "not imported" not in text.message


def test_osv_imports_and_symbols_are_kept() -> None:
    adv = parse_osv(
        {
            "id": "GO-X",
            "affected": [
                {
                    "package": {"ecosystem": "Go", "name": "golang.org/x/net"},
                    "ecosystem_specific": {
                        "imports": [
                            {"path": "golang.org/x/net/html", "symbols": ["Parse", "Tokenizer.Next"]},
                            {"path": "golang.org/x/net/idna"},
                            {"symbols": ["NoPath"]},
                        ]
                    },
                },
                {"package": {"ecosystem": "PyPI", "name": "x"}},
            ],
        }
    )
    go, py = adv.affected
    assert [(i.path, i.symbols) for i in go.imports] == [
        ("golang.org/x/net/html", ("Parse", "Tokenizer.Next")),
        ("golang.org/x/net/idna", ()),
    ]
    assert py.imports == ()  # npm/PyPI advisories carry no import data


def test_import_scan_reads_only_the_preamble() -> None:
    src = """// Package x does things.
//go:build linux

/* import "not/this" */
package x

// #include <stdio.h>
import "C"
import sqlx "github.com/jmoiron/sqlx"

import (
\t_ "github.com/lib/pq" // the driver registers itself
\t. "strings"
\t"fmt"
\traw `golang.org/x/net/html`
)

func f() { s := `import "golang.org/x/text/language"`; fmt.Println(s) }

import "after/the/preamble"
"""
    assert import_paths(src) == (
        "github.com/lib/pq",
        "strings",
        "fmt",
        "golang.org/x/net/html",
        "C",
        "github.com/jmoiron/sqlx",
    )


def test_import_scan_marks_files_the_build_never_compiles(tmp_path: Path) -> None:
    write_tree(
        tmp_path,
        {
            "tools.go": '//go:build tools\n\npackage tools\n\nimport _ "golang.org/x/tools/cmd/stringer"\n',
            "gen.go": '// +build ignore\n\npackage main\n\nimport "golang.org/x/text"\n',
            "linux.go": '//go:build !ignore\n\npackage main\n\nimport "golang.org/x/sys/unix"\n',
            "a_test.go": 'package main\n\nimport "testing"\n',
            "vendor/golang.org/x/net/html/parse.go": 'package html\n\nimport "golang.org/x/net/html/atom"\n',
        },
    )
    source = GoImportsSource()
    found = {}
    for path in sorted(p for p in tmp_path.rglob("*.go")):
        rel = path.relative_to(tmp_path).as_posix()
        parsed = source.parse(read_file(SourceFile(rel, str(path), "go", path.stat().st_size)))
        found[rel] = (parsed.not_built, parsed.vendored)
    assert found == {
        "tools.go": ("tools", ""),
        "gen.go": ("ignore", ""),
        "linux.go": ("", ""),
        "a_test.go": ("test", ""),
        "vendor/golang.org/x/net/html/parse.go": ("", "golang.org/x/net/html"),
    }


def test_vendor_folder_decides_for_dependencies(tmp_path: Path, go_vulndb_dir: Path) -> None:
    """vendor/ is the build's own copy of the packages it needs: x/net/html there is compiled in though no file
    of the project imports it; idna and dnsmessage are not there, so they are not compiled in."""
    mod = "module example.com/v\n\ngo 1.99.0\n\nrequire golang.org/x/net v0.54.0 // indirect\n"
    write_tree(
        tmp_path,
        {
            "go.mod": mod,
            "main.go": 'package main\n\nimport "github.com/PuerkitoBio/goquery"\n\nfunc main() { goquery.New() }\n',
            "vendor/modules.txt": "# golang.org/x/net v0.54.0\n## explicit\ngolang.org/x/net/html\n",
            "vendor/golang.org/x/net/html/parse.go": 'package html\n\nimport "io"\n',
            "vendor/github.com/PuerkitoBio/goquery/type.go": 'package goquery\n\nimport "golang.org/x/net/html"\n',
        },
    )
    net = _by_package(tmp_path, go_vulndb_dir)[("go.mod", "Go/golang.org/x/net@0.54.0")]
    reach, sev = _reach(net), _severities(net)
    assert reach["CVE-2026-42506"] == ("vendored-in-build", ("vendor/github.com/PuerkitoBio/goquery/type.go",), ())
    assert sev["CVE-2026-42506"] == "medium"
    assert reach["CVE-2026-39821"] == reach["CVE-2026-46600"] == ("not-in-vendor", (), ())  # idna, dnsmessage
    assert sev["CVE-2026-39821"] == sev["CVE-2026-46600"] == "low"
    assert (net.severity, net.confidence) == (Severity.MEDIUM, Confidence.HIGH)
    assert net.message.endswith(
        "the vulnerable package golang.org/x/net/html is compiled in through a dependency: vendor/ holds "
        "golang.org/x/net/html"
    )


def test_calls_do_not_depend_on_the_rules_selected(tmp_path: Path, go_vulndb_dir: Path) -> None:
    """The calls come from the code index the run builds for its other steps, not from a VUL request."""
    write_tree(tmp_path, {"go.mod": GO_MOD, "main.go": MAIN_GO})
    key = ("go.mod", "Go/golang.org/x/net@0.54.0")
    alone = _by_package(tmp_path, go_vulndb_dir, select=("VUL",))[key]
    assert _reach(alone)["CVE-2026-42506"] == ("package-imported", ("main.go",), ("html.Parse at main.go:12",))
    assert alone.evidence == _by_package(tmp_path, go_vulndb_dir)[key].evidence


def test_sbom_vulnerability_carries_the_reach(tmp_path: Path, go_vulndb_dir: Path) -> None:
    write_tree(tmp_path, {"go.mod": GO_MOD, "main.go": MAIN_GO})
    sbom = audit(tmp_path, go_vulndb_dir, select=("VUL", "RES")).sbom
    assert sbom is not None
    props = {v["bom-ref"]: {p["name"]: p["value"] for p in v.get("properties", [])} for v in sbom["vulnerabilities"]}
    norm = props["CVE-2026-56852@Go/golang.org/x/text@0.38.0"]["redline:reach"]
    assert norm.startswith("module-only: the vulnerable package golang.org/x/text/unicode/norm is not imported")
    html = props["CVE-2026-42506@Go/golang.org/x/net@0.54.0"]["redline:reach"]
    assert html == (
        "package-imported: the vulnerable package golang.org/x/net/html is imported by the module's code; "
        "calls html.Parse at main.go:12"
    )


def test_exploited_vulnerability_is_never_lowered() -> None:
    """A KEV-listed vulnerability keeps its severity even when no file imports its package."""
    entry = Affected("Go", "example.com/m", imports=(AffectedImport("example.com/m/vuln", ("Do",)),))
    match = AdvisoryMatch(Advisory("GO-1", aliases=("CVE-2099-1",)), (entry,), ("1.1.0",))
    pkg = Package("Go", "example.com/m", "1.0.0", "pkg:golang/example.com/m@v1.0.0", "go.mod", direct=True)
    code = GoModuleCode("", files=1, importers={"example.com/m/other": ["main.go"]})
    kev = {"CVE-2099-1": KevEntry("CVE-2099-1")}
    exploited = describe_group(pkg, [match], judge([match], pkg, kev, {}, SupplyChainSettings()), code)
    plain = describe_group(pkg, [match], judge([match], pkg, {}, {}, SupplyChainSettings()), code)
    assert exploited.reach is not None and exploited.reach.level == "module-only"
    assert (exploited.verdict.severity, plain.verdict.severity) == (Severity.CRITICAL, Severity.LOW)


def test_package_above_the_vulnerable_one_keeps_it(tmp_path: Path, go_vulndb_dir: Path) -> None:
    """pgx/v5 imports its own pgconn and pgproto3: code importing the root package keeps their advisories."""
    main = 'package main\n\nimport "github.com/jackc/pgx/v5"\n\nfunc main() { _, _ = pgx.Connect(nil, "") }\n'
    mod = "module example.com/p\n\ngo 1.99.0\n\nrequire github.com/jackc/pgx/v5 v5.8.0\n"
    write_tree(tmp_path, {"go.mod": mod, "main.go": main})
    pgx = _by_package(tmp_path, go_vulndb_dir)[("go.mod", "Go/github.com/jackc/pgx/v5@5.8.0")]
    assert _reach(pgx) == {
        "CVE-2026-41889": ("internal-package-reached", ("main.go",), ()),
        "CVE-2026-33815": ("parent-package-imported", ("main.go",), ()),
        "CVE-2026-33816": ("parent-package-imported", ("main.go",), ()),
    }
    assert set(_severities(pgx).values()) == {"medium"}
