"""Package-level reach of a Go advisory: does a source file of the module import the vulnerable package?

OSV's Go data names the packages of a module a flaw is in (``ecosystem_specific.imports[].path``) and the
functions in them (``symbols``). govulncheck reports three levels: module required, package imported,
symbol called. Offline, without the module cache, redline sees the project's own files (their import
declarations, and the code index's calls when the run built it): an import there proves the package is
built in; no import proves nothing about the dependencies' code, which may import it. So an advisory whose
packages no source file imports is lowered and says why, never dropped. A ``vendor/`` folder is the build's
own copy of its dependencies' packages: there the answer is known either way. The standard library is left
at module level: nearly every dependency imports ``net/http`` or ``crypto/tls``, so the project's own
imports say too little about it.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import PurePosixPath

from redline.core.advisories import Affected, AffectedImport
from redline.core.evidence import EvidenceInputValue
from redline.core.folders import deepest_holding
from redline.core.packages import Package, PackageManifest
from redline.sources.code.model import CodeIndex
from redline.sources.packages.go_imports import GoFileImports

#: the Go pseudo-modules: judged by release, not by import
PSEUDO_MODULES = frozenset({"stdlib", "toolchain"})
#: how many importing files or call sites the evidence names
_SHOWN = 5

#: the package is imported by a file of the module the build compiles: the advisory applies to its code
IMPORTED = "package-imported"
#: an ``internal`` package (importable only by its own module's packages) below a package the code imports
INTERNAL = "internal-package-reached"
#: a package of the module above the vulnerable one is imported (``pgx/v5`` above ``pgx/v5/pgconn``): a package
#: commonly imports its own subpackages, so it is kept, said as such
PARENT = "parent-package-imported"
#: a dependency's package in ``vendor/`` (the build's own copy) is or imports it: in the build
VENDORED = "vendored-in-build"
#: ``vendor/`` holds the build's packages and not this one: not compiled in
NOT_IN_VENDOR = "not-in-vendor"
#: no source file of the module imports it: module level only (a dependency's code may still)
NOT_IMPORTED = "module-only"
#: only files the build never compiles import it (``_test.go``, ``//go:build ignore``/``tools``)
NOT_BUILT = "tests-only"
#: no Go source of the module was read: nothing can be said
UNKNOWN = "not-determined"


@dataclass
class GoModuleCode:
    """What one Go module's own source files import and call (files of nested modules are theirs)."""

    root: str  # the module's folder, "" for the tree's root
    files: int = 0  # the module's own Go files read, tests included
    importers: dict[str, list[str]] = field(default_factory=dict)  # import path -> files the build compiles
    unbuilt_importers: dict[str, list[str]] = field(default_factory=dict)  # ... -> tests, generators, tool pins
    vendored: dict[str, list[str]] = field(default_factory=dict)  # vendored package -> its files
    vendor_importers: dict[str, list[str]] = field(default_factory=dict)  # import path -> vendored files
    calls: dict[str, list[str]] = field(default_factory=dict)  # resolved call target -> "file:line", built files

    def add(self, file: GoFileImports) -> None:
        if file.vendored:
            self.vendored.setdefault(file.vendored, []).append(file.path)
            for path in file.imports:
                self.vendor_importers.setdefault(path, []).append(file.path)
            return
        self.files += 1
        table = self.unbuilt_importers if file.not_built else self.importers
        for path in file.imports:
            table.setdefault(path, []).append(file.path)

    def add_calls(self, index: CodeIndex) -> None:
        if index.path.endswith("_test.go"):
            return
        for call in index.calls:
            if call.target:
                self.calls.setdefault(call.target, []).append(f"{index.path}:{call.line}")


def go_module_code(
    files: Iterable[GoFileImports], indexes: Iterable[CodeIndex], manifests: Iterable[PackageManifest]
) -> dict[str, GoModuleCode]:
    """Each go.mod's folder with the Go files it owns (the nearest go.mod above a file owns it); the calls
    come from the code index when the run built it (another check asked for it), else none are known."""
    roots = sorted(
        {_folder(m.path) for m in manifests if PurePosixPath(m.path).name == "go.mod"}, key=len, reverse=True
    )
    modules = {root: GoModuleCode(root) for root in roots}

    def owner(path: str) -> GoModuleCode | None:
        root = deepest_holding(path, roots)
        return modules[root] if root is not None else None

    for file in files:
        if (module := owner(file.path)) is not None:
            module.add(file)
    for index in indexes:
        if index.language == "go" and (module := owner(index.path)) is not None:
            module.add_calls(index)
    return modules


