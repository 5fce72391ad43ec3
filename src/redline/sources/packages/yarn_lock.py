"""``yarn.lock``: classic (v1, its own indented format) and berry (v2+, YAML with ``__metadata``).

Each entry is keyed by the descriptors (``name@range``) it satisfies; a package's
``dependencies`` name descriptors, which gives the edges. Aliases (``alias@npm:real@range``)
are reported under the real name. Berry ``workspace:`` entries are the project and
its members: their dependencies are the direct ones. The lock records no dev flag: the
``package.json`` beside it (when present) tells which roots are ``devDependencies`` and,
for classic (which has no root entry), exactly which entries are direct; without it,
classic entries nobody depends on are taken as direct. ``file:``, ``link:``,
``portal:``, ``patch:`` and git sources keep their version and carry the source.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from redline.core.packages import PackageManifest
from redline.core.workspace import FileText
from redline.sources.interface import SourceError
from redline.sources.packages.common import ManifestBuilder, expect_dict, load_yaml
from redline.sources.packages.interface import ManifestParser
from redline.sources.packages.siblings import DeclaredDeps, package_json_beside


@dataclass
class _Entry:
    descriptors: list[str]
    line: int
    fields: dict[str, str] = field(default_factory=dict)
    dependencies: dict[str, str] = field(default_factory=dict)


class YarnLockParser(ManifestParser):
    name = "yarn-lock"
    file_names = ("yarn.lock",)

    def parse_manifest(self, text: FileText) -> PackageManifest:
        if re.search(r"^__metadata:", text.text, re.M):
            return self._berry(text)
        if re.search(r"^# yarn lockfile v1", text.text, re.M) or re.search(r"^\S.*:\s*$", text.text, re.M):
            return self._classic(text)
        if not any(line.strip() and not line.startswith("#") for line in text.lines):
            b = ManifestBuilder(text.file.path, "yarn.lock v1", "npm")
            return b.build()  # only comments: a lockfile with no packages
        raise SourceError("neither a classic (v1) nor a berry yarn.lock")

    # ------------------------------------------------------------------ classic
    def _classic(self, text: FileText) -> PackageManifest:
        entries = parse_classic(text.lines)
        b = ManifestBuilder(text.file.path, "yarn.lock v1", "npm")
        by_descriptor: dict[str, str] = {}
        keyed: list[tuple[str, _Entry]] = []
        for entry in entries:
            if not entry.descriptors:  # a header line that names nothing, e.g. `:` or `"":`
                raise SourceError(f"line {entry.line}: entry without a package name")
            name, _range = split_descriptor(entry.descriptors[0])
            version = entry.fields.get("version", "")
            if not version:
                raise SourceError(f"line {entry.line}: entry {entry.descriptors[0]!r} has no version")
            if _range.startswith("npm:"):
                name = split_descriptor(_range[4:])[0]
            resolved = entry.fields.get("resolved", "")
            source = "" if _is_registry(resolved) else resolved
            key = b.add(name, version, line=entry.line, requirement=source)
            for d in entry.descriptors:
                by_descriptor[d] = key
            keyed.append((key, entry))
        declared = package_json_beside(text)
        if declared is not None:  # the project's package.json says exactly which entries are direct
            _link(b, keyed, by_descriptor, lambda n, r: f"{n}@{r}", roots=[], declared=declared)
        else:
            _link(b, keyed, by_descriptor, lambda n, r: f"{n}@{r}")
        return b.build()

    # ------------------------------------------------------------------ berry
    def _berry(self, text: FileText) -> PackageManifest:
        data = load_yaml(text.text)
        if not isinstance(data, dict):
            raise SourceError("a berry yarn.lock must be a YAML mapping")
        meta = expect_dict(data.get("__metadata"), "__metadata")
        b = ManifestBuilder(text.file.path, f"yarn.lock berry (v{meta.get('version', '?')})", "npm")
        by_descriptor: dict[str, str] = {}
        keyed: list[tuple[str, _Entry]] = []
        workspaces: list[_Entry] = []
        lines = text.lines
        line_index = {ln.rstrip(":").strip('"'): i + 1 for i, ln in enumerate(lines) if ln and not ln[0].isspace()}
        for raw_key, raw in data.items():
            if raw_key == "__metadata":
                continue
            body = expect_dict(raw, f"entry {raw_key!r}")
            descriptors = [d.strip() for d in str(raw_key).split(",")]
            deps = {str(k): str(v) for k, v in expect_dict(body.get("dependencies"), "dependencies").items()}
            entry = _Entry(descriptors, line_index.get(str(raw_key), 0), {}, deps)
            resolution = str(body.get("resolution", ""))
            if not resolution:
                raise SourceError(f"entry {raw_key!r} has no resolution")
            real_name, protocol_ref = split_descriptor(resolution)
            if protocol_ref.startswith("workspace:"):
                workspaces.append(entry)
                for d in descriptors:
                    by_descriptor[_berry_norm(d)] = ""
                continue
            version = str(body.get("version", ""))
            if not version:
                raise SourceError(f"entry {raw_key!r} has no version")
            source = "" if protocol_ref.startswith("npm:") else protocol_ref
            key = b.add(real_name, version, line=entry.line, requirement=source)
            for d in descriptors:
                by_descriptor[_berry_norm(d)] = key
            keyed.append((key, entry))
        _link(
            b,
            keyed,
            by_descriptor,
            lambda n, r: _berry_norm(f"{n}@{r}"),
            roots=workspaces,
            declared=package_json_beside(text),
        )
        return b.build()


def _berry_norm(descriptor: str) -> str:
    """``name@^1`` and ``name@npm:^1`` are the same descriptor in berry."""
    name, rng = split_descriptor(descriptor)
    if rng and not re.match(r"^[a-z]+:", rng) and "/" not in rng:
        rng = "npm:" + rng
    return f"{name}@{rng}"


def _link(
    b: ManifestBuilder,
    keyed: list[tuple[str, _Entry]],
    by_descriptor: dict[str, str],
    make: Any,
    *,
    roots: list[_Entry] | None = None,
    declared: DeclaredDeps | None = None,
) -> None:
    """Edges between entries, then the roots: workspace entries (berry), the package.json beside the
    lockfile (its ``devDependencies`` are dev roots), or else entries nobody depends on."""
    required: set[str] = set()
    for key, entry in keyed:
        for dep, rng in entry.dependencies.items():
            child = by_descriptor.get(make(dep, rng))
            if child:
                b.depends(key, child)
                required.add(child)
    dev_names = _declared_roots(b, by_descriptor, make, declared)
    if roots:
        for ws in roots:
            for dep, rng in ws.dependencies.items():
                child = by_descriptor.get(make(dep, rng))
                if child:
                    b.root(child, dev=dep in dev_names)
        return
    if roots is not None:
        return
    for key, _entry in keyed:
        if key not in required:
            b.root(key)


def _declared_roots(
    b: ManifestBuilder, by_descriptor: dict[str, str], make: Any, declared: DeclaredDeps | None
) -> set[str]:
    """Roots from the package.json beside the lockfile; returns the names it declares as dev."""
    if declared is None:
        return set()
    for table, dev in ((declared.runtime, False), (declared.dev, True)):
        for dep, rng in table.items():
            child = by_descriptor.get(make(dep, rng))
            if child:
                b.root(child, dev=dev)
    return set(declared.dev)


def _is_registry(resolved: str) -> bool:
    """npm-style registry tarballs (``…/name/-/name-1.0.0.tgz``, any host) are not a custom source."""
    return not resolved or ("/-/" in resolved and ".tgz" in resolved)


def split_descriptor(descriptor: str) -> tuple[str, str]:
    """``@scope/name@range`` -> (``@scope/name``, ``range``); no ``@`` -> (name, "")."""
    at = descriptor.find("@", 1)
    if at < 0:
        return descriptor, ""
    return descriptor[:at], descriptor[at + 1 :]


def _unquote(value: str) -> str:
    value = value.strip()
    if len(value) >= 2 and value[0] == value[-1] == '"':
        return value[1:-1].replace('\\"', '"')
    return value


def _split_pair(line: str) -> tuple[str, str]:
    """``key value`` where either side may be quoted."""
    line = line.strip()
    if line.startswith('"'):
        end = line.find('"', 1)
        while end > 0 and line[end - 1] == "\\":
            end = line.find('"', end + 1)
        if end < 0:
            raise ValueError("unterminated quote")
        return line[1:end], _unquote(line[end + 1 :])
    key, _, value = line.partition(" ")
    return key.rstrip(":"), _unquote(value)


def parse_classic(lines: list[str]) -> list[_Entry]:
    """Read the classic format: unindented ``descriptors:`` headers, 2-space fields,
    4-space entries under ``dependencies:``/``optionalDependencies:``."""
    entries: list[_Entry] = []
    current: _Entry | None = None
    section = ""
    for number, raw in enumerate(lines, start=1):
        if not raw.strip() or raw.lstrip().startswith("#"):
            continue
        indent = len(raw) - len(raw.lstrip(" "))
        line = raw.strip()
        if indent == 0:
            if not line.endswith(":"):
                raise SourceError(f"line {number}: expected an entry header ending in ':'")
            descriptors = [_unquote(d) for d in line[:-1].split(",")]
            current = _Entry([d.strip() for d in descriptors if d.strip()], number)
            entries.append(current)
            section = ""
            continue
        if current is None:
            raise SourceError(f"line {number}: indented line outside any entry")
        try:
            if indent == 2:
                if line.endswith(":"):
                    section = _unquote(line[:-1])
                    continue
                section = ""
                key, value = _split_pair(line)
                current.fields[key] = value
            elif indent >= 4 and section in ("dependencies", "optionalDependencies"):
                key, value = _split_pair(line)
                current.dependencies[key] = value
        except ValueError as exc:
            raise SourceError(f"line {number}: {exc}") from None
    return entries
