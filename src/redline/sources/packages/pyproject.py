"""``pyproject.toml``: PEP 621 ``[project]`` and Poetry ``[tool.poetry]`` dependencies.

Decision (documented for the SBOM and the gate): ``[project.optional-dependencies]``
extras are runtime, because users install them, except extras whose name marks
development tools (``dev``, ``test``, ``lint``, ``docs`` … see ``pep508.is_dev_group``).
PEP 735 ``[dependency-groups]``, ``[tool.uv] dev-dependencies``, ``[tool.pdm.dev-dependencies]``,
Poetry's ``dev-dependencies`` and Poetry groups other than ``main`` are dev.
A manifest, not a lockfile: ranges are reported unpinned.
A pyproject without dependency tables gives an empty manifest; one whose only
dependencies are ``dynamic`` is reported as not read (never as "no dependencies").
"""

from __future__ import annotations

import re
from typing import Any

from redline.core.packages import PackageManifest, pep503
from redline.core.workspace import FileText
from redline.sources.interface import SourceError
from redline.sources.packages.common import ManifestBuilder, expect_dict, expect_list, line_of, load_toml
from redline.sources.packages.interface import ManifestParser
from redline.sources.packages.pep508 import is_dev_group, parse_pep508

_EXACT = re.compile(r"^\s*(?:==\s*)?v?(\d+(?:\.\d+)*(?:[-.+]?[A-Za-z0-9.]+)?)\s*$")


class PyprojectParser(ManifestParser):
    name = "pyproject"
    file_names = ("pyproject.toml",)

    def parse_manifest(self, text: FileText) -> PackageManifest:
        data = load_toml(text.text)
        lines = text.lines
        project = expect_dict(data.get("project"), "[project]")
        tool = expect_dict(data.get("tool"), "[tool]")
        poetry = expect_dict(tool.get("poetry"), "[tool.poetry]")
        own = pep503(str(project.get("name") or poetry.get("name") or ""))
        b = ManifestBuilder(text.file.path, "pyproject.toml", "PyPI", is_lockfile=False, name=own)
        for i, req in enumerate(expect_list(project.get("dependencies"), "project.dependencies")):
            self._pep508(b, req, f"project.dependencies[{i}]", lines, dev=False, own=own)
        extras = expect_dict(project.get("optional-dependencies"), "project.optional-dependencies")
        for extra, reqs in extras.items():
            for i, req in enumerate(expect_list(reqs, f"optional-dependencies.{extra}")):
                self._pep508(b, req, f"optional-dependencies.{extra}[{i}]", lines, dev=is_dev_group(extra), own=own)
        groups = expect_dict(data.get("dependency-groups"), "[dependency-groups]")
        for group, reqs in groups.items():
            for i, req in enumerate(expect_list(reqs, f"dependency-groups.{group}")):
                if isinstance(req, dict):  # {include-group = "…"}: the other group is read on its own
                    continue
                self._pep508(b, req, f"dependency-groups.{group}[{i}]", lines, dev=True, own=own)
        legacy: list[tuple[str, object]] = [
            ("tool.uv.dev-dependencies", expect_dict(tool.get("uv"), "[tool.uv]").get("dev-dependencies"))
        ]
        pdm_dev = expect_dict(
            expect_dict(tool.get("pdm"), "[tool.pdm]").get("dev-dependencies"), "[tool.pdm.dev-dependencies]"
        )
        legacy += [(f"tool.pdm.dev-dependencies.{g}", reqs) for g, reqs in pdm_dev.items()]
        for where, reqs in legacy:
            for i, req in enumerate(expect_list(reqs, where)):
                if isinstance(req, str) and req.startswith("-e "):
                    continue  # an editable local path (pdm): the project's own code
                self._pep508(b, req, f"{where}[{i}]", lines, dev=True, own=own)
        self._poetry(b, poetry, lines)
        manifest = b.build()
        dynamic = {str(d) for d in expect_list(project.get("dynamic"), "project.dynamic")}
        if not manifest.packages and dynamic & {"dependencies", "optional-dependencies"}:
            raise SourceError(
                "[project] declares its dependencies dynamic: the build backend computes them, "
                "so they were not read (audit the requirements file or lockfile it uses)"
            )
        return manifest

    def _pep508(self, b: ManifestBuilder, req: object, where: str, lines: list[str], *, dev: bool, own: str) -> None:
        if not isinstance(req, str):
            raise SourceError(f"{where} must be a requirement string")
        parsed = parse_pep508(req, where)
        if own and pep503(parsed.name) == own:
            return  # ``pkg[extra]`` inside pkg's own extras: the project itself, not a dependency
        key = b.add(
            parsed.name,
            parsed.version,
            pinned=parsed.pinned,
            requirement="" if parsed.pinned else parsed.text,
            line=line_of(lines, req) or line_of(lines, parsed.name),
            dev=dev,
            direct=True,
        )
        b.root(key, dev=dev)

    def _poetry(self, b: ManifestBuilder, poetry: dict[str, Any], lines: list[str]) -> None:
        tables: list[tuple[str, object, bool]] = [
            ("tool.poetry.dependencies", poetry.get("dependencies"), False),
            ("tool.poetry.dev-dependencies", poetry.get("dev-dependencies"), True),
        ]
        for group, body in expect_dict(poetry.get("group"), "tool.poetry.group").items():
            tables.append(
                (
                    f"tool.poetry.group.{group}.dependencies",
                    expect_dict(body, f"tool.poetry.group.{group}").get("dependencies"),
                    group != "main",
                )
            )
        for where, table, dev in tables:
            for name, spec in expect_dict(table, where).items():
                if name.lower() == "python":
                    continue
                version, pinned, requirement = poetry_requirement(spec, f"{where}.{name}")
                key = b.add(
                    name,
                    version,
                    pinned=pinned,
                    requirement=requirement,
                    dev=dev,
                    direct=True,
                    line=line_of(lines, name),
                )
                b.root(key, dev=dev)


def poetry_requirement(spec: object, where: str) -> tuple[str, bool, str]:
    """``(version, pinned, requirement)`` for a Poetry dependency value (a string or a table)."""
    if isinstance(spec, list):  # multiple constraints by marker: report the declaration
        return "", False, "; ".join(str(s) for s in spec)
    if isinstance(spec, dict):
        for source in ("git", "url", "path", "file"):
            if source in spec:
                ref = next((f"@{spec[k]}" for k in ("rev", "tag", "branch") if k in spec), "")
                return "", False, f"{source}: {spec[source]}{ref}"
        spec = spec.get("version", "*")
    if not isinstance(spec, str):
        raise SourceError(f"{where}: expected a version string or table")
    exact = _EXACT.match(spec)
    if exact and not spec.strip().startswith(("^", "~", ">", "<", "!")):
        return exact.group(1), True, ""
    return "", False, spec