def _folder(path: str) -> str:
    parent = str(PurePosixPath(path).parent)
    return "" if parent == "." else parent


def module_of(manifest: PackageManifest, modules: dict[str, GoModuleCode]) -> GoModuleCode | None:
    return modules.get(_folder(manifest.path)) if PurePosixPath(manifest.path).name == "go.mod" else None


@dataclass(frozen=True)
class Reach:
    """How far one vulnerability on a Go module reaches into the module's own code."""

    level: str  # one of the levels above
    packages: tuple[str, ...]  # the advisory's vulnerable packages
    importers: tuple[str, ...] = ()  # files importing one of them (those never built, when none is)
    called: tuple[str, ...] = ()  # "html.Parse at a.go:12": listed functions called directly
    not_traced: tuple[str, ...] = ()  # listed symbols a call index cannot tell (methods)
    note: str = ""

    @property
    def lowered(self) -> bool:
        return self.level in (NOT_IMPORTED, NOT_BUILT, NOT_IN_VENDOR)

    def as_evidence(self) -> dict[str, EvidenceInputValue]:
        return {
            "level": self.level,
            "packages": self.packages,
            "imported_by": self.importers,
            "symbols_called": self.called,
            "symbols_not_traced": self.not_traced,
            "note": self.note,
        }


def _under(imported: str, package: str) -> bool:
    """``imported`` is the vulnerable package or one below it (``x/net/http2/h2c`` imports ``x/net/http2``)."""
    return imported == package or imported.startswith(package + "/")


def _hits(table: dict[str, list[str]], packages: Sequence[str]) -> list[str]:
    return sorted({f for path, files in table.items() if any(_under(path, p) for p in packages) for f in files})


def _internal_hits(table: dict[str, list[str]], packages: Sequence[str]) -> list[str]:
    """Imported packages that may reach an ``internal`` vulnerable package: Go lets only the packages rooted
    at the folder above ``internal`` import it (``pgx/v5/internal/sanitize`` from ``pgx/v5/...``), so code
    importing one of those is the only way the project's code gets to it."""
    roots = [p.split("/internal/", 1)[0].removesuffix("/internal") for p in packages if _is_internal(p)]
    return sorted({path for path in table for root in roots if _under(path, root)})


def _parent_hits(table: dict[str, list[str]], packages: Sequence[str], module: str) -> list[str]:
    """Imported packages of the module that sit above a vulnerable package (exact matches are already hits)."""
    return sorted(p for p in table if _under(p, module) and any(v.startswith(p + "/") for v in packages))


def _is_internal(package: str) -> bool:
    return "/internal/" in package or package.endswith("/internal")


def _symbols(imports: Sequence[AffectedImport], code: GoModuleCode) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """Listed functions the module's code calls directly, and listed methods it cannot tell (a method call's
    receiver type is not in the index)."""
    called: list[str] = []
    methods: list[str] = []
    for imp in imports:
        short = imp.path.rsplit("/", 1)[-1]
        for symbol in imp.symbols:
            if "." in symbol:
                methods.append(f"{short}.{symbol}")
                continue
            sites = code.calls.get(f"{imp.path}.{symbol}", [])
            called.extend(f"{short}.{symbol} at {site}" for site in sites[:2])
    return tuple(dict.fromkeys(called))[:_SHOWN], tuple(dict.fromkeys(methods))


def _module_packages(code: GoModuleCode, module: str) -> list[str]:
    return sorted(p for p in code.importers if _under(p, module))


