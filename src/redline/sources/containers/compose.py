"""docker-compose projects: files merged by service name, ``.env`` interpolated.

Which files form a project (per directory), following ``docker compose``:

- the base file is the first of ``compose.yaml``, ``compose.yml``,
  ``docker-compose.yaml``, ``docker-compose.yml``; ``compose.override.y(a)ml``
  or ``docker-compose.override.y(a)ml`` beside it is merged on top, as
  ``docker compose`` does without ``-f``;
- every other compose file in that directory (``docker-compose.prod.yml``, also
  ``docker-compose-prod.yml``) is read as ``-f base -f that-file``: one more project variant. A problem the
  base defines shows up once (findings are de-duplicated by fingerprint);
- a directory without a base file: each compose file is its own project; so is a second
  base-named file (``docker compose`` would pick ``compose.yaml`` and ignore it).

Merging (the Compose Specification's rules): mappings merge key by key, the
later file wins on scalars; ``ports``, ``expose``, ``volumes``, ``cap_add``,
``cap_drop``, ``security_opt``, ``dns``, ``devices``, ``env_file``,
``secrets``, ``configs`` and ``tmpfs`` are concatenated without duplicates;
other sequences (``command``, ``entrypoint``, ``healthcheck.test``) are
replaced. ``environment`` and ``labels`` in list form (``["K=V"]``) become
mappings first. ``extends`` and ``include`` are not followed.

Interpolation uses the ``.env`` file of the project directory only (never the
auditor's own environment): ``$VAR``, ``${VAR}``, ``${VAR:-default}``,
``${VAR-default}``, ``${VAR:+alt}``, ``${VAR+alt}``, ``${VAR:?msg}``,
``${VAR?msg}``; ``$$`` is a literal ``$``. An unset variable becomes "" as
compose does, and is listed in ``unset_variables``.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Any

from redline.core.model import ToolError
from redline.core.suppress import parse_suppressions
from redline.sources.containers.yamlsafe import LineMap, YamlError, load_documents
from redline.sources.interface import ProjectContext, ProjectOutput, ProjectSource

BASE_NAMES = ("compose.yaml", "compose.yml", "docker-compose.yaml", "docker-compose.yml")
OVERRIDE_NAMES = ("compose.override.yaml", "compose.override.yml",
                  "docker-compose.override.yaml", "docker-compose.override.yml")
_APPEND_KEYS = frozenset({"ports", "expose", "volumes", "cap_add", "cap_drop", "security_opt", "dns",
                          "devices", "env_file", "secrets", "configs", "tmpfs", "dns_search", "external_links"})
_VAR_RE = re.compile(r"\$(\$|\{([A-Za-z_][A-Za-z0-9_]*)(?:(:?[-+?])((?:[^{}]|\{[^{}]*\})*))?\}"
                     r"|([A-Za-z_][A-Za-z0-9_]*))")
#: ``docker-compose-prod.yml``, ``compose-dev.yaml``: named like compose files but not matched by file kinds
_COMPOSE_NAME_RE = re.compile(r"^(docker-)?compose-[\w.-]+\.ya?ml$", re.IGNORECASE)
_DOTENV_RE = re.compile(r"^\s*(?:export\s+)?([A-Za-z_][A-Za-z0-9_.-]*)\s*=\s*(.*)$")


@dataclass(frozen=True)
class ComposeService:
    """One service after merging. ``blocks`` maps each file that defines it to its (first, last) line."""

    name: str
    body: Mapping[str, Any]
    blocks: Mapping[str, tuple[int, int]]
    origins: Mapping[str, str]  # top-level key -> the file whose value won
    directory: str
    layers: tuple[tuple[str, Mapping[str, Any]], ...] = ()  # (file, its interpolated service body), merge order

    @property
    def profiles(self) -> tuple[str, ...]:
        raw = self.body.get("profiles")
        return tuple(str(p) for p in raw) if isinstance(raw, list) else ()

    def origin(self, key: str | None = None, entry: Any = None) -> tuple[str, int, int]:
        """(path, first line, last line) of the service block that set ``key`` — or that contributed
        ``entry`` to a concatenated list; with no key, the first file that defines the service
        (where a missing setting belongs)."""
        path = self.origins.get(key, "") if key else ""
        if key and entry is not None:
            path = next((p for p, body in reversed(self.layers)
                         if isinstance(body.get(key), list) and entry in body[key]), path)
        if not path:
            path = next(iter(self.blocks))
        first, last = self.blocks[path]
        return path, first, last

    @property
    def environment(self) -> dict[str, str]:
        return _env_map(self.body.get("environment"))


@dataclass(frozen=True)
class ComposeProject:
    directory: str  # relative, "" for the root
    files: tuple[str, ...]  # in merge order
    services: tuple[ComposeService, ...]
    unset_variables: tuple[str, ...] = field(default=())


def parse_dotenv(text: str) -> dict[str, str]:
    """``KEY=value`` lines; quotes removed, ``#`` comments after unquoted values dropped."""
    out: dict[str, str] = {}
    for line in text.splitlines():
        m = _DOTENV_RE.match(line)
        if not m:
            continue
        key, value = m.group(1), m.group(2).strip()
        if value[:1] in ("'", '"') and value[-1:] == value[:1] and len(value) >= 2:
            value = value[1:-1]
        else:
            value = re.split(r"\s+#", value, maxsplit=1)[0].strip()
        out[key] = value
    return out


