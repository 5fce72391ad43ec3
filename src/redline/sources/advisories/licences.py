"""Declared licences: installed packages found in the tree, and the project's own manifests.

Reads a virtualenv's ``*.dist-info/METADATA`` (the email-header format of the
core metadata spec) and ``node_modules/<name>/package.json``; the project's
own licence comes from ``pyproject.toml`` and ``package.json`` outside
``node_modules``, and from the licence file at the tree's root (``LICENSE``, ``COPYING``: its text, judged by
the normaliser's signatures). Installed environments are usually git-ignored, so besides
the walked files it looks directly in the conventional places (``.venv``,
``venv``, ``node_modules``) of the root and of each manifest's directory,
never leaving the audited tree. Nothing is imported or run.
"""

from __future__ import annotations

import json
import re
import tomllib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from redline.core.model import Skipped, Stage, ToolError
from redline.core.thirdparty import in_installed_package
from redline.sources.interface import ProjectContext, ProjectOutput, ProjectSource

MAX_INSTALLED = 20_000
MAX_METADATA_BYTES = 2 * 1024 * 1024
_NODE_PKG = re.compile(r"(?:^|/)node_modules/(?:@[^/]+/)?[^/@][^/]*/package\.json$")
_DIST_INFO = re.compile(r"(?:^|/)[^/]+\.dist-info/METADATA$")
_VENV_DIRS = (".venv", "venv", "env", ".env")
#: the project's licence file at the tree's root (GitHub's licence detection reads the same names)
_LICENCE_FILE = re.compile(r"(?i)^(?:licen[cs]e|copying)(?:\.(?:md|txt|rst))?$")
#: a licence text's signature sits in its first lines; an open-core preamble comes before it (papermark)
_LICENCE_TEXT_BYTES = 64 * 1024


@dataclass(frozen=True)
class DeclaredLicence:
    """What one package (or the project itself) says its licence is, verbatim."""

    ecosystem: str  # PyPI | npm
    name: str
    version: str
    declared: str  # License-Expression / License / package.json "license", as written
    classifiers: tuple[str, ...]  # "License :: …" trove classifiers
    path: str  # relative file the declaration came from
    project: bool = False  # the audited project's own licence


def _rel(path: Path, root: Path) -> str:
    return path.relative_to(root).as_posix()


def read_metadata(text: str, path: str) -> DeclaredLicence:
    from email.parser import HeaderParser  # noqa: PLC0415 - the email package (~5 ms) only for a METADATA file

    headers = HeaderParser().parsestr(text, headersonly=True)
    declared = headers.get("License-Expression") or headers.get("License") or ""
    classifiers = tuple(c for c in headers.get_all("Classifier", []) if c.startswith("License ::"))
    return DeclaredLicence(
        "PyPI", str(headers.get("Name", "")), str(headers.get("Version", "")), str(declared), classifiers, path
    )


def _npm_licence(doc: dict[str, object]) -> str:
    lic = doc.get("license")
    if isinstance(lic, str):
        return lic
    if isinstance(lic, dict) and isinstance(lic.get("type"), str):
        return str(lic["type"])
    many = doc.get("licenses")
    if isinstance(many, list):
        names = [x.get("type") if isinstance(x, dict) else x for x in many]
        return " OR ".join(n for n in names if isinstance(n, str))
    return ""


def read_package_json(text: str, path: str, project: bool) -> DeclaredLicence | None:
    doc = json.loads(text)
    if not isinstance(doc, dict) or not isinstance(doc.get("name"), str):
        return None
    return DeclaredLicence("npm", doc["name"], str(doc.get("version", "")), _npm_licence(doc), (), path, project)


def read_pyproject(text: str, path: str) -> DeclaredLicence | None:
    doc = tomllib.loads(text)
    project = doc.get("project")
    poetry = doc.get("tool", {}).get("poetry") if isinstance(doc.get("tool"), dict) else None
    table = project if isinstance(project, dict) else poetry if isinstance(poetry, dict) else None
    if table is None:
        return None
    lic = table.get("license", "")
    declared = lic if isinstance(lic, str) else str(lic.get("text", "")) if isinstance(lic, dict) else ""
    listed = table.get("classifiers")
    classifiers = tuple(
        c for c in (listed if isinstance(listed, list) else []) if isinstance(c, str) and c.startswith("License ::")
    )
    return DeclaredLicence(
        "PyPI", str(table.get("name", "")), str(table.get("version", "")), declared, classifiers, path, project=True
    )


