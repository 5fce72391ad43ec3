"""JS/TS modules that only browser code imports: umami's ``src/lib/fetch.ts`` is a plain ``.ts`` helper whose
every importer is a React hook, so its ``fetch`` runs in the browser (bounded by the user and the page), not
on a server. RES200 judges server-side calls; such a helper is left alone like the browser modules themselves.

A module counts when browser code reaches it through imports and every importer is a browser module or, in
turn, imported only by browser modules (helpers importing each other included). A module nothing imports (an API
route, a script, an entry point) and one imported by any server module are judged as before."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass

from redline.sources.code.model import CodeIndex
from redline.sources.code.treesitter.jsnames import module_id
from redline.sources.code.tspaths import PathAliases


@dataclass(frozen=True)
class ModuleImports:
    """One JS/TS module of the project: its id, what it imports, whether it runs in a browser itself."""

    module: str
    targets: tuple[str, ...]
    browser: bool
    path: str = ""  # the file: which tsconfig's path aliases its imports go through


def module_imports(index: CodeIndex, *, browser: bool) -> ModuleImports:
    return ModuleImports(module_id(index.path), tuple(sorted({t for _, t in index.imports})), browser, index.path)


def browser_only(modules: Sequence[ModuleImports], aliases: PathAliases | None = None) -> frozenset[str]:
    """The module ids that run only in browsers: browser modules, and those only they import (transitively). An
    import through a tsconfig path alias (``@/lib/utils``) is resolved by the importer's config when it maps one."""
    resolve = _Resolver({m.module for m in modules})
    ids = frozenset(m.module for m in modules)
    importers: dict[str, set[str]] = defaultdict(set)
    for m in modules:
        for target in m.targets:
            found = resolve((aliases.resolve(m.path, target, ids) if aliases is not None else None) or target)
            if found is not None and found != m.module:
                importers[found].add(m.module)
    browser = {m.module for m in modules if m.browser}
    # the modules browser code reaches through its imports, each a candidate; a candidate any other module imports
    # is dropped, until none is: so helpers that import each other (redash's services/axios and services/auth) count
    # when only browser code imports them from outside, which a fixpoint growing from the browser modules never saw
    imports: dict[str, set[str]] = defaultdict(set)
    for found, by in importers.items():
        for importer in by:
            imports[importer].add(found)
    reached, todo = set(browser), list(browser)
    while todo:
        for found in imports[todo.pop()] - reached:
            reached.add(found)
            todo.append(found)
    only = reached
    dropped = True
    while dropped:  # each round drops at least one module, so at most len(modules) rounds
        gone = {m for m in only - browser if not importers[m] <= only}
        only -= gone
        dropped = bool(gone)
    return frozenset(only)


class _Resolver:
    """The project module an import target names: a module id (relative imports are resolved by the index),
    with or without an imported member (``src/lib/fetch.httpGet``), or a path alias (``@/lib/fetch``,
    ``~/lib/fetch``) that ends exactly one module id."""

    def __init__(self, ids: set[str]) -> None:
        self.ids = ids
        self.by_suffix: dict[str, list[str]] = defaultdict(list)
        for mid in ids:
            parts = mid.split("/")
            for i in range(1, len(parts)):
                self.by_suffix["/".join(parts[i:])].append(mid)

    def __call__(self, target: str) -> str | None:
        for candidate in (target, target.rpartition(".")[0]):
            if not candidate:
                continue
            if candidate in self.ids:
                return candidate
            if candidate.startswith(("@", "~", "#")) and "/" in candidate:
                found = self.by_suffix.get(candidate.split("/", 1)[1], [])
                if len(found) == 1:
                    return found[0]
        return None
