"""What every framework extractor reads: the indexes by module name, and definitions by name."""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cached_property, lru_cache
from pathlib import PurePosixPath

from redline.sources.code.model import Arg, CallSite, CodeIndex, Definition
from redline.sources.code.treesitter.jsnames import import_target, module_id


def module_name(path: str) -> str:
    """``src/shop/urls.py`` -> ``src.shop.urls`` (matched by suffix, so the source root does not matter)."""
    stem = path[:-3] if path.endswith(".py") else path
    stem = stem.removesuffix("/__init__")
    return stem.replace("/", ".")


@lru_cache(maxsize=8192)  # one path per module and name: every call through a relative import asks again
def absolute_import(path: str, relative: str) -> str | None:
    """``.dao.get_user`` imported in ``app/views.py`` -> ``app.dao.get_user`` (one dot: the file's package; as a
    suffix, so the source root does not matter); None when the dots climb above the project."""
    level = len(relative) - len(relative.lstrip("."))
    package = list(PurePosixPath(path).parent.parts)
    if level - 1 > len(package):
        return None
    base = package[: len(package) - (level - 1)]
    rest = relative.lstrip(".")
    return ".".join([*base, rest]) if rest else ".".join(base) or None


def qualified(index: CodeIndex, written: str) -> str | None:
    """A name as the module writes it (``routers.DefaultRouter``, ``NetBoxRouter``) through its imports, absolute
    or relative (``from .routers import ScriptRouter``); None for a name the module defines or does not import."""
    first, _, rest = written.partition(".")
    found = index.imported(first)
    if found is None and (relative := dict(index.relative_imports).get(first)) is not None:
        found = absolute_import(index.path, relative)
    if found is None:
        return None
    return f"{found}.{rest}" if rest else found


def imports_module(index: CodeIndex, roots: Sequence[str]) -> bool:
    """Does the module import one of these packages or anything inside it (``flask``, ``flask.views``; not
    ``flask_login``)?"""
    return any(q == root or q.startswith(root + ".") for _, q in index.imports for root in roots)


def calls_by_function(index: CodeIndex) -> dict[str, list[CallSite]]:
    """The module's calls grouped by the function they are made in, in source order: one pass, where asking
    ``index.calls_in`` for every definition reads every call once per function."""
    grouped: dict[str, list[CallSite]] = {}
    for call in index.calls:
        grouped.setdefault(call.function, []).append(call)
    return grouped


def join(prefix: str, path: str) -> str:
    if not prefix:
        return path
    if not path:
        return prefix
    return prefix.rstrip("/") + "/" + path.lstrip("/")


def arg(args: Sequence[Arg], position: int, keyword: str) -> Arg | None:
    positional = [a for a in args if a.keyword is None]
    if position < len(positional):
        return positional[position]
    return keyword_arg(args, keyword)


def keyword_arg(args: Sequence[Arg], keyword: str) -> Arg | None:
    """An argument only ever passed by keyword (one a ``**kwargs`` takes)."""
    return next((a for a in args if a.keyword == keyword), None)


def text(value: Arg | None) -> str | None:
    return value.literal if value is not None and isinstance(value.literal, str) else None


@dataclass(frozen=True)
class Wanted:
    """The resolved call targets and dotted-callee endings (``.register_blueprint``) extractors look up with
    ``Project.calls``: every call matching one is found in a single pass over the project (on the Django
    sdist each extractor's own pass over its 171,000 calls cost about 0.05 s, and there were eight)."""

    targets: frozenset[str] = frozenset()
    endings: tuple[str, ...] = ()

    def __or__(self, other: Wanted) -> Wanted:
        return Wanted(self.targets | other.targets, tuple(dict.fromkeys((*self.endings, *other.endings))))


class JsExports(dict[str, str]):
    """``Project.js_exports``: module id -> the local name of its default export, ``module#name`` -> the local name
    a named export renames; ``reexports``: what a module passes on from another, as an import names it (module id
    for a default export, ``module.name`` for a named one) -> the import it passes on (outline's
    ``routes/api/documents/index.ts``: ``export { default } from "./documents"``)."""

    def __init__(self, found: Mapping[str, str], reexports: Mapping[str, str]) -> None:
        super().__init__(found)
        self.reexports = dict(reexports)

    def passed_on(self, qualified: str) -> str:
        """What an import of ``qualified`` reaches once every re-export on the way is followed."""
        seen: set[str] = set()
        while qualified not in self and qualified in self.reexports and qualified not in seen:
            seen.add(qualified)
            qualified = self.reexports[qualified]
        return qualified


