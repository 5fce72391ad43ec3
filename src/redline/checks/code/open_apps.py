"""An app with no notion of who its callers are: no route authenticates, none logs anyone in, none changes a
named record. Its state-changing routes are public forms by design (a poll's vote, a contact form) or an
internal service's API whose callers the network vouches for (a shop's assistant behind its frontend): a missing
login guard there is a product decision, not a forgotten check.

An app is told by its deployable unit: the deepest folder holding a Dockerfile or a Procfile above the route's
file (the whole project when there is none). Any route of the unit that authenticates, any login/sign-up/token
route, and any PUT/PATCH/DELETE or state-changing route with a path parameter (it changes a given record: anyone
could change anyone's) keeps every route of the unit judged.
"""

from __future__ import annotations

import posixpath
import re
from collections import defaultdict
from collections.abc import Iterable

from redline.core.folders import deepest_holding
from redline.sources.code.routes.model import YES, Route

#: paths of an authentication flow: an app that has one has users, so its open routes are forgotten guards
_AUTH_FLOW = re.compile(
    r"(?i)(^|/)(log-?in|log-?out|sign-?in|sign-?up|register|token|oauth2?|auth|session|password[-_]?reset|"
    r"reset[-_]?password|forgot[-_]?password)(/|$|\.)"
)
_PARAM = re.compile(r"<[^>]+>|\{[^}]+\}|/:\w+|\(\?P<")
_SAFE = frozenset({"GET", "HEAD", "OPTIONS", "POST"})


def unit_of(path: str, roots: Iterable[str]) -> str:
    """The deepest deployable unit folder holding ``path`` ("" for the project)."""
    return deepest_holding(path, roots) or ""


def unit_roots(deployment_files: Iterable[str]) -> set[str]:
    return {posixpath.dirname(p) for p in deployment_files}


#: a file the route serves, named by its path's last segment (``/client<token>.css``: the variable is a cache key)
_ASSET = re.compile(r"(?i)\.(?:css|js|mjs|map|xsl|xml|json|txt|png|jpe?g|gif|svg|ico|webp|woff2?)$")


def changes_a_record(route: Route) -> bool:
    """PUT/PATCH/DELETE, or a path that names the record it acts on (``/notes/<id>``); a variable in the name of
    a file the route serves (searxng's ``/client<token>.css``) names no record."""
    return rewrites(route) or (bool(_PARAM.search(route.path)) and not _ASSET.search(route.path))


def rewrites(route: Route) -> bool:
    """A PUT, PATCH or DELETE (or any method): more than reading or posting to what the path names."""
    return bool(set(route.methods) - _SAFE)


def _has_users(route: Route) -> bool:
    return route.authenticated == YES or bool(_AUTH_FLOW.search(route.path))


def open_units(routes: Iterable[Route], roots: Iterable[str]) -> set[str]:
    """The unit folders with no notion of users: their routes are open by design."""
    roots = tuple(roots)
    units: dict[str, list[Route]] = defaultdict(list)
    for route in routes:
        units[unit_of(route.handler_path, roots)].append(route)
    return {
        unit
        for unit, members in units.items()
        if not any(_has_users(r) for r in members) and not any(changes_a_record(r) for r in members if r.state_changing)
    }
