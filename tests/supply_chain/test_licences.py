"""LIC101/LIC102 over installed environments (git-ignored .venv and node_modules, as in real trees)."""

from __future__ import annotations

import json
import shutil
import sqlite3
from contextlib import closing
from pathlib import Path
from typing import Any

import pytest

from redline.core.model import Finding
from redline.sources.advisories import status
from redline.sources.advisories.database import DB_FILENAME
from redline.sources.advisories.spdx import LicenceNormaliser

from .helpers import audit, write_tree

SITE = ".venv/lib/python3.11/site-packages"


def metadata(name: str, version: str, *headers: str) -> str:
    return "\n".join(["Metadata-Version: 2.4", f"Name: {name}", f"Version: {version}", *headers, "", "Body text."])


def npm(name: str, version: str, **extra: object) -> str:
    return json.dumps({"name": name, "version": version, **extra})


TREE = {
    ".gitignore": ".venv/\nnode_modules/\n",
    "pyproject.toml": '[project]\nname = "shop"\nversion = "1.0"\ndependencies = ["gplthing"]\n',
    f"{SITE}/gplthing-1.0.dist-info/METADATA": metadata("gplthing", "1.0", "License-Expression: GPL-3.0-only"),
    f"{SITE}/agplthing-2.0.dist-info/METADATA": metadata(
        "agplthing", "2.0", "Classifier: License :: OSI Approved :: GNU Affero General Public License v3"
    ),
    f"{SITE}/mitthing-1.0.dist-info/METADATA": metadata("mitthing", "1.0", "License: MIT"),
    f"{SITE}/dual-1.0.dist-info/METADATA": metadata("dual", "1.0", "License-Expression: GPL-2.0-only OR MIT"),
    f"{SITE}/lgplthing-3.0.dist-info/METADATA": metadata("lgplthing", "3.0", "License: LGPLv3"),
    f"{SITE}/pasted-1.0.dist-info/METADATA": metadata(
        "pasted",
        "1.0",
        "License: Copyright (c) 2020 Someone",
        " .",
        " Permission is hereby granted, free of charge, to any person obtaining a copy",
    ),
    f"{SITE}/mystery-0.1.dist-info/METADATA": metadata("mystery", "0.1", "License: see LICENSE file"),
    f"{SITE}/nolicence-0.2.dist-info/METADATA": metadata("nolicence", "0.2"),
    "node_modules/gpl-js/package.json": npm("gpl-js", "1.0.0", license="GPL-2.0-or-later"),
    "node_modules/@scope/ok/package.json": npm("@scope/ok", "2.0.0", license="Apache-2.0"),
    "node_modules/old-style/package.json": npm("old-style", "0.1.0", licenses=[{"type": "MIT"}]),
    "node_modules/gpl-js/node_modules/nested/package.json": npm("nested", "1.0.0", license="AGPL-3.0-only"),
}


def _keys(findings: list[Finding]) -> set[tuple[str, str, str]]:
    return {(f.rule, f.location.resource, str(f.severity)) for f in findings if f.rule.startswith("LIC")}


@pytest.fixture
def tree(tmp_path: Path) -> Path:
    return write_tree(tmp_path / "tree", TREE)


def test_proprietary_project_flags_copyleft_and_unknown(tree: Path, vulndb_dir: Path) -> None:
    result = audit(tree, vulndb_dir, select=("LIC",))
    assert _keys(list(result.findings)) == {
        ("LIC101", "PyPI/gplthing@1.0", "medium"),
        ("LIC101", "PyPI/agplthing@2.0", "high"),
        ("LIC101", "npm/gpl-js@1.0.0", "medium"),
        ("LIC101", "npm/nested@1.0.0", "high"),  # nested node_modules, AGPL
        ("LIC102", "PyPI/mystery@0.1", "info"),
        ("LIC102", "PyPI/nolicence@0.2", "info"),
    }
    [gpl] = [f for f in result.findings if f.location.resource == "PyPI/gplthing@1.0"]
    assert gpl.location.path == f"{SITE}/gplthing-1.0.dist-info/METADATA"
    assert "project is proprietary" in gpl.message
    # every finding says what to do (LIC102's remediation was empty)
    assert all(f.remediation for f in result.findings)
    [mystery] = [f for f in result.findings if f.location.resource == "PyPI/mystery@0.1"]
    assert "mystery 0.1" in mystery.remediation and "license_allow" in mystery.remediation


def test_open_source_project_has_no_default_deny_list(tree: Path, vulndb_dir: Path) -> None:
    result = audit(tree, vulndb_dir, select=("LIC",), extra_config='project_license = "GPL-3.0-or-later"\n')
    assert {k[0] for k in _keys(list(result.findings))} == {"LIC102"}


AGPL_WITH_PREAMBLE = (
    "Copyright (c) 2023-present Example, Inc.\n\nPortions of this software are licensed as follows:\n\n"
    "- Content under ee/ is licensed under the license defined in ee/LICENSE.\n"
    "- Content outside of that directory is available under the AGPLv3 license as defined below.\n\n"
    "                    GNU AFFERO GENERAL PUBLIC LICENSE\n                       Version 3, 19 November 2007\n"
)


