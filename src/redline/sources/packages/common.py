"""Shared helpers for the parsers: decoding, names, redaction, and a manifest builder (purls: core.purl).

The builder owns the rules every format shares: one ``Package`` per key,
``direct`` from edges out of the project (parent ``""``), and ``dev`` from
reachability when the format gives no explicit flag (a package is dev only
when no runtime root reaches it).
"""

from __future__ import annotations

import json
import re
import tomllib
from collections import deque
from dataclasses import dataclass
from typing import Any

from redline.core.packages import DependencyEdge, Package, PackageManifest, pep503
from redline.core.purl import purl_for
from redline.core.redact import redact_url
from redline.sources.interface import SourceError
from redline.sources.yamlsafe import YamlError, load_documents


def normalise_name(ecosystem: str, name: str) -> str:
    """The name as OSV spells it: PEP 503 for PyPI, lower case for Packagist, as written otherwise."""
    name = name.strip()
    if ecosystem == "PyPI":
        return pep503(name)
    if ecosystem == "Packagist":
        return name.lower()
    return name


# --------------------------------------------------------------------------- decoding


def load_json(text: str) -> Any:
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise SourceError(f"invalid JSON at line {exc.lineno}, column {exc.colno}: {exc.msg}") from None
    except RecursionError:
        raise SourceError("invalid JSON: nested too deeply") from None
    except ValueError as exc:  # e.g. a number longer than the interpreter converts
        raise SourceError(f"invalid JSON: {exc}") from None


def load_json_object(text: str) -> dict[str, Any]:
    return expect_json_object(load_json(text))


def expect_json_object(data: Any) -> dict[str, Any]:
    if not isinstance(data, dict):
        raise SourceError(f"expected a JSON object at the top level, found {json_type(data)}")
    return data


def load_toml(text: str) -> dict[str, Any]:
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise SourceError(f"invalid TOML: {exc}") from None
    except RecursionError:
        raise SourceError("invalid TOML: nested too deeply") from None
    except ValueError as exc:  # e.g. a number longer than the interpreter converts
        raise SourceError(f"invalid TOML: {exc}") from None


def load_yaml(text: str) -> Any:
    """The first document, through the shared loader that refuses alias bombs (a lockfile is input too)."""
    try:
        for document in load_documents(text):
            return document.value
    except YamlError as exc:
        raise SourceError(str(exc)) from None
    except RecursionError:
        raise SourceError("invalid YAML: nested too deeply") from None
    return None


def json_type(value: object) -> str:
    if value is None:
        return "null"
    return {dict: "an object", list: "an array", str: "a string", bool: "a boolean"}.get(type(value), "a number")


def expect_dict(value: object, what: str) -> dict[str, Any]:
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise SourceError(f"{what} must be a table/object, found {json_type(value)}")
    return value


def expect_list(value: object, what: str) -> list[Any]:
    if value is None:
        return []
    if not isinstance(value, list):
        raise SourceError(f"{what} must be a list, found {json_type(value)}")
    return value


def expect_str(value: object, what: str) -> str:
    if not isinstance(value, str):
        raise SourceError(f"{what} must be a string, found {json_type(value)}")
    return value


def line_of(lines: list[str], needle: str, start: int = 0) -> int:
    """1-based number of the first line at or after ``start`` containing ``needle``; 0 if absent."""
    for i in range(start, len(lines)):
        if needle in lines[i]:
            return i + 1
    return 0


_JSON_KEY = re.compile(r'^\s*"((?:[^"\\]|\\.)*)"\s*:')


def json_key_lines(lines: list[str], after: str = "") -> dict[str, int]:
    """First line of each object key written at the start of a line (pretty-printed JSON), counting only
    from the line holding the key ``after`` when given; cheap, no parse."""
    out: dict[str, int] = {}
    started = not after
    for number, line in enumerate(lines, start=1):
        m = _JSON_KEY.match(line)
        if not m:
            continue
        if not started:
            started = m.group(1) == after
            continue
        out.setdefault(m.group(1), number)
    return out


def toml_array_lines(lines: list[str], table: str) -> list[int]:
    """Line numbers of every ``[[table]]`` header, in order (they match the parsed array's order)."""
    header = f"[[{table}]]"
    return [n for n, line in enumerate(lines, start=1) if line.strip() == header]


def nth_line(headers: list[int], index: int, total: int) -> int:
    """The header line of entry ``index`` when the file wrote one header per entry, else 0."""
    return headers[index] if len(headers) == total and index < total else 0


@dataclass(frozen=True)
class TomlPackage:
    """One entry of a lockfile's ``[[package]]`` array, checked: a table with a string name."""

    index: int
    where: str  # "package[3]", for messages
    table: dict[str, Any]
    name: str
    version: str  # "" when the lock format allows none and the entry has none
    line: int  # the entry's ``[[package]]`` header line, 0 when the file does not write one per entry


