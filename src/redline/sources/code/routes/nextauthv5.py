"""NextAuth v5 (Auth.js) as a Next.js middleware: ``export { auth as middleware } from "@/auth"``, ``export default
auth``, ``export default NextAuth(authConfig).auth``, ``export const { auth: middleware } = NextAuth(authConfig)``,
or a middleware of its own handed to it, ``export default auth((req) => {…})``.

``auth`` is followed to the ``NextAuth(config)`` call that made it, in whichever module (through imports and
re-exports), and the config to its ``callbacks.authorized`` (written in place, or in an object spread into it from a
third module: ``NextAuth({ ...authConfig, providers })``; the object's own ``callbacks`` replace a spread one's).
As NextAuth runs it (``next-auth/src/lib/index.ts``, ``handleAuth``): without a wrapped middleware a falsy result
redirects to sign-in and a response is sent as it is; with one, only a response stops the request (a falsy
result lets the wrapped middleware run, which must refuse itself); with no ``authorized`` at all nothing is
refused. NextAuth's own endpoints (``/api/auth/…``) are never refused. What the callback decides per path comes
from the index's decision rows; a route any outcome but a refusal may reach is left as it was."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass

from redline.sources.code.model import CodeIndex, NextAuthFact
from redline.sources.code.routes.common import Project
from redline.sources.code.routes.nextdecision import Row, outcomes, own_path, refused_by
from redline.sources.code.routes.nextmiddleware import MiddlewareGuard, config_unread, matcher_of
from redline.sources.code.treesitter.jsnames import import_target, module_id

#: the names Next.js runs a middleware under
_EXPORTS = ("middleware", "proxy", "default")
#: how many imports and re-exports ``auth`` and a config are followed through
_DEPTH = 4
_UNKNOWN: tuple[Row, ...] = (((), "unknown"),)


def nextauth_guard(index: CodeIndex, project: Project) -> MiddlewareGuard | None:
    """The guard of a middleware made by NextAuth v5's ``auth``, or None when it is none or refuses nothing."""
    matcher = matcher_of(index)
    if matcher is None and config_unread(index):
        return None
    found = _Resolver(project).middleware(index)
    if found is None:
        return None
    evidence, authorized, wrapped = found
    if authorized is None and wrapped is None:
        return None  # no ``authorized`` callback: NextAuth lets every request through
    refuses = refused_by(authorized or _UNKNOWN) if wrapped is None else _wrapping(authorized, wrapped)
    return MiddlewareGuard(evidence, matcher, refuses=refuses)


def session_functions(indexes: Iterable[CodeIndex]) -> frozenset[str]:
    """``module.auth`` for each name a ``NextAuth(…)`` call's ``auth`` is bound to (``export const { auth } =
    NextAuth(…)`` in ``src/auth.ts`` -> ``src/auth.auth``): called with no argument in a handler, it reads the
    session, as ``getServerSession`` does in v4."""
    return frozenset(
        f"{module_id(index.path)}.{name}"
        for index in indexes
        for fact in index.nextauth
        if fact.kind == "instance"
        for name in fact.binds
        if name.isidentifier()
    )


def _wrapping(authorized: tuple[Row, ...] | None, wrapped: tuple[Row, ...]) -> Callable[[str], bool]:
    """``auth((req) => …)``: a response from ``authorized`` stops the request; any other answer (a falsy one too)
    runs the wrapped middleware, which must then answer with a response on every way through."""

    def refuses(route_path: str) -> bool:
        if own_path(route_path):
            return False
        first = outcomes(authorized, route_path) if authorized is not None else {"allow"}
        then = outcomes(wrapped, route_path)
        continues = bool(first & {"allow", "deny"})
        return bool(first) and first <= {"respond", "allow", "deny"} and (not continues or then == {"respond"})

    return refuses


