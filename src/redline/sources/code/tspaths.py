"""TypeScript path aliases: what ``import x from "@server/routes/settings"`` names when the nearest
``tsconfig.json``/``jsconfig.json`` maps ``"@server/*"`` to a folder of the project (``compilerOptions.paths``,
relative to ``baseUrl``, else to the config's folder, as the TypeScript compiler resolves them).

The code index records such an import as written (a file is indexed alone, cached by its content); the entry
points read the project, so they resolve it here before mounting one module's router in another. Without it
overseerr's ``router.use("/settings", isAuthenticated(Permission.ADMIN), settingsRoutes)`` mounted nothing and
its 38 admin settings routes read as open."""

from __future__ import annotations

import posixpath
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace

from redline.core.model import Skipped
from redline.core.thirdparty import in_third_party_dir
from redline.core.workspace import SourceFile, read_file
from redline.sources.code.model import Assignment, CodeIndex
from redline.sources.code.treesitter.jsnames import module_id
from redline.sources.interface import ProjectContext, ProjectOutput, ProjectSource, SourceError
from redline.sources.packages.jsonc import load_jsonc

CONFIG_NAMES = frozenset({"tsconfig.json", "jsconfig.json"})
#: how many ``extends`` a config's paths are looked for through
_EXTENDS_DEPTH = 4
_JS_LANGUAGES = frozenset({"javascript", "typescript", "tsx"})
#: how a re-export's module specifier through an alias starts (a local name never does)
_ALIAS_STARTS = ("@", "~", "#")


@dataclass(frozen=True)
class Alias:
    """One ``paths`` entry: ``"@server/*": ["../server/*"]`` with the targets made root-relative."""

    prefix: str  # the pattern up to its ``*`` (the whole pattern when it has none)
    wildcard: bool
    targets: tuple[str, ...]  # root-relative, up to their ``*``

    def candidates(self, written: str) -> list[tuple[str, str]]:
        """(file path without extension, imported name) pairs ``written`` may stand for, in the order the
        compiler tries them: the whole text as a path, then its last ``.name`` as a named import."""
        if self.wildcard and written.startswith(self.prefix):
            rest = written[len(self.prefix) :]
            head, dot, name = rest.rpartition(".")
            splits = [(rest, ""), *([(head, name)] if dot and head else [])]
        elif written == self.prefix:
            splits = [("", "")]
        elif written.startswith(self.prefix + "."):
            splits = [("", written[len(self.prefix) + 1 :])]
        else:
            return []
        return [(target + path, member) for path, member in splits for target in self.targets]


@dataclass(frozen=True)
class PathAliases:
    """The aliases of each folder holding a config, longest prefix first."""

    by_folder: Mapping[str, tuple[Alias, ...]]

    def resolve(self, importer: str, written: str, modules: frozenset[str]) -> str | None:
        """The module id (and imported name after a dot) that ``written`` (an import as the index holds it:
        the specifier, then ``.name`` for a named import) refers to, or None when no alias of the importer's
        nearest config matches a module of the project."""
        for alias in self._nearest(importer):
            for path, member in alias.candidates(written):
                module = module_id(posixpath.normpath(path)) if path else ""
                if module in modules:
                    return f"{module}.{member}" if member else module
        return None

    def _nearest(self, importer: str) -> tuple[Alias, ...]:
        folder = posixpath.dirname(importer)
        while True:
            if folder in self.by_folder:
                return self.by_folder[folder]
            if not folder:
                return ()
            folder = posixpath.dirname(folder)


def read_aliases(files: Iterable[SourceFile]) -> tuple[PathAliases, list[Skipped]]:
    """The ``paths`` of every ``tsconfig.json``/``jsconfig.json`` of the walk (third-party folders left out),
    following ``extends`` to a config of the tree when the file has none of its own; a config that cannot be read
    is not covered, with the reason."""
    configs: dict[str, dict[str, object]] = {}
    unread: list[Skipped] = []
    for file in files:
        if posixpath.basename(file.path) not in CONFIG_NAMES or in_third_party_dir(file.path):
            continue
        try:
            parsed = load_jsonc(read_file(file).text)
        except SourceError as exc:
            unread.append(Skipped(file.path, f"path aliases not read: {exc}"))
            continue
        if isinstance(parsed, dict):
            configs[file.path] = parsed
    by_folder: dict[str, tuple[Alias, ...]] = {}
    for path in configs:
        aliases = _aliases_of(path, configs)
        if aliases:
            by_folder[posixpath.dirname(path)] = tuple(sorted(aliases, key=lambda a: -len(a.prefix)))
    return PathAliases(by_folder), unread