def toml_packages(
    data: dict[str, Any], lines: list[str], table: str = "package", *, label: str = "", need_version: bool = True
) -> list[TomlPackage]:
    """Every entry of the ``[[table]]`` array of a parsed TOML lockfile, in order, with its header line.

    An entry that is not a table, has no string name, or (``need_version``) no string version is a
    ``SourceError`` naming it; ``label`` names the array in the message when it is not a list."""
    raw = expect_list(data.get(table), label or table)
    headers = toml_array_lines(lines, table)
    out: list[TomlPackage] = []
    for i, item in enumerate(raw):
        where = f"{table}[{i}]"
        entry = expect_dict(item, where)
        name, version = entry.get("name"), entry.get("version")
        if not isinstance(name, str) or (need_version and not isinstance(version, str)):
            raise SourceError(f"{where} lacks a name or version" if need_version else f"{where} has no name")
        out.append(
            TomlPackage(i, where, entry, name, "" if version is None else str(version), nth_line(headers, i, len(raw)))
        )
    return out


# --------------------------------------------------------------------------- builder


@dataclass
class _Draft:
    ecosystem: str
    name: str
    version: str
    pinned: bool
    requirement: str
    line: int
    direct: bool
    dev: bool | None
    license: str
    manifest: str


class ManifestBuilder:
    """Collects packages and edges of one file and turns them into a ``PackageManifest``."""

    def __init__(
        self,
        path: str,
        fmt: str,
        ecosystem: str,
        *,
        is_lockfile: bool = True,
        confirms_only: bool = False,
        name: str = "",
    ) -> None:
        """``name``: the package the manifest itself defines, if it names one (``PackageManifest.name``)."""
        self.path = path
        self.name = normalise_name(ecosystem, name)
        self.confirms_only = confirms_only
        self.format = fmt
        self.ecosystem = ecosystem
        self.is_lockfile = is_lockfile
        self._drafts: dict[str, _Draft] = {}
        self._edges: dict[tuple[str, str], None] = {}
        self._root_dev: dict[str, bool] = {}

    def key(self, name: str, version: str, ecosystem: str | None = None) -> str:
        eco = ecosystem or self.ecosystem
        return f"{eco}/{normalise_name(eco, name)}@{version}"

    def add(
        self,
        name: str,
        version: str,
        *,
        pinned: bool = True,
        requirement: str = "",
        line: int = 0,
        direct: bool = False,
        dev: bool | None = None,
        license: str = "",
        ecosystem: str | None = None,
        manifest: str = "",
        managed: bool = False,
    ) -> str:
        """Add (or merge into) a package; returns its key. ``dev=None`` means: decide from the graph.
        ``managed``: the version is fixed by something redline does not read (a Maven BOM or parent POM),
        so the package is pinned although its version is unknown here."""
        eco = ecosystem or self.ecosystem
        name = normalise_name(eco, name)
        if not name:
            raise SourceError("a package has an empty name")
        version = version.strip()
        if not version and not managed:
            pinned = False
        key = f"{eco}/{name}@{version}"
        draft = self._drafts.get(key)
        if draft is None:
            self._drafts[key] = _Draft(
                eco, name, version, pinned, redact_url(requirement), line, direct, dev, license, manifest or self.path
            )
            return key
        draft.direct = draft.direct or direct
        draft.pinned = draft.pinned or pinned  # a range beside the workspace's or a BOM's copy: that copy is installed
        if dev is not None:
            draft.dev = dev if draft.dev is None else (draft.dev and dev)
        if not draft.line:
            draft.line = line
        if not draft.requirement and requirement:
            draft.requirement = redact_url(requirement)
        if not draft.license:
            draft.license = license
        return key

    def has(self, key: str) -> bool:
        return key in self._drafts

    def depends(self, parent: str, child: str) -> None:
        if parent != child:
            self._edges[(parent, child)] = None

    def root(self, child: str, *, dev: bool = False) -> None:
        """The project depends on ``child`` directly (as a dev dependency when ``dev``)."""
        self._edges[("", child)] = None
        self._root_dev[child] = self._root_dev.get(child, True) and dev

    def build(self) -> PackageManifest:
        children: dict[str, list[str]] = {}
        for parent, child in self._edges:
            children.setdefault(parent, []).append(child)
        runtime = _reach([c for c, d in self._root_dev.items() if not d], children)
        dev_reach = _reach([c for c, d in self._root_dev.items() if d], children)
        packages = []
        for key, d in self._drafts.items():
            dev = d.dev if d.dev is not None else (key not in runtime and key in dev_reach)
            packages.append(
                Package(
                    ecosystem=d.ecosystem,
                    name=d.name,
                    version=d.version,
                    purl=purl_for(d.ecosystem, d.name, d.version if d.pinned else ""),
                    manifest=d.manifest,
                    direct=d.direct or key in self._root_dev,
                    dev=dev,
                    pinned=d.pinned,
                    line=d.line,
                    license=d.license,
                    requirement=d.requirement,
                )
            )
        packages.sort(key=lambda p: (p.name, p.version, p.ecosystem))
        edges = [
            DependencyEdge(p, c) for p, c in sorted(self._edges) if (p == "" or p in self._drafts) and c in self._drafts
        ]
        return PackageManifest(
            self.path,
            self.format,
            self.ecosystem,
            tuple(packages),
            tuple(edges),
            self.is_lockfile,
            confirms_only=self.confirms_only,
            name=self.name,
        )


def _reach(starts: list[str], children: dict[str, list[str]]) -> set[str]:
    seen = set(starts)
    queue = deque(starts)
    while queue:
        for child in children.get(queue.popleft(), ()):
            if child not in seen:
                seen.add(child)
                queue.append(child)
    return seen
