"""JS/TS modules that only browser code imports: umami's ``src/lib/fetch.ts`` is a plain ``.ts`` helper whose
every importer is a React hook, so its ``fetch`` runs in the browser (bounded by the user and the page), not
on a server. RES200 judges server-side calls; such a helper is left alone like the browser modules themselves.

A module counts when it has at least one importer in the project and every importer is a browser module or,
in turn, imported only by browser modules. A module nothing imports (an API route, a script, an entry point)
and one imported by any server module are judged as before."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass

from redline.sources.code.model import CodeIndex
from redline.sources.code.treesitter.jsnames import module_id


@dataclass(frozen=True)
class ModuleImports:
    """One JS/TS module of the project: its id, what it imports, whether it runs in a browser itself."""

    module: str
    targets: tuple[str, ...]
    browser: bool


def module_imports(index: CodeIndex, *, browser: bool) -> ModuleImports:
    return ModuleImports(module_id(index.path), tuple(sorted({t for _, t in index.imports})), browser)


def browser_only(modules: Sequence[ModuleImports]) -> frozenset[str]:
    """The module ids that run only in browsers: browser modules, and those only they import (transitively)."""
    resolve = _Resolver({m.module for m in modules})
    importers: dict[str, set[str]] = defaultdict(set)
    for m in modules:
        for target in m.targets:
            found = resolve(target)
            if found is not None and found != m.module:
                importers[found].add(m.module)
    browser = {m.module for m in modules if m.browser}
    grown = True
    while grown:  # a fixpoint: each round adds at least one module, so at most len(modules) rounds
        added = {m for m, by in importers.items() if m not in browser and by <= browser}
        browser |= added
        grown = bool(added)
    return frozenset(browser)


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
