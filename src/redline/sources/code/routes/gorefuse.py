"""Go middleware that turns a caller away: a handler whose body answers 401 (or 403) and stops the chain, itself or
through a project helper that does (gotify's ``func (a *Auth) RequireClient(ctx *gin.Context)`` calls
``evaluateOr401``, which calls ``abort401``, which calls ``ctx.AbortWithError(401, ...)``). Such a middleware
authenticates whatever its name says. A name resolves to every project function or method of that name (the
receiver's type is rarely knowable from the route file); it counts only when every one of them refuses."""

from __future__ import annotations

import posixpath
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

from redline.core.filekinds import looks_like_test_or_sample
from redline.sources.code.model import Arg, CallSite, CodeIndex, Definition
from redline.sources.code.routes.common import Project

#: calls that answer with their first argument as the status and stop the request (gin's ``AbortWith*``, echo's
#: ``NewHTTPError`` returned as the error, Fiber's ``SendStatus``/``NewError``, ``w.WriteHeader`` without ``next``)
_STOPPING = frozenset({"AbortWithStatus", "AbortWithStatusJSON", "AbortWithError", "NewHTTPError", "NewError"})
_STOPPING |= frozenset({"SendStatus", "WriteHeader"})
#: gin calls that only write a status: a refusal when the same function also calls ``Abort()`` (without it gin
#: runs the next handler anyway)
_WRITING = frozenset({"JSON", "String", "Status", "Data", "IndentedJSON", "PureJSON", "XML"})
#: constructors of an error that carries the status the request is answered with (homebox's
#: ``return validate.NewRequestError(err, http.StatusUnauthorized)`` in an errchain middleware)
_ERROR_WITH_STATUS = re.compile(r"^New\w*Error$")
UNAUTHORIZED, FORBIDDEN = 401, 403
_STATUS_NAMES = {"StatusUnauthorized": UNAUTHORIZED, "StatusForbidden": FORBIDDEN}
#: words of a middleware's name that say a 403 is about something other than who calls (a CSRF token, the
#: request's origin or address, a rate): such a refusal is no authentication
_NOT_IDENTITY = frozenset({"csrf", "xsrf", "origin", "cors", "ip", "ips", "referer", "host", "limit", "limiter"})
_NOT_IDENTITY |= frozenset({"ratelimit", "throttle", "method", "content", "size", "foreign"})
#: words of a name that say a credential is looked at but not required (gotify's ``Auth.Optional``)
_OPTIONAL = frozenset({"optional", "maybe", "try", "soft"})
#: how many helper calls deep a refusal is followed
_DEPTH = 6

Key = tuple[str, str]  # (file, qualified name)
_Judge = Callable[[Key], "int | None"]
_WORD = re.compile(r"[A-Z]+(?![a-z])|[A-Z]?[a-z]+|[0-9]+")


def _status(arg: Arg | None) -> int | None:
    if arg is None:
        return None
    if isinstance(arg.literal, int) and not isinstance(arg.literal, bool):
        return arg.literal if arg.literal in {UNAUTHORIZED, FORBIDDEN} else None
    return _STATUS_NAMES.get((arg.name or "").rsplit(".", 1)[-1])


def _refused_with(calls: list[CallSite]) -> int | None:
    """The status the calls of one function refuse with (401 before 403), None when they do not."""
    aborts = any(c.raw.endswith(".Abort") for c in calls)
    found: set[int] = set()
    for call in calls:
        method = call.raw.rsplit(".", 1)[-1]
        if method in _STOPPING or (aborts and method in _WRITING):
            status = _status(call.args[0] if call.args else None)
        elif method == "Error" and len(call.args) == 3:  # ``http.Error(w, msg, http.StatusUnauthorized)``
            status = _status(call.args[2])
        elif _ERROR_WITH_STATUS.match(method):  # an error carrying the status, returned (an errchain handler)
            status = next((s for a in call.args if (s := _status(a)) is not None), None)
        else:
            continue
        if status is not None:
            found.add(status)
    return min(found, default=None)


def _name_words(name: str) -> frozenset[str]:
    """``RequireCSRFToken`` -> require, csrf, token; ``IPAllowlist`` -> ip, allowlist; ``auth.Optional`` -> auth,
    optional (an acronym is a word of its own, which ``core.secret_names.words`` does not split)."""
    return frozenset(w.lower() for w in _WORD.findall(name))


