"""Next.js middleware path patterns (``config.matcher``, Clerk's ``createRouteMatcher``, ``publicRoutes``) as
Next and Clerk read them: path-to-regexp syntax (``/api/:path*``, ``/(api|trpc)(.*)``, ``/((?!api/|_next/).*)``),
matched against the whole path, case-insensitively. And the concrete paths a route's URL stands for, so a
pattern can be tried on ``/api/links/[linkId]``."""

from __future__ import annotations

import re
from functools import lru_cache

#: a parameter's default pattern: one segment
_SEGMENT = r"[^/#?]+?"
_NAME = re.compile(r"[A-Za-z0-9_]+")


@lru_cache(maxsize=512)
def path_regex(pattern: str) -> re.Pattern[str] | None:
    """The compiled pattern, or None when it is not one this reader is sure of (a ``{…}`` group, unbalanced
    parentheses, a regex Python cannot compile): such a pattern is taken to cover nothing."""
    if not pattern.startswith("/") or "{" in pattern:
        return None
    out: list[str] = []
    i = 0
    while i < len(pattern):
        char = pattern[i]
        if char == "\\" and i + 1 < len(pattern):
            out.append(re.escape(pattern[i + 1]))
            i += 2
            continue
        if char not in ":(":
            out.append(re.escape(char))
            i += 1
            continue
        found = _parameter(pattern, i)
        if found is None:
            return None
        inner, i = found
        modifier = pattern[i] if i < len(pattern) and pattern[i] in "*+?" else ""
        i += len(modifier)
        prefix = out.pop() if out and out[-1] in {"/", r"\."} else ""
        out.append(_repeat(prefix, inner, modifier))
    try:
        return re.compile("^" + "".join(out) + "$", re.IGNORECASE)
    except re.error:
        return None


def _parameter(pattern: str, start: int) -> tuple[str, int] | None:
    """(the parameter's regex, the index after it) for ``:name``, ``:name(re)`` or ``(re)`` at ``start``."""
    i = start
    inner = _SEGMENT
    if pattern[i] == ":":
        name = _NAME.match(pattern, i + 1)
        if name is None:
            return None
        i = name.end()
    if i < len(pattern) and pattern[i] == "(":
        depth, j = 0, i
        while j < len(pattern):
            if pattern[j] == "\\":
                j += 2
                continue
            depth += {"(": 1, ")": -1}.get(pattern[j], 0)
            if depth == 0:
                break
            j += 1
        if depth != 0:
            return None
        inner, i = pattern[i + 1 : j], j + 1
    return inner, i


def _repeat(prefix: str, inner: str, modifier: str) -> str:
    """path-to-regexp's rendering of a parameter with its prefix (``/``) and modifier."""
    if modifier == "?":
        return f"(?:{prefix}(?:{inner}))?"
    if modifier == "*":
        return f"(?:{prefix}(?:{inner})(?:{prefix}(?:{inner}))*)?"
    if modifier == "+":
        return f"{prefix}(?:{inner})(?:{prefix}(?:{inner}))*"
    return f"{prefix}(?:{inner})"


def matches_every(pattern: str, route_path: str) -> bool:
    """Whether the pattern matches every path the route answers (each sample of its dynamic segments)."""
    compiled = path_regex(pattern)
    return compiled is not None and all(compiled.match(p) for p in samples(route_path))


def samples(route_path: str) -> list[str]:
    """Concrete paths for a route's URL: ``[id]`` -> one segment; ``[...slug]`` -> one and two segments;
    ``[[...slug]]`` -> none and one."""
    found = [""]
    for segment in (s for s in route_path.split("/") if s):
        if segment.startswith("[[..."):
            options = ["", "/sample"]
        elif segment.startswith("[..."):
            options = ["/sample", "/sample/more"]
        elif segment.startswith("["):
            options = ["/sample"]
        else:
            options = ["/" + segment]
        found = [f + o for f in found for o in options]
    return [f or "/" for f in found]


def may_match(pattern: str, route_path: str) -> bool:
    """Whether the pattern may match some path the route answers: a sample matches, the pattern is unreadable,
    or its fixed start runs past the route's fixed start into a dynamic segment (``/api/public(.*)`` against
    ``/api/[id]``, which answers ``/api/public`` too)."""
    compiled = path_regex(pattern)
    if compiled is None or any(compiled.match(p) for p in samples(route_path)):
        return True
    if "[" not in route_path:
        return False
    fixed = route_path.split("[", 1)[0]
    literal = re.split(r"[:(*+?\\]", pattern, maxsplit=1)[0]
    return literal.lower().startswith(fixed.lower()) and len(literal) > len(fixed)