def interpolate(text: str, env: Mapping[str, str], unset: set[str]) -> str:
    def repl(m: re.Match[str]) -> str:
        if m.group(1) == "$":
            return "$"
        name = m.group(2) or m.group(5)
        op, word = m.group(3), m.group(4) or ""
        value = env.get(name)
        if op in (":-", "-"):
            if value is None or (op == ":-" and value == ""):
                return interpolate(word, env, unset)
            return value
        if op in (":+", "+"):
            return interpolate(word, env, unset) if value is not None and (op == "+" or value) else ""
        if value is None:
            unset.add(name)
            return ""
        return value

    return _VAR_RE.sub(repl, text)


def _interpolate_tree(value: Any, env: Mapping[str, str], unset: set[str]) -> Any:
    if isinstance(value, str):
        return interpolate(value, env, unset) if "$" in value else value
    if isinstance(value, LineMap):
        out = LineMap(value.line, value.end_line, value.key_line)
        for k, v in value.items():
            out[k] = _interpolate_tree(v, env, unset)
        return out
    if isinstance(value, dict):
        return {k: _interpolate_tree(v, env, unset) for k, v in value.items()}
    if isinstance(value, list):
        return [_interpolate_tree(v, env, unset) for v in value]
    return value


def _env_map(raw: Any) -> dict[str, str]:
    if isinstance(raw, Mapping):
        return {str(k): "" if v is None else str(v) for k, v in raw.items()}
    if isinstance(raw, list):
        out: dict[str, str] = {}
        for item in raw:
            key, _, val = str(item).partition("=")
            out[key] = val
        return out
    return {}


def _normalise(service: Mapping[str, Any]) -> dict[str, Any]:
    out = dict(service)
    for key in ("environment", "labels"):
        if isinstance(out.get(key), list):
            out[key] = _env_map(out[key])
    return out


def merge(base: Mapping[str, Any], over: Mapping[str, Any]) -> dict[str, Any]:
    out = dict(base)
    for key, value in over.items():
        old = out.get(key)
        if isinstance(old, Mapping) and isinstance(value, Mapping):
            out[key] = merge(old, value)
        elif key in _APPEND_KEYS and isinstance(old, list) and isinstance(value, list):
            out[key] = old + [v for v in value if v not in old]
        else:
            out[key] = value
    return out


def _services_of(doc: Any) -> Mapping[str, Any] | None:
    if not isinstance(doc, Mapping):
        return None
    services = doc.get("services")
    if isinstance(services, Mapping):
        return services
    if "version" not in doc and doc and all(isinstance(v, Mapping) and ("image" in v or "build" in v)
                                            for v in doc.values()):
        return doc  # compose file format v1: services at the top level
    return None