@dataclass
class Refusals:
    """Which Go functions of the project refuse a request, worked out once per route extraction."""

    project: Project
    _calls: dict[Key, list[CallSite]] = field(default_factory=dict)
    _returns: dict[Key, list[int]] = field(default_factory=dict)
    _by_name: dict[str, list[tuple[CodeIndex, Definition]]] = field(default_factory=dict)
    _nested: dict[Key, list[Key]] = field(default_factory=dict)
    _memo: dict[Key, int | None] = field(default_factory=dict)

    def __post_init__(self) -> None:
        for index in self.project.indexes:
            if index.language != "go" or looks_like_test_or_sample(index.path):
                continue
            for call in index.calls:
                self._calls.setdefault((index.path, call.function), []).append(call)
            for function, returned in index.returned_statuses:
                self._returns.setdefault((index.path, function), []).append(returned)
            for definition in index.definitions:
                if not definition.name.startswith("<"):
                    self._by_name.setdefault(definition.name, []).append((index, definition))
                owner, _, last = definition.qualname.rpartition(".")
                if owner and last.startswith("<anonymous"):
                    self._nested.setdefault((index.path, owner), []).append((index.path, definition.qualname))

    def middleware(self, index: CodeIndex, arg: Arg) -> bool | None:
        """Whether a middleware as written (``auth.RequireClient``, ``AuthRequired()``, a function literal) turns
        away a caller without credentials; None when the project does not define it (a library's middleware)."""
        written = arg.call or arg.name or ""
        owner, _, last = written.rpartition(".")
        if last.startswith("<anonymous"):
            status = self._status((index.path, written), 0)
        else:
            candidates = self._candidates(index, owner, last)
            if not candidates:
                return None
            judge = self._factory if arg.call is not None else self._itself_or_returned
            status = self._all_of(candidates, judge)
        if not _OPTIONAL.isdisjoint(_name_words(last)):
            return False
        return status == UNAUTHORIZED or (status == FORBIDDEN and _NOT_IDENTITY.isdisjoint(_name_words(written)))

    def _candidates(self, index: CodeIndex, owner: str, name: str) -> list[Key]:
        """The project functions ``owner.name`` may be: those of the package ``owner`` imports (its folder ends the
        import path), else every one of that name (``owner`` a value whose type is not known here)."""
        found = self._by_name.get(name, [])
        package = index.imported(owner) if owner and "." not in owner else None
        if package is not None:
            found = [(i, d) for i, d in found if package.endswith("/" + posixpath.dirname(i.path)) and "/" in package]
        return [(i.path, d.qualname) for i, d in found]

    def _all_of(self, candidates: list[Key], judge: _Judge) -> int | None:
        """The weakest refusal of the candidates; None when one of them does not refuse."""
        found = [judge(key) for key in candidates]
        return None if not found or None in found else max(s for s in found if s is not None)

    def _itself_or_returned(self, key: Key) -> int | None:
        """A middleware named, not called: its own body refuses (gin's ``func(ctx *gin.Context)``), or the handler
        literal it returns does (``func(next Handler) Handler { return HandlerFunc(func(w, r) ...) }``)."""
        own = self._status(key, 0)
        return own if own is not None else self._factory(key)

    def _factory(self, key: Key) -> int | None:
        return min((s for k in self._nested.get(key, []) if (s := self._status(k, 0)) is not None), default=None)

    def _status(self, key: Key, depth: int) -> int | None:
        if key in self._memo:
            return self._memo[key]
        self._memo[key] = None  # a cycle refuses nothing more
        calls = self._calls.get(key, [])
        returned = min(self._returns.get(key, []), default=None)  # ``return http.StatusUnauthorized, nil``
        found = [s for s in [_refused_with(calls), returned, *self._helpers(calls, depth)] if s is not None]
        self._memo[key] = min(found, default=None)
        return self._memo[key]

    def _helpers(self, calls: list[CallSite], depth: int) -> Iterator[int | None]:
        if depth >= _DEPTH:
            return
        for call in calls:
            name = call.raw.rsplit(".", 1)[-1]
            if name and name in self._by_name:
                candidates = [(i.path, d.qualname) for i, d in self._by_name[name]]
                yield self._all_of(candidates, lambda key: self._status(key, depth + 1))
