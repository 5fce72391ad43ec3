"""What a route's handler does, read from the code index of the file it is defined in: its calls, the
identity attributes it reads, its SQL literals, and whether it checks the caller itself. Shared by the
route-level rules; framework-neutral (a handler is a function or a class and its methods)."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, replace

from redline.sources.code.build import CHECKING_ATTRS
from redline.sources.code.model import CallSite, CodeIndex, StringFact
from redline.sources.code.refusals import answers_refusal
from redline.sources.code.routes import Route
from redline.sources.code.scopes import within

_CHECKING_CALLS = re.compile(
    r"^(is_admin|is_staff|is_superuser|is_owner|has_(\w+_)?perms?|has_(\w+_)?permissions?|has_role|check_perms?|"
    r"check_permissions?|check_object_permissions|require_\w+|authenticate\w*|login_required|verify_\w+|"
    r"authori[sz]e\w*|compare_digest|check_password|HttpResponseForbidden|PermissionDenied|HTTPForbidden|"
    r"HTTPUnauthorized|Forbidden|Unauthorized|assert_\w*allowed|\w*allowed_to_\w+|\w*_required)$"
)
_LOGIN_ATTRS = frozenset({"is_authenticated", "is_anonymous"})
#: a handler parameter that is the caller (FastAPI ``current_user: CurrentUser``), not an object id (``user_id``)
_CALLER_PARAM = re.compile(r"^(current_?\w*|user|me|owner|account|principal|identity|\w+_user)$", re.IGNORECASE)
_OWNERISH = re.compile(r"(user|owner|tenant|author|customer|member)", re.IGNORECASE)
#: a method whose name says it hands back only what the caller may reach, when given the request (karrio's
#: ``Shipment.access_by(request)``, ``objects.visible_to(request)``): the request carries the caller
_SCOPES = re.compile(r"access|visib|permit|allowed|scope|restrict", re.IGNORECASE)
_THE_REQUEST = frozenset({"request", "self.request", "req"})
#: a project helper named for checking, handed the request or the caller, checks who may go on (WebODM's
#: ``get_and_check_project(request, pk, ("change_project",))``, ``check_project_perms(request, project)``)
#: (a credential check, ``verify_signature(request)``, counts only with the refusal beside it: ``refuses_anonymous``)
_NAMED_A_CHECK = re.compile(r"(?:^|_)(?:check|ensure|assert)(?:_|$)", re.IGNORECASE)
#: the request, or the signed-in caller itself (not one of its attributes: ``current_user.password_hash``)
_THE_CALLER = _THE_REQUEST | {"request.user", "self.request.user", "current_user", "g.user"}
_DENIAL = re.compile(r"(401|403|FORBIDDEN|UNAUTHORIZED)")
_CREDENTIAL = re.compile(r"(key|token|secret|signature|passw|auth)", re.IGNORECASE)


@dataclass(frozen=True)
class Handler:
    index: CodeIndex
    line: int
    end_line: int
    calls: tuple[CallSite, ...]
    reads: tuple[str, ...]
    params: tuple[str, ...]
    tainted: tuple[str, ...]  # local names holding request values
    #: the handler's qualified name (a function, or a class with its methods)
    name: str = ""

    def sql(self) -> tuple[StringFact, ...]:
        return tuple(s for s in self.index.strings if s.kind == "sql" and self.line <= s.line <= self.end_line)


def handler_of(route: Route, by_path: dict[str, CodeIndex]) -> Handler | None:
    """The handler's facts: the function, or the class with every method of it."""
    index = by_path.get(route.handler_path)
    if index is None:
        return None
    definition = next((d for d in index.definitions if d.qualname == route.handler), None)
    if definition is None:
        return None
    params = [p for d in index.definitions if within(d.qualname, route.handler) for p in d.params]
    return Handler(
        index,
        definition.line,
        definition.end_line,
        tuple(c for c in index.calls if within(c.function, route.handler)),
        tuple(r for f, r in index.reads if within(f, route.handler)),
        tuple(params),
        tuple(t.name for t in index.tainted if within(t.function, route.handler)),
        route.handler,
    )


