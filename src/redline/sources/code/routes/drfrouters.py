"""Which calls make a DRF router: DRF's own ``DefaultRouter()``/``SimpleRouter()``, and a router class of the
project's own that inherits from one (netbox's ``NetBoxRouter(DefaultRouter)``, its ``ScriptRouter(NetBoxRouter)``):
a viewset registered on either is served the same way."""

from __future__ import annotations

from collections.abc import Iterator

from redline.sources.code.model import CallSite, CodeIndex, Definition
from redline.sources.code.routes.common import Project, module_name, qualified

#: DRF's routers that map a viewset to the standard list/detail paths (a ``BaseRouter`` subclass makes its own)
DRF_ROUTERS = frozenset({"rest_framework.routers.DefaultRouter", "rest_framework.routers.SimpleRouter"})
#: how many rounds of "a class inheriting from a router class is one" run (a chain of subclasses, each found once
#: the one it inherits from is)
_MAX_DEPTH = 6


def _names(index: CodeIndex, qualname: str) -> str:
    return f".{module_name(index.path)}.{qualname}"


class RouterClasses:
    """The project's classes that inherit, directly or through one another, from a DRF router."""

    def __init__(self, project: Project) -> None:
        python = [index for index in project.indexes if index.language == "python"]
        #: ".<module>.<qualname>" of each router class found, and (module path, qualname) of each
        self.full: set[str] = set()
        self.local: set[tuple[str, str]] = set()
        # the first round reads only the modules importing DRF's routers (a subclass must name one)
        drf = ("rest_framework.routers", "rest_framework")
        candidates = [(i, d) for i in python if _imports(i, drf) for d in _classes(i)]
        everywhere: list[tuple[CodeIndex, Definition]] | None = None
        for _ in range(_MAX_DEPTH):
            more = [
                (index, d)
                for index, d in candidates
                if (index.path, d.qualname) not in self.local and any(self.is_router(index, b) for b in d.bases)
            ]
            if not more:
                break
            for index, d in more:
                self.local.add((index.path, d.qualname))
                self.full.add(_names(index, d.qualname))
            # the next round reads the classes whose base is written like one of those found
            everywhere = everywhere if everywhere is not None else [(i, d) for i in python for d in _classes(i)]
            short = self.short
            candidates = [(i, d) for i, d in everywhere if any(b.rsplit(".", 1)[-1] in short for b in d.bases)]

    @property
    def short(self) -> set[str]:
        return {full.rsplit(".", 1)[-1] for full in self.full}

    def is_router(self, index: CodeIndex, written: str) -> bool:
        """Does ``written``, in this module, name DRF's router or one of the project's router classes?"""
        name = qualified(index, written)
        if name is None:
            return (index.path, written) in self.local
        return name in DRF_ROUTERS or any(full.endswith(f".{name}") for full in self.full)

    def users(self, indexes: list[CodeIndex]) -> list[CodeIndex]:
        """The modules that may make one: those defining one and those importing a name one is called."""
        short = self.short
        defining = {path for path, _ in self.local}
        return [
            i
            for i in indexes
            if i.path in defining or any(q.rsplit(".", 1)[-1] in short for _, q in (*i.imports, *i.relative_imports))
        ]


def _classes(index: CodeIndex) -> list[Definition]:
    return [d for d in index.definitions if d.kind == "class" and d.bases]


def _imports(index: CodeIndex, modules: tuple[str, ...]) -> bool:
    return any(q == m or q.startswith(m + ".") for _, q in index.imports for m in modules)


def router_calls(project: Project) -> Iterator[tuple[CodeIndex, CallSite]]:
    """(module, call) of every router made: DRF's (found in the project's one pass) and the project's router
    classes' (looked up only in the modules that define or import one)."""
    yield from project.calls(DRF_ROUTERS)
    python = [index for index in project.indexes if index.language == "python"]
    classes = RouterClasses(project)
    short = classes.short
    for index in classes.users(python) if short else ():
        for call in index.calls:
            if (
                call.raw.rsplit(".", 1)[-1] in short
                and call.target not in DRF_ROUTERS
                and classes.is_router(index, call.raw)
            ):
                yield index, call