class ComposeSource(ProjectSource):
    name = "compose"
    produces = ComposeProject

    def collect(self, ctx: ProjectContext) -> ProjectOutput:
        by_dir: dict[str, list[str]] = {}
        for f in ctx.files:
            if f.kind == "compose" or (f.kind == "yaml" and _COMPOSE_NAME_RE.match(PurePosixPath(f.path).name)):
                parent = str(PurePosixPath(f.path).parent)
                by_dir.setdefault("" if parent == "." else parent, []).append(f.path)
        out = ProjectOutput([], [], [])
        for directory, paths in sorted(by_dir.items()):
            self._directory(ctx.root, directory, sorted(paths), out)
        return out

    def _directory(self, root: Path, directory: str, paths: list[str], out: ProjectOutput) -> None:
        env = _read_dotenv(root / directory / ".env")
        loaded: dict[str, Mapping[str, Any]] = {}
        for path in paths:
            services = self._load(root, path, env, out)
            if services is not None:
                loaded[path] = services
        names = {PurePosixPath(p).name.lower(): p for p in loaded}
        base = next((names[n] for n in BASE_NAMES if n in names), None)
        override = next((names[n] for n in OVERRIDE_NAMES if n in names), None)
        groups: list[list[str]]
        if base is None:
            groups = [[p] for p in loaded]
        else:
            groups = [[base, override] if override else [base]]
            for p in loaded:
                if p in (base, override):
                    continue
                # a second base-named file (compose.yaml beside docker-compose.yml) is its own project
                groups.append([p] if PurePosixPath(p).name.lower() in BASE_NAMES + OVERRIDE_NAMES else [base, p])
        for group in groups:
            out.facts.append(self._project(directory, group, loaded, env))

    def _load(self, root: Path, path: str, env: Mapping[str, str], out: ProjectOutput) -> Mapping[str, Any] | None:
        try:
            text = (root / path).read_text(encoding="utf-8", errors="replace")
        except OSError as exc:
            out.errors.append(ToolError(path, f"compose: cannot read: {exc.strerror}", stage="read"))
            return None
        supp = parse_suppressions(path, text)  # compose files are read here, not in the workers
        if supp is not None:
            out.facts.append(supp)
        try:
            docs = list(load_documents(text))
        except YamlError as exc:
            out.errors.append(ToolError(path, f"compose: {exc}", stage="parse"))
            return None
        services = _services_of(docs[0].value) if docs else None
        if services is None:
            if docs and docs[0].value:
                out.errors.append(ToolError(path, "compose: no 'services' mapping found", stage="parse"))
            return None
        return services

    def _project(self, directory: str, group: list[str], loaded: Mapping[str, Mapping[str, Any]],
                 env: Mapping[str, str]) -> ComposeProject:
        unset: set[str] = set()
        merged: dict[str, dict[str, Any]] = {}
        blocks: dict[str, dict[str, tuple[int, int]]] = {}
        origins: dict[str, dict[str, str]] = {}
        layers: dict[str, list[tuple[str, Mapping[str, Any]]]] = {}
        for path in group:
            for name, raw in loaded[path].items():
                if not isinstance(raw, Mapping):
                    continue
                svc = _normalise(_interpolate_tree(raw, env, unset))
                merged[name] = merge(merged.get(name, {}), svc)
                layers.setdefault(name, []).append((path, svc))
                line = raw.key_line if isinstance(raw, LineMap) else 0
                end = raw.end_line if isinstance(raw, LineMap) else 0
                blocks.setdefault(name, {})[path] = (line, end)
                for key in svc:
                    origins.setdefault(name, {})[key] = path
        services = tuple(ComposeService(n, merged[n], blocks[n], origins.get(n, {}), directory, tuple(layers[n]))
                         for n in sorted(merged))
        return ComposeProject(directory, tuple(group), services, tuple(sorted(unset)))


def _read_dotenv(path: Path) -> dict[str, str]:
    try:
        return parse_dotenv(path.read_text(encoding="utf-8", errors="replace"))
    except OSError:
        return {}
