"""Deciding authenticated / authorized from the guard names that apply to a route."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field, replace

from redline.sources.code.routes.model import NO, UNKNOWN, YES, Route
from redline.sources.code.routes.settings import EntrypointSettings

_WRAPPER = re.compile(r"^(?:[\w.]*\.)?(Depends|Security)\((?P<inner>[\w.]*)(?P<rest>.*)\)$")


#: word parts of a guard's name that say it authenticates / checks a role (``get_current_active_user``,
#: ``CurrentUser``, ``get_current_active_superuser``, ``admin_only``), compared without underscores
AUTH_HINTS = (
    "currentuser",
    "currentactiveuser",
    "loginrequired",
    "authenticated",
    "authuser",
    "requireuser",
    "userrequired",  # privacyIDEA's ``@user_required``: a signed-in user (or admin) only
    "oauth2",
    "bearer",
    "apikey",
    "verifytoken",
    "jwtrequired",
    "tokenrequired",
    # JavaScript/TypeScript middleware and guards (``requireAuth``, ``ensureAuthenticated``, ``AuthGuard``)
    "requireauth",
    "ensureauth",
    "isauth",
    "checkauth",
    "verifyauth",
    "authguard",
    "loginguard",
    "jwtauth",
    "authjwt",
    "verifyjwt",
    "checkjwt",
    "expressjwt",
    "authenticatetoken",
    "authenticatejwt",
    "authenticateuser",
    "authmiddleware",
    "requirelogin",
    "ensureloggedin",
    "isloggedin",
    # Go middleware and interceptors (``AuthRequired()``, ``middleware.JWTWithConfig``, ``authInterceptor``)
    "authrequired",
    "jwt",
    "authenticationmiddleware",
    "authinterceptor",
    "authenticator",
    "restrict",  # Express's ``restrict`` middleware idiom
)
AUTHZ_HINTS = (
    "superuser",
    "admin",
    "permission",
    "rolerequired",
    "requirerole",
    "scope",
    "staff",
    "checkrole",
    "hasrole",
    "rolesguard",
    "authorize",
    "preauthorize",
    "rolesallowed",
    "secured",
    "restrictto",  # ``restrictTo('admin')``
    # the group-membership decorator Django projects write (kitsune's ``@group_required("Staff")``: anonymous
    # callers and callers outside the group get a 404)
    "grouprequired",
    "groupsrequired",
    # drf-access-policy's permission classes (pulpcore's DEFAULT_PERMISSION_CLASSES ``AccessPolicyFromDB``): each
    # request is allowed or denied by statements naming principals, actions and conditions
    "accesspolicy",
)


#: a guard the deployment may switch off (changedetection.io's ``login_optionally_required``: the password is
#: unset by default): whether the route is authenticated is not known from the code
_OPTIONAL_GUARD = re.compile(r"(?:login|auth)\w*optional|optional\w*(?:login|auth)")


def _any_of(hints: tuple[str, ...]) -> re.Pattern[str]:
    """One search for every hint (a word part anywhere in the name): the same answer as testing each hint in
    turn, which ran ~100,000 substring tests on the Django sdist's 767 routes."""
    return re.compile("|".join(re.escape(h) for h in hints))


_AUTH_HINTED = _any_of(AUTH_HINTS)
_AUTHZ_HINTED = _any_of(AUTHZ_HINTS)


def _hinted(key: str, hints: re.Pattern[str]) -> bool:
    return hints.search(key.replace("_", "")) is not None


def names_a_guard(name: str) -> bool:
    """Whether a name reads as an authentication or authorization guard (``AdminGuard``, ``requireAuth``)."""
    key = guard_key(name)
    return _hinted(key, _AUTH_HINTED) or _hinted(key, _AUTHZ_HINTED)


def declared_public(evidence: tuple[str, ...], settings: EntrypointSettings) -> bool:
    """Whether a route's evidence names a marker of a route public on purpose (``@Public()``, ``AllowAny``, a
    ``public_markers`` name), rather than only the absence of a guard."""
    return any(guard_key(name) in settings.public_markers for name in evidence)


def guard_key(name: str) -> str:
    """The guard a name says: ``login_required``, ``auth.login_required(...)``, or ``moderator_required ->
    user_passes_test`` (a project decorator and the guard it applies, ``django_decorators.applied_guards``).
    Flask-Principal's ``require`` says nothing alone, the permission it is called on does: the whole dotted name
    (OctoPrint's ``@Permissions.ADMIN.require(403)`` -> ``permissions.admin.require``)."""
    called = name.rsplit(" -> ", 1)[-1].split("(", 1)[0]
    receiver, _, last = called.rpartition(".")
    return called.lower() if last == "require" and receiver else last.lower()


@dataclass
class Guards:
    """The guard names that apply to one route, gathered from every place a framework puts them."""

    names: list[str] = field(default_factory=list)

    def add(self, names: Iterable[str]) -> None:
        self.names.extend(n for n in names if n)

    def judge(self, route: Route, settings: EntrypointSettings, *, default: str = UNKNOWN) -> Route:
        """The route with authenticated/authorized set; ``default`` when no guard is recognised
        (``no`` where the framework has no hidden place for one, ``unknown`` otherwise)."""
        auth: list[str] = []
        authz: list[str] = []
        public: list[str] = []
        optional: list[str] = []
        for name in self.names:
            match = _WRAPPER.match(name)
            key = guard_key(match.group("inner")) if match else guard_key(name)
            if _OPTIONAL_GUARD.search(key):
                optional.append(name)
                continue
            if match and "scopes=" in match.group("rest"):
                authz.append(name)
            if key in settings.authz_markers or _hinted(key, _AUTHZ_HINTED):
                authz.append(name)
            elif key in settings.auth_markers or _hinted(key, _AUTH_HINTED):
                auth.append(name)
            elif key in settings.public_markers:
                public.append(name)
        if authz:
            return replace(
                route,
                authenticated=YES,
                authorized=YES,
                auth_evidence=tuple(auth or authz),
                authz_evidence=tuple(authz),
            )
        if auth:
            return replace(route, authenticated=YES, authorized=UNKNOWN, auth_evidence=tuple(auth))
        if optional:
            return replace(route, authenticated=UNKNOWN, authorized=UNKNOWN, auth_evidence=tuple(optional))
        if public:
            return replace(route, authenticated=NO, authorized=NO, auth_evidence=tuple(public))
        return replace(route, authenticated=default, authorized=default)


def unknown_behind(routes: Iterable[Route], covering: Callable[[Route], str | None]) -> Iterator[Route]:
    """The routes judged unauthenticated made ``unknown`` where ``covering`` names a project guard they run behind
    (a Django login middleware, a Flask ``before_request`` hook) whose exemptions are decided at run time: it can
    only keep a route from being called unguarded, never vouch for it."""
    for route in routes:
        name = covering(route) if route.authenticated == NO else None
        if name is None:
            yield route
        else:
            yield replace(route, authenticated=UNKNOWN, authorized=UNKNOWN, auth_evidence=(*route.auth_evidence, name))
