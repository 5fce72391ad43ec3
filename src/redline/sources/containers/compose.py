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
  base-named file (``docker compose`` would pick ``compose.yaml`` and ignore it); an override
  file without its base is listed as not covered, never audited alone;
- names with ``_`` (``docker_compose.yml``) count; a Swarm stack file (``docker-stack.yml``,
  with ``deploy:`` keys) is a deployment of its own, never merged with the compose file beside it;
- compose files under ``vendor/``, ``third_party/``, ``node_modules/``… are third-party code, not
  part of the system: listed as not covered.

Merging (the Compose Specification's rules): mappings merge key by key, the
later file wins on scalars; ``ports``, ``expose``, ``volumes``, ``cap_add``,
``cap_drop``, ``security_opt``, ``dns``, ``devices``, ``env_file``,
``secrets``, ``configs`` and ``tmpfs`` are concatenated without duplicates;
other sequences (``command``, ``entrypoint``, ``healthcheck.test``) are
replaced. ``environment`` and ``labels`` in list form (``["K=V"]``) become
mappings first.

``extends`` (``extends: base`` in the same file, or ``{file: other.yml, service:
base}``) is followed: the base service's layers come first and the extending
service is merged on top with the same rules, so a value a finding reports
keeps the file and block that set it. Top-level ``include`` (a path, or
``{path: [...], project_directory, env_file}``) loads each entry as its own
model (its project directory, its ``.env``) after the files above are merged;
its services join the project, and a name clash is recorded (Compose warns and
does not merge them), keeping the including file's service. References are
followed only inside the audited root: a remote, absolute, escaping, missing
or cyclic reference is recorded as a per-file error and the run goes on. Each
file is read once per run, however many projects use it. An ``extends`` file
may be a fragment (services at its top level, as the Compose docs allow); it
is interpolated with the extending project's ``.env``, and its relative paths
are read relative to the project directory (the docs require that).

Interpolation uses the ``.env`` file of the project directory only (never the
auditor's own environment): ``$VAR``, ``${VAR}``, ``${VAR:-default}``,
``${VAR-default}``, ``${VAR:+alt}``, ``${VAR+alt}``, ``${VAR:?msg}``,
``${VAR?msg}``; ``$$`` is a literal ``$``. An unset variable becomes "" as
compose does, and is listed in ``unset_variables``.
"""

from __future__ import annotations

import posixpath
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Any

from redline.core.lazy_regex import lazy
from redline.core.model import Skipped, Stage, ToolError
from redline.core.suppress import parse_suppressions
from redline.core.thirdparty import THIRD_PARTY_DIRS, in_folder_named
from redline.sources.interface import ProjectContext, ProjectOutput, ProjectSource
from redline.sources.yamlsafe import LineMap, YamlError, load_documents

BASE_NAMES = ("compose.yaml", "compose.yml", "docker-compose.yaml", "docker-compose.yml")
OVERRIDE_NAMES = (
    "compose.override.yaml",
    "compose.override.yml",
    "docker-compose.override.yaml",
    "docker-compose.override.yml",
)
_APPEND_KEYS = frozenset(
    {
        "ports",
        "expose",
        "volumes",
        "cap_add",
        "cap_drop",
        "security_opt",
        "dns",
        "devices",
        "env_file",
        "secrets",
        "configs",
        "tmpfs",
        "dns_search",
        "external_links",
    }
)
_VAR_RE = lazy(
    r"\$(\$|\{([A-Za-z_][A-Za-z0-9_]*)(?:(:?[-+?])((?:[^{}]|\{[^{}]*\})*))?\}"
    r"|([A-Za-z_][A-Za-z0-9_]*))"
)
#: ``docker-compose-prod.yml``, ``compose-dev.yaml``, ``docker_compose.yml``: named like compose files but not
#: matched by file kinds
_COMPOSE_NAME_RE = lazy(r"^(docker[-_])?compose([-_][\w.-]+)?\.ya?ml$", re.IGNORECASE)
#: Swarm stack files (``docker stack deploy -c docker-stack.yml``): a deployment of their own, never an
#: override of the compose file beside them
_STACK_NAME_RE = lazy(r"^docker[-_]stack([-_.][\w.-]+)?\.ya?ml$", re.IGNORECASE)
#: other names Swarm stack files go by (``stack.yml``, ``traefik-stack.yml``, ``swarm.prod.yml``): read as a
#: stack when a service has a ``deploy:`` section, else left alone (Haskell's ``stack.yaml`` is no compose file)
_STACK_LIKE_RE = lazy(r"^(?:[\w.-]*[-_.])?(?:stack|swarm)(?:[-_.][\w.-]+)?\.ya?ml$", re.IGNORECASE)
_STACK_PEEK = 1_000_000
_SERVICES_LINE = lazy(r"(?m)^services:[ \t]*(?:#.*)?$")
_DEPLOY_LINE = lazy(r"(?m)^[ \t]+deploy:[ \t]*(?:#.*)?$")
#: third-party code checked into the tree (core.thirdparty's folders, and for compose files also ``external/``
#: and ``extern/``: checkouts of other projects, whose compose setups are theirs; the code index keeps them,
#: since an app's own adapters to external services live there too): not part of the audited system
_VENDORED = THIRD_PARTY_DIRS | frozenset({"external", "extern"})
#: ``extends`` and ``include`` chains deeper than this are cut (hostile input must not exhaust the stack)
MAX_DEPTH = 32
_DOTENV_RE = lazy(r"^\s*(?:export\s+)?([A-Za-z_][A-Za-z0-9_.-]*)\s*=\s*(.*)$")


def _vendored(path: str) -> bool:
    return in_folder_named(path, _VENDORED)


@dataclass(frozen=True)
class ComposeService:
    """One service after merging. ``blocks`` maps each file that defines it to its (first, last) line."""

    name: str
    body: Mapping[str, Any]
    blocks: Mapping[str, tuple[int, int]]
    origins: Mapping[str, str]  # top-level key -> the file whose value won
    directory: str
    layers: tuple[tuple[str, Mapping[str, Any]], ...] = ()  # (file, its interpolated service body), merge order
    spans: tuple[tuple[int, int], ...] = ()  # (first, last) line of each layer's block, parallel to ``layers``
    origin_layers: Mapping[str, int] = field(default_factory=dict)  # top-level key -> index of the winning layer
    layer_keys: tuple[Mapping[str, int], ...] = ()  # line of each key in each layer's block, parallel to ``layers``

    @property
    def build_directory(self) -> str | None:
        """The tree path of the build context its ``build:`` names ("." for the tree's root; None: no build, or a
        remote context)."""
        build = self.body.get("build")
        if isinstance(build, str):
            context = build
        elif isinstance(build, Mapping):
            context = str(build.get("context", "."))
        else:
            return None
        return None if "://" in context else posixpath.normpath(posixpath.join(self.directory, context))

    @property
    def dockerfile_path(self) -> str | None:
        """The tree path of the Dockerfile its ``build:`` names (None: no build, or a remote context). An absolute
        path is read from the tree's root: written ``$PWD/deploy/all-in-one/Dockerfile`` (baserow's
        ``deploy/all-in-one/docker-compose.yml``), it names a file under the directory compose runs from, which
        for a file naming paths under the tree from a sub-folder is the tree's root (``$PWD`` itself is unset here)."""
        directory = self.build_directory
        if directory is None:
            return None
        build = self.body.get("build")
        name = str(build.get("dockerfile", "Dockerfile")) if isinstance(build, Mapping) else "Dockerfile"
        if name.startswith("/"):
            return posixpath.normpath(name.lstrip("/"))
        return posixpath.normpath(posixpath.join(directory, name))

    @property
    def profiles(self) -> tuple[str, ...]:
        raw = self.body.get("profiles")
        return tuple(str(p) for p in raw) if isinstance(raw, list) else ()

    def origin(self, key: str | None = None, entry: Any = None) -> tuple[str, int, int]:
        """(path, first line, last line) of the service block that set ``key`` — or that contributed
        ``entry`` to a concatenated list; with no key, the first file that defines the service
        (where a missing setting belongs)."""
        index = self.origin_layers.get(key) if key else None
        if key and entry is not None:
            index = next(
                (
                    i
                    for i in reversed(range(len(self.layers)))
                    if isinstance(self.layers[i][1].get(key), list) and entry in self.layers[i][1][key]
                ),
                index,
            )
        if index is not None and index < len(self.spans):
            return self.layers[index][0], *self.spans[index]
        path = self.origins.get(key, "") if key else ""
        if not path:
            path = next(iter(self.blocks))
        first, last = self.blocks[path]
        return path, first, last

    def key_line(self, key: str | None, entry: Any = None) -> int:
        """The line of ``key`` in the block that set it (see ``origin``); the service's own line without a key."""
        path, first, _last = self.origin(key, entry)
        if key:
            for (layer_path, _body), (start, _end), keys in zip(self.layers, self.spans, self.layer_keys, strict=False):
                if layer_path == path and start == first and key in keys:
                    return keys[key]
        return first

    @property
    def environment(self) -> dict[str, str]:
        return _env_map(self.body.get("environment"))

    @property
    def partial(self) -> bool:
        """Sets neither ``image`` nor ``build`` once merged: Compose refuses to start it alone ("has neither an
        image nor a build context specified"). It is an overlay's fragment completing a service that a base file,
        named with ``-f`` elsewhere, defines (sourcegraph/deploy-sourcegraph-docker's ``dev/docker-compose.yaml``,
        passed by ``dev/run.sh`` after ``docker-compose/docker-compose.yaml``): what it leaves out, the base sets."""
        return "image" not in self.body and "build" not in self.body


@dataclass(frozen=True)
class ComposeProject:
    directory: str  # relative, "" for the root
    files: tuple[str, ...]  # in merge order
    services: tuple[ComposeService, ...]
    unset_variables: tuple[str, ...] = field(default=())
    included: tuple[str, ...] = field(default=())  # files brought in by ``include``, in load order
    #: the project directory's ``.env`` (values as written): ``environment: [VAR]`` without a value takes it
    dotenv: Mapping[str, str] = field(default_factory=dict)


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
            value = re.split(r"\s#", value, maxsplit=1)[0].strip()  # \s, not \s+: linear on long blanks
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
        out.key_lines.update(value.key_lines)
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
    if (
        "version" not in doc
        and doc
        and all(isinstance(v, Mapping) and ("image" in v or "build" in v) for v in doc.values())
    ):
        return doc  # compose file format v1: services at the top level
    return None


@dataclass(frozen=True)
class _File:
    """One compose file as loaded (not interpolated): its services and its raw top-level ``include``."""

    services: Mapping[str, Any] | None  # None: no ``services`` mapping (an ``extends`` fragment, or not compose)
    include: Any
    doc: Any  # the whole first document: ``extends`` may name a fragment file with services at its top level


@dataclass(frozen=True)
class _Unit:
    """Files merged into one model with their own project directory and ``.env`` (the project, or an include)."""

    directory: str
    files: tuple[str, ...]
    env: Mapping[str, str]


class ComposeSource(ProjectSource):
    name = "compose"
    produces = ComposeProject

    def collect(self, ctx: ProjectContext) -> ProjectOutput:
        by_dir: dict[str, list[str]] = {}
        stack_like: set[str] = set()
        out = ProjectOutput([], [], [])
        for f in ctx.files:
            name = f.path.rpartition("/")[2]  # the file name, without a path object per file of the tree
            maybe_stack = f.kind == "yaml" and bool(_STACK_LIKE_RE.match(name)) and not _STACK_NAME_RE.match(name)
            if not (
                f.kind == "compose"
                or (f.kind == "yaml" and (_COMPOSE_NAME_RE.match(name) or _STACK_NAME_RE.match(name)))
                or maybe_stack
            ):
                continue
            if maybe_stack:
                stack_like.add(f.path)
            if _vendored(f.path):
                out.skipped.append(Skipped(f.path, "vendored third-party compose file: not part of the audited system"))
                continue
            parent = str(PurePosixPath(f.path).parent)
            by_dir.setdefault("" if parent == "." else parent, []).append(f.path)
        run = _Run(ctx.root, out, stack_like)
        for directory, paths in sorted(by_dir.items()):
            run.directory(directory, sorted(paths))
        return out


class _Run:
    """One collect(): files read once (cached), notes recorded once, however many projects share them."""

    def __init__(self, root: Path, out: ProjectOutput, stack_like: set[str] | None = None) -> None:
        self.stack_like = stack_like or set()  # named like a stack file: read only when it is one
        self.root = root
        self.real_root = root.resolve()
        self.out = out
        self.cache: dict[str, _File | None] = {}
        self.noted: set[tuple[str, str]] = set()

    def note(self, where: str, reason: str) -> None:
        if (where, reason) not in self.noted:
            self.noted.add((where, reason))
            self.out.errors.append(ToolError(where, f"compose: {reason}", stage=Stage.PARSE))

    def directory(self, directory: str, paths: list[str]) -> None:
        env = _read_dotenv(self.root / directory / ".env")
        loaded: list[str] = []
        for path in paths:
            if path in self.stack_like and not self.is_stack(path):
                continue
            file = self.load(path)
            if file is not None and file.services is None and file.include is None:
                if file.doc:
                    self.out.errors.append(ToolError(path, "compose: no 'services' mapping found", stage=Stage.PARSE))
            elif file is not None:
                loaded.append(path)
        for group in self.groups(loaded):
            unset: set[str] = set()
            unit = _Unit(directory, tuple(group), env)
            services, included = self.unit(unit, unset, tuple(group), set())
            self.note_partial(services)
            self.out.facts.append(
                ComposeProject(
                    directory,
                    tuple(group),
                    tuple(services[n] for n in sorted(services)),
                    tuple(sorted(unset)),
                    tuple(included),
                    env,
                )
            )

    def note_partial(self, services: Mapping[str, ComposeService]) -> None:
        """List the overlay fragments (see ``ComposeService.partial``) as not covered, once per file: the settings
        they leave to a base file that is not beside them (limits, health) are not judged."""
        by_file: dict[str, list[str]] = {}
        for name in sorted(services):
            if services[name].partial:
                by_file.setdefault(services[name].origin(None)[0], []).append(name)
        for path, names in by_file.items():
            reason = (
                f"compose overlay: service(s) {', '.join(f'`{n}`' for n in names)} set neither image nor build (a base "
                "file named with -f elsewhere defines them): what they leave to it (limits, healthcheck) not judged"
            )
            if (path, reason) not in self.noted:
                self.noted.add((path, reason))
                self.out.skipped.append(Skipped(path, reason))

    def groups(self, loaded: list[str]) -> list[list[str]]:
        """The projects of one directory: the base (with its override), one ``-f base -f variant`` project per
        other compose file, a stack file alone; an override without a base is not audited alone."""
        names = {PurePosixPath(p).name.lower(): p for p in loaded}
        base = next((names[n] for n in BASE_NAMES if n in names), None)
        override = next((names[n] for n in OVERRIDE_NAMES if n in names), None)
        stacks = [p for p in loaded if _STACK_NAME_RE.match(PurePosixPath(p).name) or p in self.stack_like]
        groups: list[list[str]] = [[p] for p in stacks]
        if base is None:
            for p in loaded:
                if p == override:
                    self.out.skipped.append(
                        Skipped(
                            p,
                            "compose override file without its base file beside it: "
                            "merged with a base only, never audited alone",
                        )
                    )
                elif p not in stacks:
                    groups.append([p])
            return groups
        groups.insert(0, [base, override] if override else [base])
        for p in loaded:
            if p in (base, override) or p in stacks:
                continue
            # a second base-named file (compose.yaml beside docker-compose.yml) is its own project
            groups.append([p] if PurePosixPath(p).name.lower() in BASE_NAMES + OVERRIDE_NAMES else [base, p])
        return groups

    def is_stack(self, path: str) -> bool:
        """A Swarm stack file: a ``services`` mapping in which a service has a ``deploy`` section. Looked at
        as text first, so a file that is no compose file is never parsed (nor its errors reported) here."""
        try:
            with (self.root / path).open(encoding="utf-8", errors="replace") as handle:
                head = handle.read(_STACK_PEEK)
        except OSError:
            return False
        if not (_SERVICES_LINE.search(head) and _DEPLOY_LINE.search(head)):
            return False
        file = self.load(path)
        services = file.services if file is not None else None
        return isinstance(services, Mapping) and any(
            isinstance(v, Mapping) and isinstance(v.get("deploy"), Mapping) for v in services.values()
        )

    def load(self, path: str) -> _File | None:
        if path in self.cache:
            return self.cache[path]
        self.cache[path] = None
        try:
            text = (self.root / path).read_text(encoding="utf-8", errors="replace")
        except OSError as exc:
            self.out.errors.append(ToolError(path, f"compose: cannot read: {exc.strerror}", stage=Stage.READ))
            return None
        supp = parse_suppressions(path, text)  # compose files are read here, not in the workers
        if supp is not None:
            self.out.facts.append(supp)
        try:
            docs = list(load_documents(text))
        except YamlError as exc:
            self.out.errors.append(ToolError(path, f"compose: {exc}", stage=Stage.PARSE))
            return None
        doc = docs[0].value if docs else None
        include = doc.get("include") if isinstance(doc, Mapping) else None
        self.cache[path] = _File(_services_of(doc), include, doc)
        return self.cache[path]

    def ref(self, where: str, raw: Any, what: str, env: Mapping[str, str], *, directory: bool = False) -> str | None:
        """The root-relative path ``raw`` names (relative to ``where``'s directory), or ``None`` with a note
        when it is not a local file (or ``directory``) inside the audited root."""
        if not isinstance(raw, str) or not raw.strip():
            self.note(where, f"{what} path must be a non-empty string, got {raw!r}")
            return None
        ref = interpolate(raw, env, set()) if "$" in raw else raw
        if "://" in ref or ref.startswith(("git@", "oci:")):
            self.note(where, f"{what} `{ref}` is remote: not followed")
            return None
        if ref.startswith(("/", "\\", "~")) or re.match(r"^[A-Za-z]:[\\/]", ref):
            self.note(where, f"{what} `{ref}` is an absolute path outside the audited root: not followed")
            return None
        rel = posixpath.normpath(posixpath.join(posixpath.dirname(where), ref.replace("\\", "/")))
        if rel == ".." or rel.startswith("../"):
            self.note(where, f"{what} `{ref}` is outside the audited root: not followed")
            return None
        target = self.root / rel
        try:
            inside = target.resolve().is_relative_to(self.real_root)
            exists = target.is_dir() if directory else target.is_file()
        except (OSError, ValueError, RuntimeError) as exc:
            self.note(where, f"{what} `{ref}` cannot be followed: {exc}")
            return None
        if not inside:
            self.note(where, f"{what} `{ref}` leads outside the audited root (symlink): not followed")
            return None
        if not exists:
            self.note(where, f"{what} `{ref}` not found")
            return None
        return "" if rel == "." else rel

    def layers(
        self, path: str, name: str, env: Mapping[str, str], chain: tuple[tuple[str, str], ...]
    ) -> list[tuple[str, Mapping[str, Any]]] | None:
        """The raw blocks service ``name`` of ``path`` is made of, through ``extends``: bases first."""
        loaded = self.load(path)
        services = loaded.services if loaded and loaded.services is not None else loaded.doc if loaded else None
        raw = services.get(name) if isinstance(services, Mapping) else None
        if not isinstance(raw, Mapping):
            return None
        own = [(path, raw)]
        ext = raw.get("extends")
        if ext is None:
            return own
        target: str | None = path
        if isinstance(ext, str):
            base: Any = ext
        elif isinstance(ext, Mapping):
            base = ext.get("service")
            if ext.get("file") is not None:
                target = self.ref(path, ext.get("file"), f"service `{name}`: extends file", env)
        else:
            base = None
        if not isinstance(base, str) or not base:
            self.note(path, f"service `{name}`: extends needs a service name, got {ext!r}")
            return own
        if target is None:
            return own
        if len(chain) >= MAX_DEPTH:
            self.note(path, f"service `{name}`: extends chain deeper than {MAX_DEPTH}: not followed further")
            return own
        if (target, base) in chain:
            cycle = " -> ".join(f"{p}:{s}" for p, s in (*chain, (target, base)))
            self.note(path, f"extends cycle {cycle}: not followed")
            return own
        inherited = self.layers(target, base, env, (*chain, (target, base)))
        if inherited is None:
            self.note(path, f"service `{name}` extends `{base}`, which {target} does not define")
            return own
        return inherited + own

    def unit(
        self, unit: _Unit, unset: set[str], chain: tuple[str, ...], seen: set[tuple[str, ...]]
    ) -> tuple[dict[str, ComposeService], list[str]]:
        """Services of one model (its files merged, ``extends`` followed), then what its ``include`` adds.
        A model the project already included is not loaded again (diamond includes stay linear)."""
        services = self.merged(unit, unset)
        included: list[str] = []
        for where, sub in self.includes(unit, chain):
            if sub.files in seen:
                continue
            seen.add(sub.files)
            found, deeper = self.unit(sub, unset, (*chain, *sub.files), seen)
            included.extend((*sub.files, *deeper))
            for name, svc in found.items():
                if name in services:
                    self.note(
                        where,
                        f"include {', '.join(sub.files)}: service `{name}` is already defined; "
                        "Compose does not merge them: the included one is not audited",
                    )
                else:
                    services[name] = svc
        return services, included

    def merged(self, unit: _Unit, unset: set[str]) -> dict[str, ComposeService]:
        merged: dict[str, dict[str, Any]] = {}
        blocks: dict[str, dict[str, tuple[int, int]]] = {}
        origins: dict[str, dict[str, str]] = {}
        origin_layers: dict[str, dict[str, int]] = {}
        layers: dict[str, list[tuple[str, Mapping[str, Any]]]] = {}
        spans: dict[str, list[tuple[int, int]]] = {}
        keys: dict[str, list[Mapping[str, int]]] = {}
        for path in unit.files:
            loaded = self.load(path)
            for name, raw in (loaded.services or {} if loaded else {}).items():
                if not isinstance(raw, Mapping):
                    continue
                blocks.setdefault(name, {})[path] = _lines(raw)
                for layer_path, layer_raw in self.layers(path, name, unit.env, ((path, name),)) or []:
                    body = {k: v for k, v in layer_raw.items() if k != "extends"}
                    svc = _normalise(_interpolate_tree(body, unit.env, unset))
                    merged[name] = merge(merged.get(name, {}), svc)
                    index = len(layers.setdefault(name, []))
                    layers[name].append((layer_path, svc))
                    spans.setdefault(name, []).append(_lines(layer_raw))
                    keys.setdefault(name, []).append(
                        dict(layer_raw.key_lines) if isinstance(layer_raw, LineMap) else {}
                    )
                    for key in svc:
                        origins.setdefault(name, {})[key] = layer_path
                        origin_layers.setdefault(name, {})[key] = index
        return {
            n: ComposeService(
                n,
                merged[n],
                blocks[n],
                origins.get(n, {}),
                unit.directory,
                tuple(layers[n]),
                tuple(spans[n]),
                origin_layers.get(n, {}),
                tuple(keys[n]),
            )
            for n in merged
        }

    def includes(self, unit: _Unit, chain: tuple[str, ...]) -> list[tuple[str, _Unit]]:
        """(including file, included model) for each ``include`` entry of the unit's files that can be followed."""
        out: list[tuple[str, _Unit]] = []
        for path in unit.files:
            loaded = self.load(path)
            raw = loaded.include if loaded else None
            if raw is None:
                continue
            for entry in raw if isinstance(raw, list) else [raw]:
                sub = self.include_entry(path, entry, unit.env, chain)
                if sub is not None:
                    out.append((path, sub))
        return out

    def include_files(self, where: str, raw_paths: Any, env: Mapping[str, str], chain: tuple[str, ...]) -> list[str]:
        """The files one ``include`` entry names that can be followed (cycles and fragments noted)."""
        files: list[str] = []
        for raw in raw_paths if isinstance(raw_paths, list) else [raw_paths]:
            rel = self.ref(where, raw, "include", env)
            if rel is None:
                continue
            if rel in chain:
                self.note(where, f"include cycle {' -> '.join((*chain, rel))}: not followed")
                continue
            loaded = self.load(rel)
            if loaded is not None and loaded.services is None and loaded.include is None:
                self.note(where, f"include `{rel}` has no 'services' mapping: nothing included")
            elif loaded is not None:
                files.append(rel)
        return files

    def include_entry(self, where: str, entry: Any, env: Mapping[str, str], chain: tuple[str, ...]) -> _Unit | None:
        if isinstance(entry, str):
            entry = {"path": entry}
        if not isinstance(entry, Mapping):
            self.note(where, f"include entry must be a path or a mapping, got {entry!r}")
            return None
        if len(chain) >= MAX_DEPTH:
            self.note(where, f"include chain deeper than {MAX_DEPTH}: not followed further")
            return None
        files = self.include_files(where, entry.get("path"), env, chain)
        if not files:
            return None
        directory = posixpath.dirname(files[0])
        if entry.get("project_directory") is not None:
            chosen = self.ref(where, entry["project_directory"], "include project_directory", env, directory=True)
            if chosen is None:
                return None
            directory = chosen
        env_files = entry.get("env_file")
        sub_env: dict[str, str] = {}
        if env_files is None:
            sub_env = _read_dotenv(self.root / directory / ".env")
        for raw in env_files if isinstance(env_files, list) else [] if env_files is None else [env_files]:
            rel = self.ref(where, raw, "include env_file", env)
            if rel is not None:
                sub_env.update(_read_dotenv(self.root / rel))
        return _Unit(directory, tuple(files), sub_env)


def _lines(raw: Mapping[str, Any]) -> tuple[int, int]:
    return (raw.key_line, raw.end_line) if isinstance(raw, LineMap) else (0, 0)


def _read_dotenv(path: Path) -> dict[str, str]:
    try:
        return parse_dotenv(path.read_text(encoding="utf-8", errors="replace"))
    except OSError:
        return {}
