"""What a Next.js ``middleware.ts`` (``proxy.ts`` from Next 16), at a project's root or in ``src/``, guarantees
about the routes it runs before. It runs on the paths its ``config.matcher`` names (every path without one); a
matcher entry with ``has``/``missing`` conditions is no guarantee, since the caller decides whether they hold.

Recognised, because the library says what they refuse:
- NextAuth's ``withAuth`` (or ``export { default } from "next-auth/middleware"``): every path needs a token,
  unless the options bring their own ``authorized`` callback: then the paths it refuses without a token
  (``nextdecision``);
- Clerk's ``authMiddleware``: every path but ``publicRoutes``/``ignoredRoutes`` (an ``afterAuth`` decides itself);
- Clerk's ``clerkMiddleware(handler)`` whose handler calls ``auth.protect()``/``redirectToSignIn()``: every path,
  or every path but a ``createRouteMatcher`` list named public (``isPublicRoute``), or only those of a list named
  protected (``isProtectedRoute``). Anything else in the handler (a path test, a helper of the project) could
  change who is refused, so the middleware is then not relied on.
NextAuth v5's ``auth`` (its ``authorized`` callback in another module) is read by ``nextauthv5``. A middleware doing
anything else (locales, headers, rewrites, its own session checks in helpers) leaves routes as they were."""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from functools import partial

from redline.sources.code.model import CallSite, CodeIndex, Definition
from redline.sources.code.routes.model import words
from redline.sources.code.routes.nextdecision import NEXTAUTH_READERS, refused_by, session_required
from redline.sources.code.routes.nextpaths import may_match, path_regex, samples
from redline.sources.code.scopes import within

_STEMS = ("middleware", "proxy")
_SUFFIXES = (".ts", ".js", ".mjs", ".mts", ".cjs", ".cts", ".tsx", ".jsx")
#: the names a middleware is exported under (``export default``, ``export function middleware``, Next 16's proxy)
_EXPORTS = frozenset({"default", "middleware", "proxy"})
_NEXTAUTH_DEFAULT = frozenset({"next-auth/middleware", "next-auth/middleware.default"})
_CLERK = ("@clerk/nextjs", "@clerk/nextjs/server")
#: words of a route matcher's name that say its paths are let through / are the ones refused
_PUBLIC_WORDS = frozenset({"public", "ignored", "ignore", "open", "unprotected", "anonymous", "unauthenticated"})
_PROTECTED_WORDS = frozenset({"protected", "private", "secure", "secured", "admin", "dashboard"})
#: calls a Clerk handler may make besides its protection and matchers without changing whom it refuses
_HARMLESS = re.compile(r"^(NextResponse|Response|console)(\.\w+)*$|^(URL|encodeURIComponent)$")
_CAMEL = re.compile(r"(?<=[a-z0-9])(?=[A-Z])")
#: other calls that read who the caller is, by resolved import
_SESSION_READERS = frozenset(
    {
        "iron-session.getIronSession",
        "better-auth/cookies.getSessionCookie",
        "jose.jwtVerify",
        "jsonwebtoken.verify",
    }
)
#: words of a cookie's name that say it holds the session (``session``, ``auth_token``, ``sid``)
_SESSION_COOKIE_WORDS = frozenset({"session", "token", "jwt", "sid", "auth"})
_SIGN_IN_WORDS = frozenset({"login", "signin", "sign", "auth", "unauthorized"})
_RESPONSES = frozenset({"NextResponse.json", "Response.json", "NextResponse", "Response"})


@dataclass(frozen=True)
class MiddlewareGuard:
    """The paths a middleware refuses without a signed-in caller."""

    evidence: str
    #: ``config.matcher`` patterns, None when the middleware runs on every path
    matcher: tuple[str, ...] | None
    #: the only patterns refused, () for every path the matcher covers
    protected: tuple[str, ...] = ()
    #: patterns let through without a caller
    public: tuple[str, ...] = ()
    #: for a middleware whose refusals depend on its own tests of the path (NextAuth v5's ``authorized``): whether
    #: it refuses a caller without a session on this route's path
    refuses: Callable[[str], bool] | None = field(default=None, compare=False)

    def covers(self, route_path: str) -> bool:
        """Whether every request to the route passes this middleware and is refused without a caller."""
        if self.matcher is not None and not _every_sample(self.matcher, route_path):
            return False
        if self.refuses is not None and not self.refuses(route_path):
            return False
        if self.protected and not _every_sample(self.protected, route_path):
            return False
        return not any(may_match(p, route_path) for p in self.public)


def _every_sample(patterns: tuple[str, ...], route_path: str) -> bool:
    compiled = [c for p in patterns if (c := path_regex(p)) is not None]
    return all(any(c.match(s) for c in compiled) for s in samples(route_path))