@dataclass
class Project:
    indexes: Sequence[CodeIndex]
    definitions: dict[str, list[tuple[CodeIndex, Definition]]] = field(default_factory=dict)
    wanted: Wanted = Wanted()
    #: the calls matching ``wanted``, in module then source order
    _hits: list[tuple[CodeIndex, CallSite]] = field(default_factory=list, init=False, repr=False)

    def __post_init__(self) -> None:
        for index in self.indexes:
            for definition in index.definitions:
                self.definitions.setdefault(definition.name, []).append((index, definition))
        targets, endings = self.wanted.targets, self.wanted.endings
        if targets or endings:
            self._hits = [
                (index, call)
                for index in self.indexes
                for call in index.calls
                if call.target in targets or call.raw.endswith(endings)
            ]

    @cached_property
    def _python_packages(self) -> frozenset[str]:
        """Every folder and module name of the project's Python files: what an import of its own code starts with."""
        return frozenset(
            part for i in self.indexes if i.language == "python" for part in module_name(i.path).split(".")
        )

    @staticmethod
    def _imported_from(
        dotted: str, near: CodeIndex, candidates: list[tuple[CodeIndex, Definition]]
    ) -> tuple[CodeIndex, Definition] | None:
        """The one candidate defined in the module ``near`` imports the name (or its first part) from: Indico's
        blueprints ``from indico.modules.core.controllers import RHSettings`` while ``rb`` defines another
        ``RHSettings``, or name ``management.RHSortReviewingQuestions`` after importing ``management``."""
        if len(candidates) < 2 or near.language != "python":
            return None
        full = qualified(near, dotted)
        if full is None:
            return None
        module = full.rsplit(".", 1)[0]
        found = [
            c
            for c in candidates
            if (m := module_name(c[0].path)) == module or m.endswith("." + module) or module.endswith("." + m)
        ]
        return found[0] if len(found) == 1 else None

    def _from_outside(self, local: str, near: CodeIndex) -> bool:
        """Whether ``local`` is bound in a Python module by an absolute import of a package the project lacks."""
        qualified = near.imported(local) if near.language == "python" else None
        return qualified is not None and qualified.split(".", 1)[0] not in self._python_packages

    @cached_property
    def by_module_id(self) -> dict[str, list[CodeIndex]]:
        """JavaScript/TypeScript module id (``src/routes/users``) -> the indexes with it, in project order: what
        an import names is looked up here, where a scan computing every file's id per middleware or handler
        took 0.3 s of juice-shop's audit."""
        found: dict[str, list[CodeIndex]] = {}
        for index in self.indexes:
            found.setdefault(module_id(index.path), []).append(index)
        return found

    @cached_property
    def js_exports(self) -> JsExports:
        """JavaScript/TypeScript module id -> the local name its default export (``module.exports``/``export
        default``) binds; and ``module#name`` -> the local name a named export renames (``export { app as
        cronRouter }``): read once per extraction, where Express (twice), Koa, Fastify and the handler lookup
        each read every assignment of the project again. With what a module passes on from another
        (``export { default } from "./documents"``, ``JsExports.reexports``)."""
        found: dict[str, str] = {}
        reexports: dict[str, str] = {}
        for index in self.indexes:
            module = module_id(index.path)
            for assignment in index.assignments:
                value = assignment.values[0] if assignment.values else None
                if not isinstance(value, str):
                    continue
                if assignment.name == "module.exports":
                    found[module] = value
                elif assignment.name.startswith("exports.") and value.isidentifier():
                    found[f"{module}#{assignment.name.removeprefix('exports.')}"] = value
                elif assignment.name.startswith("exports.") and value.startswith("."):
                    spec, _, name = value.rpartition(".")  # ``./documents.default``: the spec as written, the name
                    target = import_target(index.path, spec)
                    exported = assignment.name.removeprefix("exports.")
                    key = module if exported == "default" else f"{module}.{exported}"
                    reexports[key] = target if name == "default" else f"{target}.{name}"
        return JsExports(found, reexports)

    def calls(
        self, targets: Collection[str] = frozenset(), endings: tuple[str, ...] = ()
    ) -> list[tuple[CodeIndex, CallSite]]:
        """Every call whose resolved target is one of ``targets`` or whose dotted callee ends with one of
        ``endings``, in module then source order; from the one pass when ``wanted`` declared them all, else
        by a pass of its own (the same calls, only slower)."""
        declared = all(t in self.wanted.targets for t in targets) and all(e in self.wanted.endings for e in endings)
        pool = self._hits if declared else [(i, c) for i in self.indexes for c in i.calls]
        return [(i, c) for i, c in pool if c.target in targets or c.raw.endswith(endings)]

    def find(self, dotted: str, near: CodeIndex) -> tuple[CodeIndex, Definition] | None:
        """The definition a dotted handler name refers to: in the same file first, else the one
        module whose name ends with the dotted prefix, else the only definition of that name. None for a name
        reached through a Python import of another project's package (``allauth_account_views.login``, with
        ``from allauth.account import views as allauth_account_views``): the project's only ``login`` (a test's
        ``BogusMailBox.login`` in paperless-ngx) is not it."""
        if "." in dotted and self._from_outside(dotted.split(".", 1)[0], near):
            return None
        name = dotted.rsplit(".", 1)[-1]
        candidates = self.definitions.get(name, [])
        same = [c for c in candidates if c[0].path == near.path]
        if same:
            return same[0]
        imported = self._imported_from(dotted, near, candidates)
        if imported is not None:
            return imported
        if "." in dotted:
            owner = dotted.rsplit(".", 1)[0]
            by_module = [c for c in candidates if module_name(c[0].path).endswith(owner.split(".")[-1])]
            if len(by_module) == 1:
                return by_module[0]
        return candidates[0] if len(candidates) == 1 else None
