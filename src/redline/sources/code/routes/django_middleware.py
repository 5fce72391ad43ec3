"""A project's own Django middleware that sends anonymous callers to the login page (pretalx's
``EventMiddleware`` does it for every ``/orga`` page): the routes under it are not unauthenticated, though
which of them it exempts (a sign-in or invitation page) is decided at run time, so they become ``unknown``.
One whose ``process_view`` refuses callers without a permission (DefectDojo's ``AuthorizationMiddleware`` looks the
view's URL name up in a table of object permissions) may authorize any route: whether it does is decided at run
time, so a route not known to be authorized becomes ``unknown`` with the middleware as its evidence."""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, replace

from redline.sources.code.model import CodeIndex, Definition
from redline.sources.code.routes.common import Project, module_name
from redline.sources.code.routes.django_dispatch import REFUSALS
from redline.sources.code.routes.guards import unknown_behind
from redline.sources.code.routes.model import UNKNOWN, YES, Route

_LOGIN_TESTS = frozenset({"is_anonymous", "is_authenticated"})
#: the request attributes a middleware compares a path prefix with
_PATH_READS = ("request.path.startswith", "request.path_info.startswith")


@dataclass(frozen=True)
class LoginMiddleware:
    """A middleware class of the project that redirects anonymous callers to sign in, and the path prefixes it
    tests (empty: it may apply to any path)."""

    name: str
    prefixes: tuple[str, ...]

    def covers(self, path: str) -> bool:
        return not self.prefixes or any(path.startswith(p) for p in self.prefixes)


def login_middlewares(project: Project, setting: Iterable[str]) -> list[LoginMiddleware]:
    """The classes named in ``MIDDLEWARE`` that the project defines and that send anonymous callers to
    sign in: a login-state test (``request.user.is_anonymous``) and a call naming the login
    (``redirect_to_login``, ``get_login_redirect``) in the same class. A redirect alone is not enough: mathesar's
    ``PasswordChangeNeededMiddleware`` tests ``is_authenticated`` and redirects signed-in users to change their
    password."""
    found: list[LoginMiddleware] = []
    for dotted, index, cls in _project_classes(project, setting):
        inside = cls.qualname + "."
        tests_login = any(s.startswith(inside) and r.rsplit(".", 1)[-1] in _LOGIN_TESTS for s, r in index.reads)
        calls = [c for c in index.calls if c.function.startswith(inside)]
        sends_to_login = any("login" in c.raw.rsplit(".", 1)[-1].lower() for c in calls)
        if tests_login and sends_to_login:
            prefixes = tuple(
                sorted(
                    {
                        str(c.args[0].literal)
                        for c in calls
                        if c.raw in _PATH_READS and c.args and isinstance(c.args[0].literal, str)
                    }
                )
            )
            found.append(LoginMiddleware(dotted, prefixes))
    return found


def _project_classes(project: Project, setting: Iterable[str]) -> Iterator[tuple[str, CodeIndex, Definition]]:
    """Each ``MIDDLEWARE`` entry that names a class of the project, with where it is defined."""
    for dotted in setting:
        located = _class_of(project, dotted)
        if located is not None:
            yield dotted, *located


def _class_of(project: Project, dotted: str) -> tuple[CodeIndex, Definition] | None:
    """The project's class a ``MIDDLEWARE`` entry names: by its name, in the package the entry's module
    names (``pretalx.common.middleware.EventMiddleware`` is defined in ``.../middleware/event.py``)."""
    package, _, name = dotted.rpartition(".")
    classes = [(i, d) for i, d in project.definitions.get(name, []) if d.kind == "class"]
    within = [c for c in classes if f".{package}." in f".{module_name(c[0].path)}."]
    return within[0] if len(within) == 1 else None


def behind_login_middleware(routes: Iterable[Route], middlewares: list[LoginMiddleware]) -> Iterator[Route]:
    """The routes judged unauthenticated but under a login middleware made ``unknown``."""
    return unknown_behind(routes, lambda route: next((m.name for m in middlewares if m.covers(route.path)), None))


#: calls of a ``process_view`` that refuse a caller without a permission
_PERMISSION_CALL = re.compile(r"(?i)permission|has_perm")


def authorization_middlewares(project: Project, setting: Iterable[str]) -> list[str]:
    """The classes named in ``MIDDLEWARE`` that the project defines and whose ``process_view`` checks a permission
    (``user_has_permission_or_403``, ``PermissionDenied``) before the view runs."""
    found: list[str] = []
    for dotted, index, cls in _project_classes(project, setting):
        scope = f"{cls.qualname}.process_view"
        calls = [c.raw.rsplit(".", 1)[-1] for c in index.calls if c.function == scope]
        if any(_PERMISSION_CALL.search(name) or REFUSALS.match(name) for name in calls):
            found.append(dotted)
    return found


def behind_authorization_middleware(routes: Iterable[Route], middlewares: list[str]) -> Iterator[Route]:
    """The routes not known to be authorized made ``unknown`` with the middleware as evidence, when one runs."""
    for route in routes:
        if not middlewares or route.authorized == YES:
            yield route
        else:
            yield replace(route, authorized=UNKNOWN, authz_evidence=(*route.authz_evidence, middlewares[0]))
