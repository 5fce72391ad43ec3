"""A middleware's decision rows (``treesitter/jsauthdecision.py``) read for one route: which outcomes a caller
without a session may meet on the paths the route answers. A path test holds for the route when it holds on
every path the route answers, fails when it holds on none, and is open otherwise (``pathname.startsWith("/api/s")``
against ``/api/[id]``, which answers ``/api/settings`` and ``/api/x``)."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable

from redline.sources.code.routes.nextpaths import samples

Row = tuple[tuple[str, ...], str]


def outcomes(rows: Iterable[Row], route_path: str) -> set[str]:
    """The outcomes of the rows whose conditions may all hold on the route's paths."""
    return {outcome for conditions, outcome in rows if all(_holds(c, route_path) is not False for c in conditions)}


#: NextAuth's own endpoints, which its middleware never refuses
OWN_PATHS = "/api/auth"
_REFUSALS = frozenset({"deny", "respond"})


def own_path(route_path: str) -> bool:
    return route_path == OWN_PATHS or route_path.startswith(OWN_PATHS + "/")


def refused_by(rows: tuple[Row, ...]) -> Callable[[str], bool]:
    """A NextAuth ``authorized`` callback with no middleware of the project's own behind it: a route is refused
    when every outcome its paths may meet is a falsy result (NextAuth redirects to sign-in) or a response."""

    def refuses(route_path: str) -> bool:
        found = outcomes(rows, route_path)
        return not own_path(route_path) and bool(found) and found <= _REFUSALS

    return refuses


#: NextAuth v4's calls that read the session, by resolved import: a route handler's or a middleware's read guards
#: only where it refuses a caller without the session (``session_required``)
NEXTAUTH_READERS = frozenset(
    {
        "next-auth.getServerSession",
        "next-auth/next.getServerSession",
        "next-auth/react.getSession",
        "next-auth/jwt.getToken",
    }
)


def session_required(rows: Iterable[Row], route_path: str) -> bool:
    """A handler or a middleware of the project's own that read the session (NextAuth's ``getServerSession`` /
    ``getToken``, the project's ``auth()``): it guards the route when, on the route's paths, every way a caller
    without the session may take ends in a refusal (401/403, a redirect, a throw) or a 405, and one refuses.
    Reading the token only to send signed-in callers elsewhere, to personalise or to log guards nothing."""
    found = outcomes(rows, route_path)
    return "refuse" in found and found <= {"refuse", "closed"}


def _holds(condition: str, route_path: str) -> bool | None:
    if condition == "?":
        return None
    negated = condition.startswith("!")
    test, _, literal = condition.removeprefix("!").partition(":")
    value = path_test(test, literal, route_path)
    return None if value is None else value != negated


def path_test(test: str, literal: str, route_path: str) -> bool | None:
    """``startsWith``/``endsWith``/``includes``/``equals`` of ``literal`` on every path of the route: True, False,
    or None when it holds on some and not others (or the test is not one of those)."""
    dynamic = "[" in route_path
    if test == "equals":
        if not dynamic:
            return route_path == literal
        return None if _pattern(route_path).fullmatch(literal) else False
    if test == "startsWith":
        fixed = route_path.split("[", 1)[0]
        if dynamic and literal.startswith(fixed) and len(literal) > len(fixed):
            return None  # the test reaches into a dynamic segment
        hits = {s.startswith(literal) for s in samples(route_path)}
        return hits.pop() if len(hits) == 1 else None
    if test == "endsWith":
        tail = route_path.rsplit("]", 1)[-1] if dynamic else route_path
        return tail.endswith(literal) if len(literal) <= len(tail) else None
    if test == "includes":
        if not dynamic:
            return literal in route_path
        return True if any(literal in part for part in re.split(r"\[[^\]]*\]+", route_path)) else None
    return None


def _pattern(route_path: str) -> re.Pattern[str]:
    """The paths a route answers: ``[id]`` one segment, ``[...slug]`` one or more, ``[[...slug]]`` none or more."""
    out = []
    for segment in (s for s in route_path.split("/") if s):
        if segment.startswith("[[..."):
            out.append("(?:/[^/]+)*")
        elif segment.startswith("[..."):
            out.append("(?:/[^/]+)+")
        elif segment.startswith("["):
            out.append("/[^/]+")
        else:
            out.append("/" + re.escape(segment))
    return re.compile("".join(out) or "/")