def test_the_licence_file_at_the_root_is_the_projects_licence(tree: Path, vulndb_dir: Path) -> None:
    """papermark: no ``license`` field in any manifest, an AGPL LICENSE after an open-core preamble: the project is
    AGPL, not proprietary, so its AGPL and GPL dependencies are no conflict. A licence file in a subfolder is
    another component's (``ee/LICENSE``) and says nothing of the project."""
    (tree / "docs").mkdir()
    (tree / "docs" / "LICENSE").write_text("Permission is hereby granted, free of charge, to any person\n")
    assert "LIC101" in {k[0] for k in _keys(list(audit(tree, vulndb_dir, select=("LIC",)).findings))}
    (tree / "LICENSE").write_text(AGPL_WITH_PREAMBLE)
    assert {k[0] for k in _keys(list(audit(tree, vulndb_dir, select=("LIC",)).findings))} == {"LIC102"}


def test_a_manifests_licence_field_comes_before_the_licence_files_text(tree: Path, vulndb_dir: Path) -> None:
    """A manifest that declares the project proprietary (UNLICENSED) is the project's word over the text of an old
    licence file beside it."""
    (tree / "LICENSE").write_text(AGPL_WITH_PREAMBLE)
    (tree / "pyproject.toml").write_text('[project]\nname = "shop"\nversion = "1.0"\nlicense = "UNLICENSED"\n')
    result = audit(tree, vulndb_dir, select=("LIC101",))
    assert ("LIC101", "PyPI/agplthing@2.0", "high") in _keys(list(result.findings))


def test_deny_and_allow_lists(tree: Path, vulndb_dir: Path) -> None:
    result = audit(tree, vulndb_dir, select=("LIC101",), extra_config='license_deny = ["MIT"]\n')
    # "GPL-2.0-only OR MIT" stays acceptable: its GPL branch is not denied
    assert _keys(list(result.findings)) == {
        ("LIC101", "PyPI/mitthing@1.0", "medium"),
        ("LIC101", "PyPI/pasted@1.0", "medium"),
        ("LIC101", "npm/old-style@0.1.0", "medium"),
    }
    result = audit(tree, vulndb_dir, select=("LIC101",), extra_config='license_allow = ["MIT", "Apache-*"]\n')
    assert {k[1] for k in _keys(list(result.findings))} == {
        "PyPI/gplthing@1.0",
        "PyPI/agplthing@2.0",
        "npm/gpl-js@1.0.0",
        "PyPI/lgplthing@3.0",
        "npm/nested@1.0.0",
    }


def test_without_a_database_the_shipped_spdx_list_is_used(tree: Path) -> None:
    result = audit(tree, None, select=("LIC",))
    assert ("LIC101", "PyPI/gplthing@1.0", "medium") in _keys(list(result.findings))


@pytest.mark.parametrize(
    ("declared", "classifiers", "expected"),
    [
        ("MIT", (), "MIT"),
        ("Apache Software License", (), "Apache-2.0"),
        ("BSD 2-Clause License", ("License :: OSI Approved :: BSD License",), "BSD-2-Clause"),  # grimp's metadata
        ("", ("License :: OSI Approved :: BSD License",), "LicenseRef-BSD"),  # no clause count: not guessed
        ('BSD 3-Clause "New" or "Revised" License', (), "BSD-3-Clause"),  # the SPDX list's full name
        ("BSD-3-Clause OR GPL-2.0-or-later", (), "BSD-3-Clause OR GPL-2.0-or-later"),
        (
            "",
            ("License :: OSI Approved :: MIT License", "License :: OSI Approved :: Apache Software License"),
            "Apache-2.0 OR MIT",
        ),
        ("GNU GENERAL PUBLIC LICENSE\n   Version 3, 29 June 2007\n...", (), "GPL-3.0-only"),
        ("UNLICENSED", (), "LicenseRef-Proprietary"),
        ("MIT/X11", (), "MIT"),  # buffer-builder (AzureTRE's lockfile): the MIT licence's old X Consortium name
        ("X11", (), "X11"),  # SPDX's own X11 licence (advertising clause) stays itself
        ("Dual licensed, ask us", (), ""),
        ("", (), ""),
    ],
)
def test_normalisation(shared_data: Path, declared: str, classifiers: tuple[str, ...], expected: str) -> None:
    spdx = json.loads((shared_data / "spdx" / "licenses.json").read_text())
    exceptions = json.loads((shared_data / "spdx" / "exceptions.json").read_text())
    rows = [(x["licenseId"], False) for x in spdx["licenses"]]
    rows += [(x["licenseExceptionId"], True) for x in exceptions["exceptions"]]
    names = [(x["name"], x["licenseId"]) for x in spdx["licenses"]]
    assert LicenceNormaliser(rows, names).normalise(declared, classifiers).expression == expected