def inline_check(handler: Handler) -> str | None:
    """How the handler checks the caller itself, or None: an identity attribute that is a check, a
    permission or credential call, a 401/403 answer, or a key/token it reads from the request."""
    for read in handler.reads:
        if read.rsplit(".", 1)[-1] in CHECKING_ATTRS:
            return read
    for call in handler.calls:
        last = call.raw.rsplit(".", 1)[-1]
        if _CHECKING_CALLS.match(last):
            return f"{call.raw}()"
        if any(_DENIAL.search(str(a.literal) + (a.name or "")) for a in call.args):
            return f"{call.raw}(401/403)"
    if (helper := checks_through_a_helper(handler)) is not None:
        return helper
    credential = next((n for n in handler.tainted if _CREDENTIAL.search(n)), None)
    return f"reads {credential} from the request" if credential else None


def checks_through_a_helper(handler: Handler) -> str | None:
    """A project helper named for checking, handed the request or the caller (WebODM's ``get_and_check_project(
    request, pk, ("change_project",))``): it decides who may go on and refuses the others. The call, or None."""
    for call in handler.calls:
        if _NAMED_A_CHECK.search(call.raw.rsplit(".", 1)[-1]) and any(_the_caller(a.name) for a in call.args):
            return f"{call.raw}(request)"
    return None


def _the_caller(name: str | None) -> bool:
    return name in _THE_CALLER


#: calls that answer with a page rendered from a template (Django, Flask, Jinja, Starlette)
_RENDERS = frozenset({"render", "render_template", "render_to_response", "TemplateResponse"})


def renders_a_page(handler: Handler) -> bool:
    """The handler answers with an HTML page rendered from a template: something people read in a browser."""
    return any(call.raw.rsplit(".", 1)[-1] in _RENDERS for call in handler.calls)


#: answers that refuse the caller (Django, DRF, aiohttp, Werkzeug); ``abort(401)`` is read by its status
_REFUSALS = frozenset(
    {"HttpResponseForbidden", "PermissionDenied", "HTTPForbidden", "HTTPUnauthorized", "redirect_to_login"}
)


def refuses_anonymous(handler: Handler) -> str | None:
    """A logged-in test, or a check of a credential the request carries, and a refusal in the same handler
    (kitsune's ``if not user.is_authenticated: return HttpResponseForbidden(...)``, bank-of-anthos's ``if not
    verify_token(token): return abort(401)``): a guard written inline. A test that only picks what to show refuses
    nothing."""
    login = checks_login(handler) or verifies_a_credential(handler)
    if login is None:
        return None
    returned = next((s for fn, s in handler.index.returned_statuses if within(fn, handler.name)), None)
    if returned is not None:  # ``return "authentication denied", 401``
        return f"{login} then a {returned} answer"
    for call in handler.calls:
        if _refuses(call):
            return f"{login} then {call.raw}()"
    return None


#: a Flask-Principal permission, by the name it is reached through (OctoPrint's ``Permissions.PRINT``, the docs'
#: ``admin_permission``)
_PERMISSION = re.compile(r"permission", re.IGNORECASE)


def checks_a_permission(handler: Handler) -> str | None:
    """A Flask-Principal permission checked in the handler: ``with Permissions.PRINT.require(403):`` (the block
    answers 403 to a caller without it), or ``Permissions.ADMIN.can()`` with a refusal beside it (``abort(403)``).
    A ``can()`` that only picks what to show refuses nothing. The call, or None."""
    refuses = any(_refuses(call) for call in handler.calls)
    for call in handler.calls:
        receiver, _, last = call.raw.rpartition(".")
        if _PERMISSION.search(receiver) and (last == "require" or (last == "can" and refuses)):
            return f"{call.raw}()"
    return None


def _refuses(call: CallSite) -> bool:
    """The call answers the caller 401/403: a refusing class (``HttpResponseForbidden``), ``abort(401)``, or a
    response built with that status (DRF's ``Response(status=403)``: Grafana OnCall's Slack endpoints after
    ``verify_signature``)."""
    return call.raw.rsplit(".", 1)[-1] in _REFUSALS or answers_refusal(call)


#: calls that check a password a form posted (Werkzeug's ``check_password_hash``, bcrypt's ``checkpw``, Django's
#: ``check_password``, passlib's ``verify_password``)
_PASSWORD_CHECKS = frozenset({"check_password_hash", "checkpw", "check_password", "verify_password"})
#: calls that end the caller's session (Flask-Login, Django), and the session emptied by hand
_SIGN_OUTS = frozenset({"logout_user", "logout"})
_SESSION_ENDS = frozenset({"session.clear", "session.flush", "request.session.flush"})
#: how a handler names the signed-in caller (Django, Flask-Login, Flask's ``g``, Indico's ``session.user``)
_CALLER = re.compile(
    r"^(?:current_user|flask_login\.current_user|request\.user|self\.request\.user|g\.user|session\.user)(?:\.|$)"
)


