"""An access check a class-based handler inherits: Indico's request handlers (``RHAdminBase``, ``RHProtected``,
``RHManageEventBase``) are classes whose base class's ``_check_access`` tests ``session.user`` (``if session.user
is None: raise Forbidden``; ``if not self.event.can_manage(session.user): raise Forbidden``) before any ``_process``
runs, so the routes registered with them (``add_url_rule('/admin/…', 'x', RHLocations)``) carry no guard decorator
and are not open. Only the project's own classes are followed (by unique name), a few levels up.

The check is recognised by what it does: a method of the class or of a base whose name says it checks access (it
holds ``access``, ``permission``, ``auth`` or ``require``) and that reads the signed-in caller — directly, or
through the methods of the same hierarchy it calls (``RHProtected._check_access`` calls ``self._require_user``).
Whether it refuses is not visible in the index (``raise Forbidden`` without a call); a check that lets an anonymous
caller through (a public event) can only make WEB101 stay quiet, never vouch for the route elsewhere.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from redline.checks.code.handlers import names_the_signed_in_caller
from redline.sources.code.model import CodeIndex, Definition

#: the project's classes by name, those defined once only: ``project_classes``
Classes = Mapping[str, tuple[CodeIndex, Definition]]

#: method names that say they check who may go on
_CHECK_NAME = re.compile(r"(?i)access|permission|auth|require")
#: how many base classes up a check is looked for, and how many calls deep within the hierarchy
_DEPTH = 8
_CALL_DEPTH = 3


def project_classes(indexes: Iterable[CodeIndex]) -> dict[str, tuple[CodeIndex, Definition]]:
    """The project's classes by name, those defined once only (a name defined twice is not followed)."""
    found: dict[str, list[tuple[CodeIndex, Definition]]] = defaultdict(list)
    for index in indexes:
        for d in index.definitions:
            if d.kind == "class":
                found[d.name].append((index, d))
    return {name: pairs[0] for name, pairs in found.items() if len(pairs) == 1}


def inherited_access_check(index: CodeIndex, handler: str, classes: Classes) -> str | None:
    """``Class.method`` of the access check the handler class ``handler`` (a qualified name in ``index``) defines
    or inherits, or None (a function handler, or no such method in the project's hierarchy)."""
    start = next((d for d in index.definitions if d.qualname == handler and d.kind == "class"), None)
    if start is None:
        return None
    hierarchy = _hierarchy(index, start, classes)
    for owner in hierarchy:
        for name, qualname in owner.methods.items():
            if _CHECK_NAME.search(name) and _reads_caller(owner.index, qualname, hierarchy):
                return f"{owner.name}.{name}"
    return None


@dataclass(frozen=True)
class _Owner:
    """A class of the hierarchy: its module's index, its name, and its methods (name -> qualified name)."""

    index: CodeIndex
    name: str
    methods: dict[str, str]


def _hierarchy(index: CodeIndex, start: Definition, classes: Classes) -> list[_Owner]:
    """The class and its project base classes, nearest first, each once, with their methods."""
    return [_Owner(i, d.name, _methods(i, d)) for i, d in ancestors(index, start, classes)]


def ancestors(index: CodeIndex, start: Definition, classes: Classes) -> list[tuple[CodeIndex, Definition]]:
    """The class and its project base classes (followed by unique name, ``_DEPTH`` levels up), nearest first,
    each once."""
    out: list[tuple[CodeIndex, Definition]] = []
    todo = [(index, start, 0)]
    seen: set[str] = set()
    while todo:
        owner_index, owner, depth = todo.pop(0)
        key = f"{owner_index.path}:{owner.qualname}"
        if key in seen:
            continue
        seen.add(key)
        out.append((owner_index, owner))
        if depth < _DEPTH:
            todo += [(*classes[b], depth + 1) for base in owner.bases if (b := base.rsplit(".", 1)[-1]) in classes]
    return out


def _methods(index: CodeIndex, owner: Definition) -> dict[str, str]:
    prefix = owner.qualname + "."
    return {
        d.name: d.qualname
        for d in index.definitions
        if d.qualname.startswith(prefix) and "." not in d.qualname[len(prefix) :]
    }


def _reads_caller(index: CodeIndex, function: str, hierarchy: list[_Owner], depth: int = 0) -> bool:
    """The method reads the signed-in caller, or calls a method of the hierarchy (``self._require_user()``,
    ``RHProtected._check_access(self)``, ``ManageEventMixin._check_access(self)``) that does."""
    if any(f == function and names_the_signed_in_caller(r) for f, r in index.reads):
        return True
    calls = index.calls_in(function)
    if any(names_the_signed_in_caller(a.name or "") for c in calls for a in c.args):
        return True
    if depth >= _CALL_DEPTH:
        return False
    for call in calls:
        owner_name, _, name = call.raw.rpartition(".")
        defined = (o for o in hierarchy if owner_name in ("self", o.name) and name in o.methods)
        if any(_reads_caller(o.index, o.methods[name], hierarchy, depth + 1) for o in defined):
            return True
    return False