@dataclass
class _Resolver:
    project: Project

    def middleware(self, index: CodeIndex) -> tuple[str, tuple[Row, ...] | None, tuple[Row, ...] | None] | None:
        """(evidence, the ``authorized`` decision or None, the wrapped middleware's decision or None) of a
        middleware module exporting NextAuth's ``auth``; None when it does not."""
        for fact in index.nextauth:
            if fact.kind == "wrapped" and set(fact.binds) & set(_EXPORTS):
                made = self.instance(index, fact.name, 0)
                if made is None:
                    return None
                rows, at = self.authorized(made[0], made[1].name, 0)
                evidence = f"NextAuth {fact.name}(…) ({index.path}:{fact.line})"
                return (f"{evidence}, authorized ({at})" if at else evidence), rows, fact.rows or _UNKNOWN
        made = self._exported_auth(index)
        if made is None:
            return None
        rows, at = self.authorized(made[0], made[1].name, 0)
        return f"NextAuth authorized ({at}) in {index.path}", rows, None

    def _exported_auth(self, index: CodeIndex) -> tuple[CodeIndex, NextAuthFact] | None:
        for name in _EXPORTS:
            found = self._member(index, name, 0)
            if found is not None:
                return found
        return None

    def instance(self, index: CodeIndex, name: str, depth: int) -> tuple[CodeIndex, NextAuthFact] | None:
        """The ``NextAuth(…)`` call whose ``auth`` the name (as this module writes it) is."""
        if depth > _DEPTH:
            return None
        local = next((f for f in index.nextauth if f.kind == "instance" and name in f.binds), None)
        if local is not None:
            return index, local
        head, _, rest = name.partition(".")
        imported = index.imported(head)
        if imported is None:
            return None
        return self._imported(f"{imported}.{rest}" if rest else imported, depth + 1)

    def _imported(self, target: str, depth: int) -> tuple[CodeIndex, NextAuthFact] | None:
        """``module.member`` or a module's default export (``module``), resolved in the modules of the project."""
        for module, member in self._splits(target):
            for candidate in self.project.by_module_id.get(module, []):
                found = self._member(candidate, member, depth)
                if found is not None:
                    return found
        return None

    def _splits(self, target: str) -> list[tuple[str, str]]:
        module, _, member = target.rpartition(".")
        found = [(module, member)] if module in self.project.by_module_id else []
        return [*found, (target, "default")] if target in self.project.by_module_id else found

    def _member(self, index: CodeIndex, member: str, depth: int) -> tuple[CodeIndex, NextAuthFact] | None:
        """What a module exports under ``member`` when it is a NextAuth instance's ``auth``: bound in place, a
        local name exported under it, or re-exported from another module."""
        if depth > _DEPTH:
            return None
        local = next((f for f in index.nextauth if f.kind == "instance" and member in f.binds), None)
        if local is not None:
            return index, local
        name = "module.exports" if member == "default" else f"exports.{member}"
        value = next((str(a.values[0]) for a in index.assignments if a.name == name and a.values), None)
        if value is None or "(" in value:
            return None
        spec, _, imported = value.rpartition(".")
        if spec.startswith("."):  # ``export { auth as middleware } from "./auth"``
            return self._imported(f"{import_target(index.path, spec)}.{imported}", depth + 1)
        if spec and spec in self.project.by_module_id:  # a re-export through a path alias, resolved
            return self._imported(value, depth + 1)
        return self.instance(index, value, depth + 1)

    def authorized(self, index: CodeIndex, config: str, depth: int) -> tuple[tuple[Row, ...] | None, str]:
        """The ``authorized`` decision of the config named ``config`` in ``index`` (None when it has none, unknown
        rows when it cannot be read) and where the callbacks holding it are written."""
        found = self._config(index, config, depth)
        if found is None:
            return _UNKNOWN, ""
        where, options = found
        if options.callbacks:
            return options.rows, f"{where.path}:{options.line}"
        for spread in reversed(options.spreads):  # the last spread object with callbacks wins
            from_spread = self._config(where, spread, depth + 1)
            if from_spread is None:
                return _UNKNOWN, ""
            decided = self.authorized(where, spread, depth + 1)
            if from_spread[1].callbacks or decided[0] is not None:
                return decided
        return None, ""

    def _config(self, index: CodeIndex, name: str, depth: int) -> tuple[CodeIndex, NextAuthFact] | None:
        if depth > _DEPTH or name == "?":
            return None
        local = next((f for f in index.nextauth if f.kind == "config" and f.name == name), None)
        if local is not None:
            return index, local
        imported = index.imported(name)
        if imported is None:
            return None
        for module, member in self._splits(imported):
            for candidate in self.project.by_module_id.get(module, []):
                local_name = member
                if member == "default":
                    local_name = next(
                        (str(a.values[0]) for a in candidate.assignments if a.name == "module.exports" and a.values),
                        "",
                    )
                found = self._config(candidate, local_name, depth + 1) if local_name else None
                if found is not None:
                    return found
        return None