def names_the_signed_in_caller(name: str) -> bool:
    """``request.user.id``, ``current_user``, ``session.user``: a read of who is signed in."""
    return _CALLER.match(name) is not None


def signs_in_or_out(handler: Handler) -> str | None:
    """The handler is a sign-in form — it checks a posted password and never reads a signed-in caller (ihatemoney's
    admin password form at ``/admin``; a password change reads ``request.user`` first) — or a sign-out
    (``logout_user()``, ``session.clear()``): meant for callers not signed in, or leaving. The call, or None."""
    for call in handler.calls:
        if call.raw.rsplit(".", 1)[-1] in _SIGN_OUTS or call.raw in _SESSION_ENDS:
            return f"{call.raw}()"
    if any(names_the_signed_in_caller(r) for r in (*handler.reads, *(c.raw for c in handler.calls))):
        return None
    return next((f"{c.raw}()" for c in handler.calls if c.raw.rsplit(".", 1)[-1] in _PASSWORD_CHECKS), None)


#: calls that check a credential the request carries (a token, a signature, an API key)
_VERIFIES = re.compile(
    r"^(?:verify|validate|check)_\w*(?:token|jwt|signature|auth|credentials?|api_?key)\w*$|^authenticate\w*$"
)


def verifies_a_credential(handler: Handler) -> str | None:
    """The call that checks a credential the request carries (``verify_token(token)``, a token decoded with the key
    that verifies its signature: ``jwt.decode(token, key=public_key, ...)``), or None."""
    for call in handler.calls:
        if _VERIFIES.match(call.raw.rsplit(".", 1)[-1]) or verified_decode(call):
            return f"{call.raw}()"
    return None


def verified_decode(call: CallSite) -> bool:
    """``jwt.decode(token, key, ...)``: a JWT decoded with the key that checks its signature, verification not
    switched off (``verify=False``, ``options={"verify_signature": False}``)."""
    if not call.raw.endswith("jwt.decode"):
        return False
    keyed = sum(a.keyword is None for a in call.args) >= 2 or any(a.keyword == "key" for a in call.args)
    switched_off = any(
        (a.keyword == "verify" and a.literal is False)
        or (a.keyword == "options" and "verify_signature=False" in a.items)
        for a in call.args
    )
    return keyed and not switched_off


def checks_login(handler: Handler) -> str | None:
    """The read that checks the caller is logged in (``request.user.is_authenticated``), or None."""
    return next((r for r in handler.reads if r.rsplit(".", 1)[-1] in _LOGIN_ATTRS), None)


def checks_more_than_login(handler: Handler) -> str | None:
    """``inline_check`` without the mere logged-in test: a role, permission, credential or 401/403 answer."""
    return inline_check(replace(handler, reads=_beyond_login(handler.reads)))


def _beyond_login(reads: tuple[str, ...]) -> tuple[str, ...]:
    """The reads minus a logged-in test and the ``request.user`` it is read through."""
    login = [r.rsplit(".", 1)[0] for r in reads if r.rsplit(".", 1)[-1] in _LOGIN_ATTRS]
    return tuple(r for r in reads if r.rsplit(".", 1)[-1] not in _LOGIN_ATTRS and r not in login)


def names_the_caller(handler: Handler, ids: Iterable[str] = ()) -> str | None:
    """Where the handler uses the caller or an owner (a filter by user, an ownership comparison, the caller
    passed to a lookup); a logged-in test alone does not count, nor the object's own id (``user_id`` in
    ``/users/{user_id}``) or model class (``User``)."""
    reads = _beyond_login(handler.reads)
    if reads:
        return reads[0]
    callers = {p for p in handler.params if _CALLER_PARAM.match(p)}
    skip = set(ids)
    for call in handler.calls:
        last = call.raw.rsplit(".", 1)[-1].lower()
        if "user" in last or "owner" in last:
            return f"{call.raw}()"
        if _SCOPES.search(last) and any(a.name in _THE_REQUEST for a in call.args):
            return f"{call.raw}(request)"
        for a in call.args:
            if a.name in callers or (a.name or "").split(".", 1)[0] in callers:
                return a.name
            for text in (a.keyword, a.name, a.call):
                if text and text not in skip and not text[:1].isupper() and _OWNERISH.search(text):
                    return text
    return None
