"""A project's own view decorator that guards the view.

- One that applies a guard Django or the project's settings name (takahe's ``moderator_required`` returns
  ``user_passes_test(lambda user: user.is_authenticated and (user.admin or user.moderator))(function)``) is that
  guard: ``applied_guards`` names it, and the route is judged with it.
- One whose wrapper turns a caller away: mathesar's ``@require(guard, unauthorized_response="json")`` calls the view
  only when ``guard(request)`` holds, and otherwise answers through a helper that returns
  ``JsonResponse(..., status=401)`` or ``redirect_to_login(...)``. Which callers the guard admits is decided at run
  time (mathesar's lets a shared form's anonymous visitor upload), so a view behind such a decorator is not known to
  be unguarded: its route is ``unknown``, as behind a wrapper redline does not know."""

from __future__ import annotations

import re
from collections.abc import Iterable

from redline.sources.code.model import CallSite, CodeIndex
from redline.sources.code.refusals import answers_refusal
from redline.sources.code.routes.common import Project
from redline.sources.code.routes.django_dispatch import REFUSALS
from redline.sources.code.routes.guards import guard_key
from redline.sources.code.scopes import within

_DOTTED = re.compile(r"^[A-Za-z_]\w*(?:\.[A-Za-z_]\w*)+$")
#: how many calls of the decorator's module a refusal is followed through (its wrapper -> a response helper)
_DEPTH = 1


def applied_guards(project: Project, index: CodeIndex, names: Iterable[str], markers: frozenset[str]) -> list[str]:
    """The guards (among ``markers``: ``user_passes_test``, ``login_required``...) that the project's own functions
    among ``names`` call in their body, each as ``decorator -> guard``; a name that is no function of the project,
    or whose body calls none, adds nothing."""
    out: list[str] = []
    for name in names:
        found = project.find(name, index) if name.isidentifier() or _DOTTED.match(name) else None
        if found is None or not found[1].is_function:
            continue
        where, definition = found
        called = {guard_key(c.raw) for c in where.calls if within(c.function, definition.qualname)}
        out += [f"{name} -> {guard}" for guard in sorted(called & markers)]
    return out


def refusing_decorator(project: Project, index: CodeIndex, names: Iterable[str]) -> str | None:
    """The first of the decorators ``names`` (as ``index`` imports them) that is a function of the project whose
    body (its wrapper included) refuses a caller, itself or through a function of its module it calls; None when
    none does."""
    for name in names:
        found = project.find(name, index)
        if found is None:
            continue
        where, definition = found
        if definition.is_function and _refuses(where, definition.qualname, _DEPTH):
            return name
    return None


def _refuses(index: CodeIndex, scope: str, depth: int) -> bool:
    calls = [c for c in index.calls if within(c.function, scope)]
    if any(_is_refusal(c) for c in calls):
        return True
    if depth <= 0:
        return False
    helpers = {d.qualname for d in index.definitions if d.is_function and "." not in d.qualname}
    return any(c.raw in helpers and c.raw != scope and _refuses(index, c.raw, depth - 1) for c in calls)


def _is_refusal(call: CallSite) -> bool:
    """``redirect_to_login(...)``, ``PermissionDenied``, ``HttpResponseForbidden``, a response or ``abort`` with a
    401/403 status."""
    return bool(REFUSALS.match(call.raw.rsplit(".", 1)[-1])) or answers_refusal(call)