def _aliases_of(path: str, configs: Mapping[str, Mapping[str, object]]) -> list[Alias]:
    for _ in range(_EXTENDS_DEPTH):
        config = configs.get(path)
        if config is None:
            return []
        options = config.get("compilerOptions")
        options = options if isinstance(options, dict) else {}
        paths = options.get("paths")
        if isinstance(paths, dict):
            folder = posixpath.dirname(path)
            base_url = options.get("baseUrl")
            base = posixpath.join(folder, base_url) if isinstance(base_url, str) else folder
            return [a for pattern, targets in paths.items() if (a := _alias(base, pattern, targets)) is not None]
        extends = config.get("extends")
        if not isinstance(extends, str) or not extends.startswith("."):
            return []
        target = posixpath.normpath(posixpath.join(posixpath.dirname(path), extends))
        path = target if target.endswith(".json") else target + ".json"
    return []


def _alias(base: str, pattern: str, targets: object) -> Alias | None:
    """One ``paths`` entry with its targets root-relative; None for a shape the compiler rejects."""
    wildcard = pattern.endswith("*")
    if not isinstance(targets, list) or pattern.count("*") != int(wildcard):
        return None
    resolved = []
    for target in targets:
        if not isinstance(target, str) or target.count("*") != int(wildcard) or not target.endswith("*" * wildcard):
            continue
        joined = posixpath.normpath(posixpath.join(base, target.removesuffix("*")))
        joined = "" if joined == "." else joined
        # a wildcard's target is a folder the rest of the import is appended to
        resolved.append(joined + "/" if wildcard and joined else joined)
    return Alias(pattern.removesuffix("*"), wildcard, tuple(resolved)) if resolved else None


class PathAliasesSource(ProjectSource):
    """The project's path aliases, read once per run for every reader that resolves imports (the entry points, the
    browser-only helpers of the JS timeout checks)."""

    name = "path aliases"
    produces = PathAliases

    def collect(self, ctx: ProjectContext) -> ProjectOutput:
        aliases, unread = read_aliases(ctx.files)
        return ProjectOutput([aliases], [], unread)


def aliases_of(facts: Iterable[PathAliases]) -> PathAliases:
    """The run's aliases (none when the source did not run)."""
    return next(iter(facts), PathAliases({}))


def with_aliases(indexes: Sequence[CodeIndex], aliases: PathAliases) -> list[CodeIndex]:
    """The indexes with every JavaScript/TypeScript import written through an alias named by the module it
    resolves to, and every re-export from one (``export { auth as middleware } from "@/auth"``, whose value starts
    with the specifier: no local name starts with ``@``, ``~`` or ``#``); the others as they are."""
    if not aliases.by_folder:
        return list(indexes)
    modules = frozenset(module_id(i.path) for i in indexes if i.language in _JS_LANGUAGES)
    out = []
    for index in indexes:
        if index.language not in _JS_LANGUAGES:
            out.append(index)
            continue
        imports = tuple((local, aliases.resolve(index.path, q, modules) or q) for local, q in index.imports)
        assignments = tuple(_reexport(index.path, a, aliases, modules) for a in index.assignments)
        changed = imports != index.imports or assignments != index.assignments
        out.append(replace(index, imports=imports, assignments=assignments) if changed else index)
    return out


def _reexport(importer: str, assignment: Assignment, aliases: PathAliases, modules: frozenset[str]) -> Assignment:
    """``exports.x`` bound to ``@/auth.auth`` -> ``auth.auth`` when the alias names a module of the project."""
    value = assignment.values[0] if assignment.name.startswith("exports.") and assignment.values else None
    if not isinstance(value, str) or not value.startswith(_ALIAS_STARTS):
        return assignment
    resolved = aliases.resolve(importer, value, modules)
    return replace(assignment, values=(resolved, *assignment.values[1:])) if resolved else assignment
