"""A Flask application's own ``before_request`` hook that turns anonymous callers away (SecureDrop's
journalist interface: ``if request.endpoint not in _insecure_views and not session.logged_in(): return
redirect(url_for("main.login"))``). Every blueprint registered on that app passes through it, but which
endpoints it exempts is decided at run time, so the app's routes judged unauthenticated become ``unknown``:
the hook can only stop WEB101 from firing, never vouch for a route. The same holds for a blueprint's
``url_value_preprocessor`` that takes a named value out of the URL and turns away a caller the session does not
vouch for (``ValueHook``): it covers the blueprint's routes whose path holds that value."""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from redline.sources.code.model import CodeIndex, Definition
from redline.sources.code.routes.common import arg, text
from redline.sources.code.routes.guards import unknown_behind
from redline.sources.code.routes.model import Route

#: attributes and calls that test whether the caller is signed in
_LOGIN_READS = frozenset({"is_authenticated", "is_anonymous"})
_LOGIN_CALLS = frozenset({"logged_in", "is_logged_in", "is_authenticated", "is_anonymous", "get_current_user"})
#: what a hook does to a caller it turns away
_REFUSALS = frozenset({"abort", "redirect"})
#: the exceptions a hook raises to turn a caller away (ihatemoney's ``Redirect303``, werkzeug's ``Forbidden``)
_REFUSING_EXCEPTION = re.compile(r"(?i)redirect|forbidden|unauthori[sz]ed|notfound|denied")


@dataclass(frozen=True)
class LoginHook:
    """A ``before_request`` hook of a Flask app that refuses anonymous callers, and the package the app is made in
    (its blueprints live there: ``securedrop/journalist_app/``)."""

    name: str
    package: str

    def covers(self, route: Route) -> bool:
        return route.framework == "flask" and route.file.startswith(self.package)


def refuses_anonymous(index: CodeIndex, definition: Definition) -> bool:
    """The hook tests the login state and aborts or redirects."""
    inside = definition.qualname
    calls = index.calls_in(inside)
    last = {c.raw.rsplit(".", 1)[-1] for c in calls if c.raw}
    tests = bool(last & _LOGIN_CALLS) or any(
        fn == inside and read.rsplit(".", 1)[-1] in _LOGIN_READS for fn, read in index.reads
    )
    return tests and bool(last & _REFUSALS)


def behind_login_hook(routes: Iterable[Route], hooks: list[LoginHook]) -> Iterator[Route]:
    """The routes judged unauthenticated but behind a login hook of their app made ``unknown``."""
    return unknown_behind(routes, lambda route: next((h.name for h in hooks if h.covers(route)), None))


@dataclass(frozen=True)
class ValueHook:
    """A ``url_value_preprocessor`` that takes ``value`` out of the URL and turns away a caller the session does not
    vouch for (ihatemoney's ``pull_project``: the project of ``/<project_id>/…`` only for a session that signed in
    to it, else a redirect to its password form)."""

    name: str
    value: str

    def covers(self, path: str) -> bool:
        """The path holds the value (``<project_id>``, ``<string:project_id>``)."""
        return f"<{self.value}>" in path or f":{self.value}>" in path


def value_hook(index: CodeIndex, definition: Definition) -> ValueHook | None:
    """The hook, when the function (``(endpoint, values)``) pops or gets a named URL value, tests the session or the
    login state, and aborts, redirects or raises a refusal."""
    if len(definition.params) < 2:
        return None
    values = definition.params[-1]
    calls = index.calls_in(definition.qualname)
    taken = [text(arg(c.args, 0, "key")) for c in calls if c.raw in (f"{values}.pop", f"{values}.get")]
    names = [c.raw.rsplit(".", 1)[-1] for c in calls if c.raw]
    tests = any(c.raw.startswith("session.") for c in calls) or not _LOGIN_CALLS.isdisjoint(names)
    refuses = any(n in _REFUSALS or _REFUSING_EXCEPTION.search(n) for n in names)
    value = next((t for t in taken if t), None)
    return ValueHook(definition.qualname, value) if value and tests and refuses else None
