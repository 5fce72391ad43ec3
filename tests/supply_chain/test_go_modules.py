"""Go: the build list is go.mod's ``require`` blocks after ``replace``/``exclude``; go.sum only confirms.
The ``go``/``toolchain`` directive is matched as the ``stdlib`` and ``toolchain`` pseudo-modules."""

from __future__ import annotations

from pathlib import Path

from redline.core.model import Confidence, Finding, Severity
from redline.sources.advisories.osv import parse_osv
from redline.sources.packages.go_mod import go_release_version

from .helpers import advisory_lines, audit, write_tree

GO_MOD = """module example.com/shop

go 1.21.0

require (
\tgolang.org/x/crypto v0.44.0
\tgithub.com/gorilla/websocket v1.5.3 // indirect
\tgolang.org/x/net v0.1.0 // indirect
\tgolang.org/x/text v0.3.0
)

replace golang.org/x/net v0.1.0 => golang.org/x/net v0.38.0

exclude golang.org/x/text v0.3.0
"""
# every version the module graph touched: three x/crypto versions, a module the build never uses
GO_SUM = """golang.org/x/crypto v0.0.0-20190308221718-c2843e01d9a2/go.mod h1:djNgcEr1/C05ACkg1iLfiJU5Ep61QUkGW8=
golang.org/x/crypto v0.16.0 h1:mMMrFzRSCF0GvB7Ne27XVtVAaXLrPmgPC7/v0tkwHaY=
golang.org/x/crypto v0.44.0 h1:A97SsFvM3AIwEEmTBiaxPPTYpDC47w720rdiiUvgoAU=
golang.org/x/net v0.1.0 h1:hZ/3BKLgV1R4xT8sjf5kKV8ncS3l2yXSZ7uB3Kgsw2Y=
golang.org/x/net v0.38.0 h1:vRMAPTMaeGqVhG5QyLJHqNDwecKTomGeqbnfZyKlBI8=
github.com/dgrijalva/jwt-go v3.2.0+incompatible h1:7qlOGliEKZXTDg6OTjfoBKDXWrumCAMpl/TFQ4/5kLM=
"""


def _vulns(tree: Path, db: Path) -> list[Finding]:
    return [f for f in audit(tree, db, select=("VUL",)).findings if f.rule.startswith("VUL")]


def test_build_list_from_go_mod_not_go_sum(tmp_path: Path, go_vulndb_dir: Path) -> None:
    write_tree(tmp_path, {"go.mod": GO_MOD, "go.sum": GO_SUM})
    found = {f.evidence.text("package"): f for f in _vulns(tmp_path, go_vulndb_dir)}
    # x/crypto 0.44.0 only (not 0.16.0 from go.sum); jwt-go is only in go.sum; x/net 0.1.0 is replaced
    assert "Go/golang.org/x/crypto@0.44.0" in found
    assert not [k for k in found if k.startswith(("Go/golang.org/x/crypto@0.16", "Go/github.com/dgrijalva"))]
    assert not [k for k in found if k == "Go/golang.org/x/net@0.1.0"]  # replaced
    assert not [k for k in found if k.startswith("Go/golang.org/x/text")]  # excluded: version unknown
    assert all(f.location.path == "go.mod" for f in found.values())
    crypto = found["Go/golang.org/x/crypto@0.44.0"]
    assert crypto.location.start_line == 6  # the require line
    ids = [v.split(" ", 1)[0] for v in advisory_lines(crypto)]
    assert "CVE-2025-58181" in ids and "CVE-2025-47914" in ids  # both fixed in 0.45.0
    assert "CVE-2023-48795" not in ids  # fixed in 0.17.0, before 0.44.0
    assert len([f for f in found.values() if "x/crypto" in f.message]) == 1  # one finding for the version
    # GO-2026-5932 (x/crypto/openpgp unmaintained) has no fixed version: no upgrade clears them all
    assert crypto.evidence["upgrade"] is None
    assert crypto.message.endswith("no single published version clears them all")


def test_go_directive_is_matched_as_the_standard_library(tmp_path: Path, go_vulndb_dir: Path) -> None:
    write_tree(tmp_path, {"go.mod": GO_MOD})
    found = {f.evidence.text("package"): f for f in _vulns(tmp_path, go_vulndb_dir)}
    stdlib = found["Go/stdlib@1.21.0"]
    assert "Go/toolchain@1.21.0" not in found  # one Go release, one fix: one item
    assert (stdlib.location.path, stdlib.location.start_line) == ("go.mod", 3)
    assert "CVE-2023-39325" in stdlib.tags  # stdlib: HTTP/2 rapid reset, fixed in 1.21.3
    assert "CVE-2023-39320" in stdlib.tags  # toolchain: code execution via the go.mod toolchain directive
    [line] = [v for v in advisory_lines(stdlib) if v.startswith("CVE-2023-39320")]
    runtime = [v for v in advisory_lines(stdlib) if v.startswith("CVE-2023-39325")]
    assert line.split(": ", 1)[0].endswith(", low")  # the go command: build time, one level lower
    assert runtime and runtime[0].split(": ", 1)[0].endswith(", medium")  # Go advisories carry no CVSS
    assert stdlib.message.startswith("Go standard library and go command 1.21.0 (runtime dependency; the minimum")
    assert stdlib.confidence == Confidence.MEDIUM  # the toolchain that builds it may be newer
    assert stdlib.remediation.startswith("Build with Go 1.25.13 or later: set `toolchain go1.25.13`")