def middleware_file(root: str, by_path: Mapping[str, CodeIndex]) -> CodeIndex | None:
    """The middleware of the Next.js project at ``root`` ("" for the tree's root), if it was indexed."""
    base = f"{root}/" if root else ""
    for folder in ("", "src/"):
        for stem in _STEMS:
            for suffix in _SUFFIXES:
                found = by_path.get(f"{base}{folder}{stem}{suffix}")
                if found is not None:
                    return found
    return None


def matcher_of(index: CodeIndex) -> tuple[str, ...] | None:
    """The middleware's ``config.matcher`` patterns, None when it has none."""
    return next((tuple(str(v) for v in a.values) for a in index.assignments if a.name == "config.matcher"), None)


def middleware_guard(index: CodeIndex) -> MiddlewareGuard | None:
    """What the middleware refuses, or None when it is not a form whose refusals are known."""
    matcher = matcher_of(index)
    if matcher is None and config_unread(index):
        return None
    for a in index.assignments:
        if a.name.removeprefix("exports.") in _EXPORTS and a.values and str(a.values[0]) in _NEXTAUTH_DEFAULT:
            return MiddlewareGuard(f"next-auth/middleware ({index.path}:{a.line})", matcher)
    made = next((c for c in index.calls if not c.function and c.assigned_to in _EXPORTS), None)
    if made is None:
        return _session_check(index, matcher)
    evidence = f"{made.raw} ({index.path}:{made.line})"
    target = made.target or ""
    if target == "next-auth/middleware.withAuth":
        own_decision = any("authorized=" in item for arg in made.args for item in arg.items)
        if not own_decision:
            return MiddlewareGuard(evidence, matcher)
        read = next((f for f in index.nextauth if f.kind == "withauth" and f.rows is not None), None)
        if read is None or read.rows is None:
            return None
        return MiddlewareGuard(
            f"{evidence}, authorized ({index.path}:{read.line})", matcher, refuses=refused_by(read.rows)
        )
    if target in {f"{m}.authMiddleware" for m in _CLERK}:
        public = _clerk_public(made, index)
        return MiddlewareGuard(evidence, matcher, public=public) if public is not None else None
    if target in {f"{m}.clerkMiddleware" for m in _CLERK}:
        return _clerk_handler(made, index, matcher)
    return None


def _session_check(index: CodeIndex, matcher: tuple[str, ...] | None) -> MiddlewareGuard | None:
    """A middleware function of its own that reads the session. NextAuth's ``getToken``/``getServerSession``: by
    what it answers a caller without the token on each route's paths (``_nextauth_check``). A session cookie or a
    JWT verified: it refuses (401/403, a redirect to sign-in) with no other call: no path test, no helper of the
    project, nothing that could let some paths through."""
    function = _exported_function(index)
    if function is None:
        return None
    inside = _inside(index, function.qualname)
    nextauth = next((c for c in inside if c.target in NEXTAUTH_READERS), None)
    if nextauth is not None:
        return _nextauth_check(index, function.qualname, nextauth, matcher)
    readers = [c for c in inside if _reads_session(c)]
    refusals = [c for c in inside if _refuses(c)]
    others = [c for c in inside if c not in readers and c not in refusals]
    if not readers or not refusals or any(not _HARMLESS.match(c.raw) for c in others):
        return None
    return MiddlewareGuard(f"{readers[0].raw} + {refusals[0].raw} ({index.path}:{readers[0].line})", matcher)


def _nextauth_check(
    index: CodeIndex, function: str, reader: CallSite, matcher: tuple[str, ...] | None
) -> MiddlewareGuard | None:
    """NextAuth's ``getToken``/``getServerSession`` read by the middleware: the paths where every way a caller
    without the token may take is refused (``jsauthdecision``, as for a route handler's read); path tests are
    tried on each route's paths, anything else (a helper, a header) may go either way."""
    rows = next((r for fn, callee, _, r in index.session_decisions if fn == function and callee == reader.raw), None)
    if rows is None:
        return None
    evidence = f"{reader.raw}, refused without it ({index.path}:{reader.line})"
    return MiddlewareGuard(evidence, matcher, refuses=partial(session_required, rows))


def _exported_function(index: CodeIndex) -> Definition | None:
    """``export default function middleware``/``export function middleware``/``export const proxy = …``."""
    exported = {str(a.values[0]) for a in index.assignments if a.name == "module.exports" and a.values}
    return next(
        (d for d in index.definitions if d.qualname in exported or (d.qualname == d.name and d.name in _EXPORTS)),
        None,
    )


