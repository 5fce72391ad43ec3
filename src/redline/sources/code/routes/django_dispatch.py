"""A view class's own ``dispatch`` that tests who the caller is and refuses before handing the request on:
nautobot's ``NautobotViewSetMixin.dispatch`` calls ``self.check_permissions()`` (which reads
``user.has_perms``) and answers ``self.handle_no_permission()`` when it raises. Every view built on such a
class runs behind that test, as it would behind a ``LoginRequiredMixin`` base."""

from __future__ import annotations

import re
from collections.abc import Iterable

from redline.sources.code.build import CHECKING_ATTRS
from redline.sources.code.model import CodeIndex, Definition
from redline.sources.code.scopes import within

#: calls that turn a caller away: Django's ``AccessMixin.handle_no_permission``, DRF's ``permission_denied``,
#: the exceptions and responses of a refusal, a redirect to the login
REFUSALS = re.compile(
    r"^(handle_no_permission|permission_denied|PermissionDenied|NotAuthenticated|HttpResponseForbidden|"
    r"redirect_to_login|get_login_redirect|\w*login_url)$"
)
_LOGIN_ONLY = frozenset({"is_authenticated", "is_anonymous"})


def dispatch_guards(lineage: Iterable[tuple[CodeIndex, Definition]]) -> list[str]:
    """``Class.dispatch[permission_required]`` (or ``[login_required]`` when it tests only the login state) for
    each class of ``lineage`` whose ``dispatch`` both tests the caller, itself or through a method of the
    lineage it calls on ``self`` (one call deep), and calls a refusal. A ``dispatch`` that reads the login state
    without refusing (to pick a template) or refuses on something else (a feature switch) is no guard."""
    classes = list(lineage)
    found: list[str] = []
    for index, cls in classes:
        dispatch = f"{cls.qualname}.dispatch"
        if not any(d.qualname == dispatch for d in index.definitions):
            continue
        calls = [c for c in index.calls if within(c.function, dispatch)]
        if not any(REFUSALS.match(c.raw.rsplit(".", 1)[-1]) for c in calls):
            continue
        called = {c.raw[5:] for c in calls if c.raw.startswith("self.")}
        scopes = [(index, dispatch), *_self_methods(classes, called)]
        tests = {r.rsplit(".", 1)[-1] for i, scope in scopes for s, r in i.reads if within(s, scope)} & CHECKING_ATTRS
        if tests:
            found.append(f"{dispatch}[{'login_required' if tests <= _LOGIN_ONLY else 'permission_required'}]")
    return found


def _self_methods(classes: list[tuple[CodeIndex, Definition]], names: set[str]) -> list[tuple[CodeIndex, str]]:
    """The lineage's methods called as ``self.<name>(...)``, each in the nearest class defining it (as Python's
    attribute lookup finds it), with the index it is in."""
    out: list[tuple[CodeIndex, str]] = []
    for name in sorted(names - {"dispatch"}):
        for index, cls in classes:
            qualname = f"{cls.qualname}.{name}"
            if any(d.qualname == qualname for d in index.definitions):
                out.append((index, qualname))
                break
    return out