def _read(kind: str, text: str, rel: str) -> DeclaredLicence | None:
    if kind == "metadata":
        return read_metadata(text, rel)
    if kind == "pyproject":
        return read_pyproject(text, rel)
    if kind == "licence-file":
        return DeclaredLicence("", "", "", text[:_LICENCE_TEXT_BYTES], (), rel, project=True)
    return read_package_json(text, rel, project=kind == "project-npm")


class DeclaredLicenceSource(ProjectSource):
    name = "declared-licences"
    produces = DeclaredLicence

    def collect(self, ctx: ProjectContext) -> ProjectOutput:
        root = ctx.root.resolve()
        out = ProjectOutput([], [], [])
        seen: set[str] = set()
        for path, kind in self._candidates(ctx, root):
            rel = _rel(path, root)
            if rel in seen:
                continue
            seen.add(rel)
            if len(seen) > MAX_INSTALLED:
                out.skipped.append(Skipped(rel, f"more than {MAX_INSTALLED:,} installed packages; rest not read"))
                break
            try:
                if path.stat().st_size > MAX_METADATA_BYTES:
                    out.skipped.append(Skipped(rel, "package metadata larger than 2 MB"))
                    continue
                text = path.read_text(encoding="utf-8", errors="replace")
                fact = _read(kind, text, rel)
            except (OSError, ValueError, tomllib.TOMLDecodeError) as exc:
                out.errors.append(ToolError(rel, f"cannot read declared licence: {exc}", stage=Stage.PARSE))
                continue
            except RecursionError:  # a package.json nested 100k deep loses that file, not every licence
                out.errors.append(ToolError(rel, "cannot read declared licence: nested too deeply", stage=Stage.PARSE))
                continue
            if fact is not None:
                out.facts.append(fact)
        return out

    def _candidates(self, ctx: ProjectContext, root: Path) -> Iterator[tuple[Path, str]]:
        dirs = {root}
        for f in ctx.files:
            rel = f.path
            name = rel.rpartition("/")[2]  # the file name, without a path object per file of the tree
            if _DIST_INFO.search(rel):
                yield Path(f.abspath), "metadata"
            elif _NODE_PKG.search(rel):
                yield Path(f.abspath), "npm"
            elif name == "package.json" and not in_installed_package(rel):
                yield Path(f.abspath), "project-npm"
            elif name == "pyproject.toml" and not in_installed_package(rel):
                yield Path(f.abspath), "pyproject"
            elif rel == name and _LICENCE_FILE.match(name):
                yield Path(f.abspath), "licence-file"
            if f.kind in ("lockfile", "package-manifest"):
                dirs.add((root / rel).parent)
        for d in sorted(dirs):
            yield from self._installed_in(d, root)

    def _installed_in(self, directory: Path, root: Path) -> Iterator[tuple[Path, str]]:
        """Git-ignored environments the walk skipped, found by their conventional names."""
        for venv in _VENV_DIRS:
            for meta in sorted(directory.glob(f"{venv}/lib/python*/site-packages/*.dist-info/METADATA")):
                if _inside(meta, root):
                    yield meta, "metadata"
        yield from _node_modules(directory / "node_modules", root, depth=0)


def _node_modules(modules: Path, root: Path, depth: int) -> Iterator[tuple[Path, str]]:
    """Each package directly in ``node_modules`` (scoped ones too), and their nested ``node_modules``."""
    if depth > 32 or not modules.is_dir() or modules.is_symlink():
        return
    pkgs = [*modules.glob("*/package.json"), *modules.glob("@*/*/package.json")]
    for pkg in sorted(p for p in pkgs if not p.parent.name.startswith(".")):
        if _inside(pkg, root):
            yield pkg, "npm"
            yield from _node_modules(pkg.parent / "node_modules", root, depth + 1)


def _inside(path: Path, root: Path) -> bool:
    try:
        return path.resolve().is_relative_to(root)
    except OSError:
        return False