def _reads_session(call: CallSite) -> bool:
    if call.target in _SESSION_READERS:
        return True
    if not call.raw.endswith("cookies.get") or not call.args or not isinstance(call.args[0].literal, str):
        return False
    return not _SESSION_COOKIE_WORDS.isdisjoint(words(_CAMEL.sub("_", call.args[0].literal)))


def _refuses(call: CallSite) -> bool:
    """A 401/403 response, or a redirect to a sign-in page (``new URL("/login", req.url)``)."""
    status = {item for arg in call.args for item in arg.items} & {"status=401", "status=403"}
    if status and call.raw in _RESPONSES:
        return True
    if not call.raw.endswith("redirect"):
        return False
    shown = " ".join(
        str(part) for arg in call.args for part in (arg.literal, arg.name, *arg.call_args) if isinstance(part, str)
    )
    return not _SIGN_IN_WORDS.isdisjoint(words(shown))


def config_unread(index: CodeIndex) -> bool:
    """A ``config`` bound to something other than an object literal (a call, another name): its matcher, if any,
    is unknown, so the paths the middleware runs on are too."""
    return any(not c.function and c.assigned_to == "config" for c in index.calls) or any(
        a.name == "exports.config" for a in index.assignments
    )


def _clerk_public(call: CallSite, index: CodeIndex) -> tuple[str, ...] | None:
    """Clerk v4 ``authMiddleware``'s ``publicRoutes`` and ``ignoredRoutes``; None when ``afterAuth`` decides or a
    list is not written out."""
    options = dict(item.partition("=")[::2] for arg in call.args for item in arg.items)
    if "afterAuth" in options:
        return None
    public: list[str] = []
    for key in ("publicRoutes", "ignoredRoutes"):
        value = options.get(key)
        if value is None:
            continue
        listed = _listed(value, index)
        if listed is None:
            return None
        public.extend(listed)
    return tuple(public)


def _listed(value: str, index: CodeIndex) -> tuple[str, ...] | None:
    """The patterns of a rendered list (``[/,/sign-in(.*)]``), a string, or a module-level list's name."""
    if value.startswith("[") and value.endswith("]"):
        return tuple(v for v in value[1:-1].split(",") if v)
    if value.startswith("/"):
        return (value,)
    named = next((a for a in index.assignments if a.name == value), None)
    return tuple(str(v) for v in named.values) if named is not None else None


def _clerk_handler(call: CallSite, index: CodeIndex, matcher: tuple[str, ...] | None) -> MiddlewareGuard | None:
    handler = _handler(call, index)
    if handler is None:
        return None
    auth = handler.params[0] if handler.params else "auth"
    inside = _inside(index, handler.qualname)
    protects = [c for c in inside if c.raw in {f"{auth}.protect", f"{auth}.redirectToSignIn", "redirectToSignIn"}]
    lists = _route_matchers(index)
    used = {c.raw for c in inside if c.raw in lists}
    others = [c for c in inside if c not in protects and c.raw not in used and c.raw != auth]
    if not protects or any(not _HARMLESS.match(c.raw) for c in others):
        return None
    kinds = {_kind(name) for name in used}
    patterns = tuple(p for name in sorted(used) for p in lists[name])
    evidence = f"{call.raw} + {protects[0].raw} ({index.path}:{protects[0].line})"
    if not used:
        return MiddlewareGuard(evidence, matcher)
    if kinds == {"public"}:
        return MiddlewareGuard(evidence, matcher, public=patterns)
    if kinds == {"protected"}:
        return MiddlewareGuard(evidence, matcher, protected=patterns)
    return None


def _inside(index: CodeIndex, function: str) -> list[CallSite]:
    return [c for c in index.calls if within(c.function, function)]


def _handler(call: CallSite, index: CodeIndex) -> Definition | None:
    """The function given to ``clerkMiddleware`` (written in place or named)."""
    names = [a.name for a in call.args if a.name]
    return next((d for d in index.definitions if d.qualname in names), None)


def _route_matchers(index: CodeIndex) -> dict[str, tuple[str, ...]]:
    """Names bound to ``createRouteMatcher([...])`` -> their patterns (a written list or a module-level one)."""
    found: dict[str, tuple[str, ...]] = {}
    for c in index.calls:
        if c.function or not c.assigned_to or not (c.target or "").endswith(".createRouteMatcher") or not c.args:
            continue
        first = c.args[0]
        listed = first.items or (_listed(first.name, index) if first.name else None)
        if isinstance(first.literal, str):
            listed = (first.literal,)
        if listed:
            found[c.assigned_to] = tuple(listed)
    return found


def _kind(name: str) -> str:
    said = words(_CAMEL.sub("_", name))
    if not _PUBLIC_WORDS.isdisjoint(said):
        return "public"
    return "protected" if not _PROTECTED_WORDS.isdisjoint(said) else "other"