def test_toolchain_directive_wins_over_go(tmp_path: Path, go_vulndb_dir: Path) -> None:
    write_tree(tmp_path, {"go.mod": "module x\n\ngo 1.21\n\ntoolchain go1.99.0\n"})
    assert not _vulns(tmp_path, go_vulndb_dir)  # a release newer than every advisory in the data
    write_tree(tmp_path, {"go.mod": "module x\n\ngo 1.25.0\n\ntoolchain go1.21.0\n"})
    [stdlib] = [f for f in _vulns(tmp_path, go_vulndb_dir) if f.evidence.text("package") == "Go/stdlib@1.21.0"]
    assert stdlib.confidence == Confidence.HIGH and stdlib.location.start_line == 5


def test_old_go_line_is_a_language_version(tmp_path: Path, go_vulndb_dir: Path) -> None:
    """Before Go 1.21 the go line is not a toolchain minimum: a tools module with `go 1.12` built by
    Go 1.25 must not get Go 1.12's 141 advisories."""
    write_tree(tmp_path, {"go.mod": "module tools\n\ngo 1.12\n"})
    assert not _vulns(tmp_path, go_vulndb_dir)


def test_go_sum_alone_reports_nothing(tmp_path: Path, go_vulndb_dir: Path) -> None:
    write_tree(tmp_path, {"go.sum": GO_SUM})
    assert not _vulns(tmp_path, go_vulndb_dir)


def test_go_release_spellings() -> None:
    assert [go_release_version(v) for v in ("1.21", "go1.21.5", "1.22rc1", "go1.23.6-xyz", "default", "")] == [
        "1.21.0",
        "1.21.5",
        "1.22.0-rc.1",
        "1.23.6",
        "",
        "",
    ]


def test_builder_image_beside_go_mod_wins(tmp_path: Path, go_vulndb_dir: Path) -> None:
    """What ships is built by the golang image: a go line of 1.25.0 built by golang:1.99.0 is not vulnerable
    (reporting Go 1.25.0's advisories would be wrong); a floating tag cannot be told, so nothing is matched."""
    gomod = "module x\n\ngo 1.25.0\n"
    write_tree(
        tmp_path,
        {
            "a/go.mod": gomod,
            "a/Dockerfile": "FROM --platform=$BUILDPLATFORM golang:1.99.0-alpine AS b\n",
            "b/go.mod": gomod,
            "b/Dockerfile": "FROM docker.io/library/golang:1.25 AS builder\n",
            "c/go.mod": gomod + "\ntoolchain go1.99.0\n",
            "c/Dockerfile": "FROM golang:1.21.0-bookworm@sha256:abc AS builder\n",
            # the Dockerfile that builds a module often sits a folder above it
            "d/Dockerfile": "FROM golang:1.99.0 AS builder\n",
            "d/ext/go.mod": gomod,
        },
    )
    found = {(f.location.path, f.evidence.text("package")): f for f in _vulns(tmp_path, go_vulndb_dir)}
    assert {p for p, _ in found} == {"c/go.mod"}  # a, d: patched builder; b: floating tag
    stdlib = found[("c/go.mod", "Go/stdlib@1.21.0")]
    assert "Go release from the builder image golang:1.21.0-bookworm@sha256:abc" not in stdlib.message
    assert "Go release from the builder image golang:1.21.0-bookworm in the nearest Dockerfile" in stdlib.message
    assert stdlib.confidence == Confidence.HIGH


def test_no_fix_remediation_says_replace(tmp_path: Path, go_vulndb_dir: Path) -> None:
    write_tree(tmp_path, {"go.mod": "module x\n\ngo 1.20\n\nrequire github.com/dgrijalva/jwt-go v3.2.0+incompatible\n"})
    [jwt] = _vulns(tmp_path, go_vulndb_dir)
    assert "CVE-2020-26160" in jwt.tags and jwt.location.start_line == 5
    assert jwt.remediation.startswith("No fixed version of github.com/dgrijalva/jwt-go is published: replace it")


def test_windows_only_advisory_ranks_low(tmp_path: Path, go_vulndb_dir: Path) -> None:
    """GO-2026-5024 is in golang.org/x/sys/windows (goos: windows): true, but low for a server module."""
    write_tree(tmp_path, {"go.mod": "module x\n\ngo 1.20\n\nrequire golang.org/x/sys v0.43.0\n"})
    [xsys] = _vulns(tmp_path, go_vulndb_dir)
    [line] = [v for v in advisory_lines(xsys) if "GO-2026-5024" in v]
    assert "(only on windows: ranked low)" in line and ", low: " in line
    assert xsys.severity == Severity.LOW


def test_osv_platforms_from_go_imports() -> None:
    doc = {
        "id": "GO-X",
        "affected": [
            {
                "package": {"ecosystem": "Go", "name": "m"},
                "ecosystem_specific": {
                    "imports": [{"path": "m/windows", "goos": ["windows"]}, {"path": "m/plan9", "goos": ["plan9"]}]
                },
            },
            {
                "package": {"ecosystem": "Go", "name": "n"},
                "ecosystem_specific": {"imports": [{"path": "n/win", "goos": ["windows"]}, {"path": "n/all"}]},
            },
        ],
    }
    m, n = parse_osv(doc).affected
    assert (m.platforms, n.platforms) == (("plan9", "windows"), ())  # one import on every platform: all