def reach_of(package: Package, entries: Sequence[Affected], code: GoModuleCode | None) -> Reach | None:
    """The package-level verdict for one vulnerability (its affected entries on this module), or None when
    it does not apply: not a Go module, a pseudo-module, or an advisory that names no package."""
    if package.ecosystem != "Go" or package.name in PSEUDO_MODULES or not entries:
        return None
    if not all(e.imports for e in entries):
        return None  # an entry without imports: the whole module is affected, as far as the data says
    imports = [i for e in entries for i in e.imports]
    packages = tuple(dict.fromkeys(i.path for i in imports))
    if code is None or not code.files:
        return Reach(UNKNOWN, packages, note="no Go source of the module was read: package level not determined")
    importers = _hits(code.importers, packages)
    if importers:
        called, methods = _symbols(imports, code)
        return Reach(IMPORTED, packages, tuple(importers[:_SHOWN]), called, methods, _imported_note(packages, called))
    if code.vendored:  # the build's own copy of its packages: it decides for everything not imported directly
        return _vendor_reach(packages, code)
    internal = _internal_hits(code.importers, packages)
    if internal:
        note = (
            f"{_named(packages)} {_are(packages)} internal to the module and the code imports "
            f"{', '.join(internal[:2])}, which only the module's own packages can reach it from"
        )
        return Reach(INTERNAL, packages, tuple(_hits(code.importers, internal)[:_SHOWN]), note=note)
    parents = _parent_hits(code.importers, packages, package.name)
    if parents:
        note = (
            f"{_named(packages)} {_are(packages)} not imported directly, but the code imports "
            f"{', '.join(parents[:2])}, the module's package above it, which commonly imports its subpackages"
        )
        return Reach(PARENT, packages, tuple(_hits(code.importers, parents)[:_SHOWN]), note=note)
    unbuilt = _hits(code.unbuilt_importers, packages)
    if unbuilt:
        note = (
            f"{_named(packages)} {_are(packages)} imported only by files the build never compiles (tests, "
            "`//go:build ignore` or `tools`), so ranked low"
        )
        return Reach(NOT_BUILT, packages, tuple(unbuilt[:_SHOWN]), note=note)
    siblings = _module_packages(code, package.name)
    return Reach(NOT_IMPORTED, packages, note=_module_only_note(package, packages, siblings))


def _vendor_reach(packages: Sequence[str], code: GoModuleCode) -> Reach:
    """``go mod vendor`` copies exactly the packages the build needs: a vulnerable package there (or imported
    from there) is compiled in through a dependency; one absent from it is not compiled in at all."""
    held = sorted(p for p in code.vendored if any(_under(p, v) for v in packages))
    users = _hits(code.vendor_importers, packages)
    if held or users:
        where = f"vendor/ holds {', '.join(held[:2])}" if held else f"vendored code imports it ({users[0]})"
        note = f"{_named(packages)} {_are(packages)} compiled in through a dependency: {where}"
        return Reach(VENDORED, tuple(packages), tuple(users[:_SHOWN]), note=note)
    note = (
        f"{_named(packages)} {_are(packages)} neither imported by the module's code nor among the packages "
        "vendor/ holds for the build: not compiled in, so ranked low"
    )
    return Reach(NOT_IN_VENDOR, tuple(packages), note=note)


def _are(packages: Sequence[str]) -> str:
    return "are" if len(packages) > 1 else "is"


def _named(packages: Sequence[str]) -> str:
    shown = ", ".join(packages[:3]) + (f" and {len(packages) - 3} more" if len(packages) > 3 else "")
    return f"the vulnerable package{'s' if len(packages) > 1 else ''} {shown}"


def _imported_note(packages: Sequence[str], called: Sequence[str]) -> str:
    head = f"{_named(packages)} {_are(packages)} imported by the module's code"
    return f"{head}; calls {', '.join(called)}" if called else head


def _module_only_note(package: Package, packages: Sequence[str], siblings: Sequence[str]) -> str:
    if siblings:
        why = f"the code imports only {', '.join(siblings[:2])} of the module, which may use it internally"
    elif package.direct:
        why = "go.mod requires the module directly, yet no source file imports any of its packages"
    else:
        why = "the module is required only by dependencies (`// indirect`)"
    return (
        f"{_named(packages)} {_are(packages)} not imported by any source file of the module; {why}. Module level "
        "only: reachable through a dependency's code cannot be ruled out without the module cache, so ranked low"
    )
