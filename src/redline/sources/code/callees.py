"""The function a call site runs, when the project's code indexes say it for certain: Python through imports
(``from app.dao import get_user``, ``dao.get_user``, relative imports), functions of the same module and
methods on ``self``/``cls`` of the same class; Go through import paths (``models.GetUser``), functions of the
same package and methods on a value a constructor or a struct literal of the function made. A name that
resolves to nothing, or to more than one module, is left alone: no guessing."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import PurePosixPath

from redline.core.facts import Facts
from redline.core.filekinds import looks_like_test_or_sample
from redline.sources.code.model import CallSite, CodeIndex, Definition
from redline.sources.code.routes.common import absolute_import


@dataclass(frozen=True)
class Callee:
    """A resolved call: the module and definition it runs, and how many leading parameters the call's
    positional arguments skip (an implicit ``self``/``cls``)."""

    index: CodeIndex
    definition: Definition
    shift: int = 0

    def parameter(self, key: str) -> str | None:
        """The parameter an argument of the call binds (a position or a keyword), None when none does."""
        params = self.definition.params
        if not key.isdigit():
            return key if key in params else None
        at = int(key) + self.shift
        positional = self.definition.positional if self.definition.positional >= 0 else len(params)
        return params[at] if at < min(positional, len(params)) else None


def module_name(path: str) -> str:
    """``app/dao/user.py`` -> ``app.dao.user``; a package's ``__init__.py`` is the package. ``path`` is relative
    (an index's); the parts and suffix are those ``PurePosixPath(path).with_suffix("")`` gives, found by string
    operations: this runs for every module of the project, in every check that resolves calls."""
    parts = [part for part in path.split("/") if part and part != "."]
    if parts:
        stem, _, suffix = parts[-1].rpartition(".")
        parts[-1] = stem if stem and suffix else parts[-1]
    if parts and parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


@dataclass
class CallTable:
    """Every function definition of the project's Python and Go modules, found by module name or package
    directory. Building it reads every definition of the project, so a run builds it once
    (``ctx.scope.derived(call_table, facts)``) and each check that resolves calls reads it through a
    ``Callees`` of the modules it judges."""

    definitions: dict[str, dict[str, Definition]] = field(default_factory=dict)  # path -> qualname -> def
    #: dotted module name (from the path) -> the Python modules of that name, in the facts' order
    modules: dict[str, list[CodeIndex]] = field(default_factory=dict)
    #: a dotted suffix of two or more parts (``dao.user``) -> the modules whose name ends with it, not equals it
    suffixes: dict[str, list[CodeIndex]] = field(default_factory=dict)
    packages: dict[str, list[CodeIndex]] = field(default_factory=dict)  # Go directory -> its files

    @classmethod
    def of(cls, indexes: Iterable[CodeIndex]) -> CallTable:
        found = cls()
        for index in indexes:
            found.definitions[index.path] = {d.qualname: d for d in index.definitions}
            if index.language == "python":
                name = module_name(index.path)
                found.modules.setdefault(name, []).append(index)
                parts = name.split(".")
                for start in range(1, len(parts) - 1):
                    found.suffixes.setdefault(".".join(parts[start:]), []).append(index)
            elif index.language == "go":
                found.packages.setdefault(str(PurePosixPath(index.path).parent), []).append(index)
        return found


def call_table(facts: Facts) -> CallTable:
    """The run's table of the Python and Go modules that are not tests or samples: the modules the checks that
    resolve calls judge (Django's 1,900 test modules would make it cost more than one table per check did)."""
    return CallTable.of(
        i for i in facts.of(CodeIndex) if i.language in {"python", "go"} and not looks_like_test_or_sample(i.path)
    )


@dataclass
class Callees:
    """The calls of a set of modules resolved into that same set: a check that leaves out some modules (the
    latency check leaves out migrations) resolves exactly as if the table held its modules only, with its own
    memo, while the table itself is built once per run."""

    table: CallTable
    members: frozenset[str] | None = None  # the paths calls resolve into; None: every module of the table
    _memo: dict[tuple[str, int, str, str], Callee | None] = field(default_factory=dict)
    _packages: dict[str, list[CodeIndex]] | None = None

    @classmethod
    def of(cls, indexes: list[CodeIndex]) -> Callees:
        """A table of ``indexes`` alone (a test, or a check without the run's table)."""
        return cls(CallTable.of(indexes))

    @classmethod
    def among(cls, table: CallTable, indexes: Iterable[CodeIndex]) -> Callees:
        """The run's ``table`` seen through ``indexes``: every one of them must be in the table."""
        return cls(table, frozenset(index.path for index in indexes))

    @property
    def definitions(self) -> dict[str, dict[str, Definition]]:
        return self.table.definitions

    def _kept(self, indexes: Iterable[CodeIndex]) -> list[CodeIndex]:
        members = self.members
        return list(indexes) if members is None else [i for i in indexes if i.path in members]

    def _module(self, name: str) -> CodeIndex | None:
        """The module of that name; when two files give one name (``a.py``, ``a/__init__.py``), the last."""
        kept = self._kept(self.table.modules.get(name, ()))
        return kept[-1] if kept else None

    @property
    def packages(self) -> dict[str, list[CodeIndex]]:
        if self._packages is None:
            kept = {directory: self._kept(files) for directory, files in self.table.packages.items()}
            self._packages = {directory: files for directory, files in kept.items() if files}
        return self._packages

    def resolve(self, index: CodeIndex, call: CallSite) -> Callee | None:
        key = (index.path, call.line, call.raw, call.function)
        if key not in self._memo:
            if index.language == "python":
                self._memo[key] = self._python(index, call)
            elif index.language == "go":
                self._memo[key] = self._go(index, call)
            else:
                self._memo[key] = None
        return self._memo[key]

    # Python

    def _python(self, index: CodeIndex, call: CallSite) -> Callee | None:
        head, _, rest = call.raw.partition(".")
        if head in {"self", "cls"} and rest and "." not in rest:
            return self._own_method(index, call.function, rest)
        if call.target is not None:
            return self._imported(call.target)
        relative = dict(index.relative_imports).get(head)
        if relative is not None:
            absolute = absolute_import(index.path, relative)
            return self._imported(f"{absolute}.{rest}" if rest else absolute) if absolute else None
        if not rest:
            return self._function(index, head, shift=0)
        return None

    def _own_method(self, index: CodeIndex, function: str, name: str) -> Callee | None:
        """``self.name(...)`` inside a method: the class the method is in defines ``name`` itself."""
        defs = self.definitions.get(index.path, {})
        scope = function
        while scope:
            scope = scope.rpartition(".")[0]
            owner = defs.get(scope)
            if owner is not None and owner.kind == "class":
                method = defs.get(f"{scope}.{name}")
                if method is None or method.kind == "class":
                    return None
                return Callee(index, method, shift=0 if _static(method) else 1)
        return None

    def _function(self, index: CodeIndex, qualname: str, *, shift: int) -> Callee | None:
        found = self.definitions.get(index.path, {}).get(qualname)
        if found is None or found.kind == "class":
            return None
        owner = self.definitions[index.path].get(qualname.rpartition(".")[0])
        if owner is not None and owner.kind == "class":
            shift = 1 if "classmethod" in _decorators(found) else 0  # ``Class.method(...)``
        elif owner is not None:
            return None  # a function nested in another one is not reachable by this name
        return Callee(index, found, shift)

    def _imported(self, target: str) -> Callee | None:
        """``app.dao.user.get_user`` or ``app.dao.user.User.get``: the one module that defines it."""
        parts = target.split(".")
        for cut in range(len(parts) - 1, 0, -1):
            module, qualname = ".".join(parts[:cut]), ".".join(parts[cut:])
            exact = self._module(module)
            holders = (
                [exact]
                if exact is not None and qualname in self.definitions[exact.path]
                else [
                    index
                    for index in self._kept(self.table.suffixes.get(module, ()))
                    if qualname in self.definitions[index.path]
                ]
            )
            if len(holders) > 1:
                return None  # the same module name in two places: which one runs is not known
            if holders:
                return self._function(holders[0], qualname, shift=0)
        return None

    # Go

    def _go(self, index: CodeIndex, call: CallSite) -> Callee | None:
        head, _, rest = call.raw.partition(".")
        package = str(PurePosixPath(index.path).parent)
        if not rest:
            return self._in_package(self.packages.get(package, []), head)
        if "." in rest:
            return None
        imported = index.imported(head)
        if imported is not None:
            return self._in_package(self._package(imported), rest)
        kind = self._local_type(index, call.function, head)
        if kind is None:
            return None
        type_head, _, type_name = kind.rpartition(".")
        files = self._package(index.imported(type_head) or "") if type_head else self.packages.get(package, [])
        return self._in_package(files, f"{type_name}.{rest}")

    def _in_package(self, files: list[CodeIndex], qualname: str) -> Callee | None:
        found = [(i, d) for i in files if (d := self.definitions[i.path].get(qualname)) is not None]
        return Callee(*found[0]) if len(found) == 1 else None

    def _package(self, import_path: str) -> list[CodeIndex]:
        """The project directory an import path names: the one whose trailing path components match it
        furthest (``github.com/acme/shop/models`` -> ``models`` or ``shop/models``); none when two tie."""
        wanted = [p for p in import_path.split("/") if p]
        best, score = [], 0
        for directory, files in self.packages.items():
            have = PurePosixPath(directory).parts
            matched = 0
            while matched < min(len(have), len(wanted)) and have[-1 - matched] == wanted[-1 - matched]:
                matched += 1
            if matched > score:
                best, score = [files], matched
            elif matched == score and matched:
                best.append(files)
        return best[0] if len(best) == 1 else []

    def _local_type(self, index: CodeIndex, function: str, name: str) -> str | None:
        """The type of a local the function bound to a struct literal (``p := &Profile{}``) or to what a
        constructor of the project returns (``p := NewProfile()``, ``p := models.NewStore(db)``)."""
        kinds = {c.type for c in index.composites if c.function == function and c.assigned_to == name}
        for call in index.calls_in(function):
            if call.assigned_to == name:
                head, _, rest = call.raw.partition(".")
                if rest and ("." in rest or index.imported(head) is None):
                    return None  # ``p = p.Next()``: what a method returns is not known (and not followed)
                made = self._go(index, call)
                if made is None or not made.definition.returns:
                    return None
                head, _, rest = call.raw.partition(".")
                returned = made.definition.returns
                kinds.add(f"{head}.{returned}" if rest and "." not in returned else returned)
        return kinds.pop() if len(kinds) == 1 else None


def _decorators(definition: Definition) -> set[str]:
    return {d.raw.rsplit(".", 1)[-1] for d in definition.decorators}


def _static(definition: Definition) -> bool:
    return "staticmethod" in _decorators(definition)