def _database_rows(shared_data: Path) -> list[tuple[str, bool]]:
    spdx = json.loads((shared_data / "spdx" / "licenses.json").read_text())
    exceptions = json.loads((shared_data / "spdx" / "exceptions.json").read_text())
    return [(x["licenseId"], False) for x in spdx["licenses"]] + [
        (x["licenseExceptionId"], True) for x in exceptions["exceptions"]
    ]


@pytest.mark.parametrize("source", ["database", "shipped"])
def test_a_plain_id_is_looked_up_as_parsing_would_read_it(shared_data: Path, source: str) -> None:
    """Every id the lookup answers for, from the database's list and from the one license-expression ships, is
    what the parser makes of it; an exception id alone and a lower-cased id still go to the parser."""
    normaliser = LicenceNormaliser(_database_rows(shared_data) if source == "database" else ())
    assert len(normaliser.plain_ids) > 500
    for ident in sorted(normaliser.plain_ids):
        assert normaliser._parse(ident, "spdx") == normaliser.parse_expression(ident, "spdx"), ident
    assert "Classpath-exception-2.0" not in normaliser.plain_ids
    assert "bsd-3-clause" not in normaliser.plain_ids
    assert normaliser.normalise("bsd-3-clause").expression == "BSD-3-Clause"


def test_licence_only_run_does_not_ask_for_the_database(tree: Path) -> None:
    result = audit(tree, None, select=("LIC",))
    assert not [e for e in result.errors if e.where == "vulnerability database"]


def test_shipped_licence_index_is_read_once(monkeypatch: pytest.MonkeyPatch) -> None:
    """A run without a database reads license-expression's 1 MB index once for the plain ids and the parser."""
    import license_expression

    real = license_expression.get_license_index
    reads: list[int] = []

    def counted(*location: str) -> list[dict[str, object]]:
        reads.append(1)
        index: list[dict[str, object]] = real(*location)
        return index

    monkeypatch.setattr(license_expression, "get_license_index", counted)
    norm = LicenceNormaliser()
    assert norm.normalise("MIT", ()).expression == "MIT"  # a plain id: looked up
    assert norm.normalise("MIT OR Apache-2.0", ()).ids == ("Apache-2.0", "MIT")  # parsed
    assert len(reads) == 1


def test_a_pyproject_inside_an_installed_npm_package_is_not_the_projects(tree: Path, vulndb_dir: Path) -> None:
    """node-gyp ships gyp's ``pyproject.toml`` inside ``node_modules``: an installed package's manifest, never the
    project's licence, whichever installer's folder holds it (``site-packages`` was the only one left out before)."""
    (tree / ".gitignore").write_text(".venv/\n")  # node_modules walked, as in a tree that commits it
    gyp = tree / "node_modules" / "node-gyp" / "gyp"
    gyp.mkdir(parents=True)
    (gyp / "pyproject.toml").write_text('[project]\nname = "gyp-next"\nversion = "0.16.1"\nlicense = "GPL-3.0-only"\n')
    (tree / "node_modules" / "node-gyp" / "package.json").write_text(npm("node-gyp", "10.0.1", license="MIT"))
    keys = _keys(list(audit(tree, vulndb_dir, select=("LIC",)).findings))
    assert ("LIC101", "PyPI/gplthing@1.0", "medium") in keys  # the project is still proprietary


def _with_licence(db_dir: Path, into: Path, ident: str, name: str) -> Path:
    """A copy of the database whose SPDX table also lists ``ident`` under ``name``."""
    shutil.copytree(db_dir, into)
    with closing(sqlite3.connect(into / DB_FILENAME)) as conn, conn:
        conn.execute("INSERT INTO spdx VALUES (?, ?, 0, 0, 0)", (ident, name))
    return into


def test_the_normaliser_is_built_once_per_run_from_that_runs_database(
    tree: Path, vulndb_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The licence check and the SBOM step share one normaliser a run, and nothing of it outlives the run: audits
    in one process alternating between a database that knows a licence and one that does not each judge by their
    own database."""
    (tree / SITE / "acme-1.0.dist-info").mkdir()
    (tree / SITE / "acme-1.0.dist-info" / "METADATA").write_text(
        metadata("acme", "1.0", "License: Acme Community Licence")
    )
    knows = _with_licence(vulndb_dir, tmp_path / "db-knows", "Acme-1.0", "Acme Community Licence")
    built: list[int] = []

    class Counted(LicenceNormaliser):
        def __init__(self, *args: Any, **kwargs: Any) -> None:
            built.append(1)
            super().__init__(*args, **kwargs)

    monkeypatch.setattr(status, "LicenceNormaliser", Counted)
    unknown = ("LIC102", "PyPI/acme@1.0", "info")
    for db, listed in ((knows, False), (vulndb_dir, True), (knows, False)):
        built.clear()
        result = audit(tree, db, select=("LIC", "VUL"))  # VUL opens the database; cyclonedx runs the SBOM step
        assert result.sbom is not None
        assert (unknown in _keys(list(result.findings))) is listed
        assert built == [1]
