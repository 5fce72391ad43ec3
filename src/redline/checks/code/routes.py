"""Rules about the entry points themselves: what a caller reaches without proving who they are."""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from pathlib import PurePosixPath

from redline.checks.code.action_layers import authorizing_action
from redline.checks.code.handlers import (
    Handler,
    checks_a_permission,
    checks_through_a_helper,
    handler_of,
    refuses_anonymous,
    signs_in_or_out,
)
from redline.checks.code.inherited_guards import Classes, inherited_access_check, project_classes
from redline.checks.code.open_apps import changes_a_record, open_units, rewrites, unit_of, unit_roots
from redline.checks.interface import CheckContext, ProjectCheck
from redline.core.facts import Facts
from redline.core.filekinds import looks_like_test_or_sample
from redline.core.model import Area, Confidence, Finding, Location, Severity, Skipped, ToolError
from redline.core.rules import Rule, RuleDoc
from redline.sources.code.model import CallSite, CodeIndex
from redline.sources.code.routes import RouteInventory
from redline.sources.code.routes.guards import declared_public
from redline.sources.code.routes.model import NO, Route, capability_url
from redline.sources.code.routes.settings import ENTRYPOINTS_SECTION, EntrypointSettings
from redline.sources.code.scopes import within
from redline.sources.containers.dockerfile import Dockerfile
from redline.sources.containers.procfile import Procfile

#: a path that is meant to be reached before logging in (the login form posts here)
_ANONYMOUS_BY_DESIGN = (
    "login",
    "logout",
    "log-out",
    "signout",
    "sign-out",
    "signin",
    "sign-in",
    "signup",
    "sign-up",
    "register",
    "token",
    "oauth",
    "callback",
    "webhook",
    "password-reset",
    "reset-password",
    "forgot",
    "password-recovery",
    "password-reminder",  # ihatemoney's, handled by ``remind_password``
    "remind-password",
    "reset_password",
    "password_recovery",
    "health",
    "csp-report",
    "graphql",
    "authenticat",  # passkeys.verifyAuthentication, /authenticate
)
#: a language switcher (Django's i18n ``set_language``, fiduswriter's ``/api/i18n/setlang/``): for any visitor; a
#: whole path segment or handler name (``reset_language`` is not one)
_LANGUAGE_SWITCHER = re.compile(r"(?:^|/)(?:setlang|set[-_]language)(?:/|$)")
_LANGUAGE_HANDLERS = frozenset({"set_language", "setlang"})
#: whole words of a path that name a sign-in flow or a webhook receiver (outline's RPC-style ``auth.config``,
#: ``passkeys.verifyAuthentication``, ``hooks.slack``); whole words, so ``authors.create`` is not ``auth``
_ANONYMOUS_WORDS = frozenset({"auth", "hooks", "hook", "passkey", "passkeys", "webauthn", "sso", "saml", "oidc"})
#: folders of sign-in modules: routes defined there are the flow that signs a caller in (``server/auth/email.ts``)
_SIGN_IN_FOLDERS = frozenset({"auth", "authentication", "login"})
_WORD_SPLIT = re.compile(r"[^a-z0-9]+")
#: an LTI 1.3 tool's sign-in flow: the platform's OIDC login, the launch it posts a signed id_token to, and the key set
#: it fetches (MediaCMS's ``/lti/launch/``); other ``/lti/`` paths (a platform's registration) are judged as any
_LTI_FLOW = re.compile(r"(?:^|/)lti(?:/|[-_.]).*?(?:launch|login|jwks)")

STATE_CHANGE_WITHOUT_AUTH = Rule(
    code="WEB101",
    name="state-changing-route-without-authentication",
    area=Area.SECURITY,
    severity=Severity.HIGH,
    summary="A route that changes state is reachable without authentication",
    tags=("CWE-306", "OWASP-A01"),
    doc=RuleDoc(
        what_it_does="Lists every HTTP route (Flask, FastAPI/Starlette, Django, aiohttp) with its prefixes "
        "resolved and flags a route declared for POST, PUT, PATCH or DELETE (a decorator's methods, a "
        "class-based view's `post`/`put`/`delete`, `require_POST`) that no authentication guard covers: "
        "no login decorator, authenticating dependency, mixin, "
        "permission class (drf-access-policy's `AccessPolicy` too, also as DRF's `DEFAULT_PERMISSION_CLASSES`; a "
        "view naming `permission_required` over a package's mixin), `before_request` guard or authenticating "
        "middleware recognised (a project decorator "
        "that applies one, such as `moderator_required` returning `user_passes_test(...)(view)`, counts as it; "
        "so do decorators a urls module gives a group of patterns with `decorated_patterns([login_required], "
        "...)` or `required(login_required, [...])`), "
        "and no app "
        "middleware that could hide one. Paths meant for anonymous callers (login, register, token, "
        "webhooks and `hooks`, `auth`, passkeys/WebAuthn/SSO, an LTI tool's login/launch/JWKS, health), routes "
        "defined in a sign-in module "
        "(an `auth/` or `login/` folder), sign-up handlers (`create_user`, `register_user`), sign-in forms (a handler "
        "that checks a posted password with `check_password_hash`/`checkpw` and reads no signed-in caller) and "
        "sign-outs (`logout_user()`, `session.clear()`) are left alone, and so "
        "are tests and samples. An app with no notion of users is left alone too: when no route of its "
        "deployable unit (the folder of its Dockerfile or Procfile, else the project) authenticates or belongs "
        "to a login/sign-up/token flow, and none is a PUT/PATCH/DELETE or takes a record's id in its path, its "
        "POST routes are public forms (a poll's vote) or an internal API its network vouches for. A route marked "
        "public on purpose (`@Public()`, `AllowAny`, a `public_markers` name) is a decision, not a "
        "forgotten guard, and is left alone unless it is a PUT/PATCH/DELETE or names a record in its path; a POST "
        "so marked that hands the caller (`request.user`, positionally) to the call that loads the record "
        "(`get_public_view_by_slug(request.user, slug)`) is left alone too: that call decides what an anonymous "
        "caller may do. A capability URL is left alone too: a path that carries a credential (a token, secret or "
        "signature, a compound key such as `<alert_channel_key>`, a share link's `:shareId`) and names no record "
        "besides, so that knowing the URL is the permission (an integration's webhook, a shared form). "
        "A guard the deployment may switch off (`login_optionally_required`), or a Flask app's own "
        "`before_request` hook that turns anonymous callers away, or a blueprint's `url_value_preprocessor` that "
        "takes a value out of the URL and redirects or aborts when the session does not vouch for the caller "
        "(the routes whose path holds that value), leaves its routes unknown, not unguarded; a "
        "handler that compares a record's owner with `request.user` guards itself, and so does one that hands the "
        "request or the caller to a helper named for checking (WebODM's `get_and_check_project(request, pk, "
        "perms)`), a class-based handler "
        "that inherits an access check (a method of the project's base classes named for access, permission, auth "
        "or require that reads the signed-in caller: Indico's `RHAdminBase._check_access`) or a CKAN view that "
        "reaches the data only through CKAN's action layer (`get_action(...)`, `check_access(...)`: every action "
        "checks access and raises `NotAuthorized`); a module that runs its own "
        'server under `if __name__ == "__main__":` is a deployable unit of its own. '
        "A Python handler that only reads (every call it makes a query that selects, a template, a response or a "
        "value converted: fiduswriter's POST `flatpage`) changes nothing and is left alone; any other call (a save, "
        "an update through the query, `settings.set`, a project helper) keeps it. A language switcher (`setlang`, "
        "`set_language`, a path segment or the handler's name) is for any visitor. "
        "A first-run setup page (a path or handler named `setup`, `install`, `onboarding`, `bootstrap`, `wizard` …) "
        "whose handler, before it writes anything, returns or raises once the install is set up (an existence "
        "query such as `Organization.query.first()`, a name such as `current_org`, or a settings flag; or a `try` "
        "that leaves once such a query succeeds) is "
        "reported at low: it is open only on a fresh install, to whoever reaches it first. "
        "Your own guards are declared with "
        "`[entrypoints] auth_markers`.",
        why_bad="Anyone who can reach the service can create, change or delete data through it: the most "
        "direct privilege escalation there is (OWASP A01, broken access control).",
        example='@app.post("/orders/<oid>/refund")\ndef refund(oid):\n    ...',
        use_instead='@app.post("/orders/<oid>/refund")\n@login_required\ndef refund(oid):\n    ...',
        references=(
            "https://cwe.mitre.org/data/definitions/306.html",
            "https://owasp.org/Top10/A01_2021-Broken_Access_Control/",
        ),
    ),
)


#: handlers that create an account: the sign-up endpoint, public by design even when it is POST /users
_SIGN_UP_HANDLERS = ("create_user", "create_account", "register_user", "user_create", "account_create")


def anonymous_by_design(route: Route) -> bool:
    handler = route.handler.rsplit(".", 1)[-1].lower()
    if handler in _SIGN_UP_HANDLERS or handler in _LANGUAGE_HANDLERS:
        return True
    path = route.path.lower()
    if _LANGUAGE_SWITCHER.search(path):
        return True
    if not _ANONYMOUS_WORDS.isdisjoint(_WORD_SPLIT.split(path)) or _LTI_FLOW.search(path):
        return True
    if not _SIGN_IN_FOLDERS.isdisjoint(part.lower() for part in PurePosixPath(route.file).parts[:-1]):
        return True
    return any(word in path for word in _ANONYMOUS_BY_DESIGN) or any(
        word.replace("-", "_") in route.handler.lower() for word in _ANONYMOUS_BY_DESIGN
    )


def _declared_public(route: Route, settings: EntrypointSettings, by_path: dict[str, CodeIndex]) -> bool:
    """Marked public on purpose (NestJS ``@Public()``, DRF ``AllowAny``, a name in ``[entrypoints]
    public_markers``): a decision, not a forgotten guard, and RPC-style APIs read through POST. A route so marked
    that still writes to the record its path names (``@Public() @Delete(':id')``) is kept: worth a second look,
    unless it is a POST whose handler hands the caller to the call that loads the record (baserow's public forms:
    ``get_public_view_by_slug(request.user, slug, …)``): that call decides what an anonymous caller may do."""
    if not declared_public(route.auth_evidence, settings):
        return False
    if not changes_a_record(route):
        return True
    return not rewrites(route) and _hands_the_caller_on(route, by_path)


def _hands_the_caller_on(route: Route, by_path: dict[str, CodeIndex]) -> bool:
    """A call of the handler takes the caller (``request.user``) as a positional argument: a service that decides
    for that user (``FormHandler().get_public_form(request.user, slug)``). A keyword (``owner=request.user``)
    records the caller on a record and decides nothing."""
    handler = handler_of(route, by_path)
    return handler is not None and any(
        a.keyword is None and a.name in _CALLER_READS for call in handler.calls for a in call.args
    )


#: what a module's ``if __name__ == "__main__":`` block calls to serve (``app.run``, ``server.serve_forever``,
#: aiohttp's ``web.run_app``, ``uvicorn.run``, waitress's ``serve``, gevent's ``WSGIServer``, wsgiref's
#: ``make_server``), by the callee's last name compared whole (``reserve``/``observe`` end with "serve")
_SERVES = frozenset({"serve", "WSGIServer", "make_server"})
#: the same for a method of a server or module only (a bare ``run()`` is any script's own function)
_SERVES_AS_METHOD = frozenset({"run", "serve_forever", "run_app"})


#: modules whose ``run`` is not a server's: ``subprocess.run`` runs another program, ``asyncio.run(main())`` (and
#: its likes) runs a coroutine to its end, which may be a batch job as well as a server
_RUNS_SOMETHING_ELSE = frozenset({"subprocess", "asyncio", "trio", "anyio", "uvloop"})


def _serves(raw: str) -> bool:
    owner, _, name = raw.rpartition(".")
    return name in _SERVES or (bool(owner) and owner not in _RUNS_SOMETHING_ELSE and name in _SERVES_AS_METHOD)


def _starts_a_server(index: CodeIndex) -> bool:
    """The module runs its own server when executed: a process of its own, so its folder is a deployable unit
    (LibrePhotos' ``service/exif/main.py``, an internal service the backend starts beside itself)."""
    first, last = index.main_guard
    return first > 0 and any(first <= c.line <= last and _serves(c.raw) for c in index.calls)


#: the signed-in caller as a Django/DRF handler reads it, and the attributes that name a record's owner
_CALLER_READS = frozenset({"request.user", "request.user.id", "request.user.pk", "self.request.user"})
_OWNER_ATTRS = frozenset({"owner", "owner_id", "user", "user_id", "author", "author_id", "created_by"})


def _judged_by_its_handler(route: Route, by_path: dict[str, CodeIndex], classes: Classes) -> bool:
    """The handler decides who may change the state itself — it compares a record's owner with the caller, refuses an
    anonymous caller, checks a Flask-Principal permission (OctoPrint's ``with Permissions.PRINT.require(403):``),
    hands the request to a helper named for checking (WebODM's ``get_and_check_project``), inherits an access check
    from a base class (Indico's ``RHAdminBase``), or reaches the data only through a layer that authorizes every action
    (CKAN's) — or it is a sign-in or sign-out form, meant for any caller, or it only reads."""
    handler = handler_of(route, by_path)
    return handler is not None and (
        _compares_the_owner(handler)
        or refuses_anonymous(handler) is not None
        or checks_a_permission(handler) is not None
        or checks_through_a_helper(handler) is not None
        or inherited_access_check(handler.index, route.handler, classes) is not None
        or authorizing_action(handler) is not None
        or signs_in_or_out(handler) is not None
        or _only_reads(handler)
    )


def _compares_the_owner(handler: Handler) -> bool:
    """The handler reads the caller and a record's owner (LibrePhotos' ``if photo.owner != request.user: return
    …``): an anonymous caller owns nothing, so the state change is refused to it — a guard written inline."""
    if not _CALLER_READS & set(handler.reads):
        return False
    assigned = {attr for fn, attr, _line in handler.index.writes if within(fn, handler.name)}  # photo.owner = …
    return any(
        not r.startswith(("request.", "self.request.")) and r.rsplit(".", 1)[-1] in _OWNER_ATTRS and r not in assigned
        for r in handler.reads
    )


#: words of a path or handler name that call a page the first-run setup (redash's ``/setup``, an ``/install`` wizard)
_SETUP_WORDS = frozenset(
    {
        "setup",
        "install",
        "installer",
        "installation",
        "onboarding",
        "bootstrap",
        "initialize",
        "initialise",
        "wizard",
        "init",
    }
)
#: the functions of a handler that may hold its guard: the handler itself, a class view's dispatch or writing method
_GUARDED_METHODS = frozenset({"dispatch", "post", "put", "patch", "delete"})


def _once(condition: str) -> str:
    """``current_org != None`` -> "`current_org != None` holds"; a ``try`` guard's "X succeeds" -> "`X` succeeds"."""
    query = condition.removesuffix(" succeeds")
    return f"`{query}` succeeds" if query != condition else f"`{condition}` holds"


def _first_run_guard(route: Route, by_path: dict[str, CodeIndex]) -> tuple[str, int] | None:
    """The condition and line of the guard that closes a setup page once the install is set up (``if current_org
    != None or settings.MULTI_ORG: return redirect("/")``, before any write), or None."""
    words = set(_WORD_SPLIT.split(route.path.lower())) | set(route.handler.rsplit(".", 1)[-1].lower().split("_"))
    index = by_path.get(route.handler_path)
    if index is None or _SETUP_WORDS.isdisjoint(words):
        return None
    for function, condition, line in index.first_run_guards:
        if within(function, route.handler) and (
            function == route.handler or function.rsplit(".", 1)[-1] in _GUARDED_METHODS
        ):
            return condition, line
    return None


def _route_evidence(route: Route, methods: str) -> dict[str, str]:
    """What a WEB101 finding records of its route."""
    return {
        "route": f"{methods} {route.path}",
        "handler": route.handler,
        "framework": route.framework,
        "authenticated": route.authenticated,
    }


#: methods that read, by their last name: Django's QuerySet methods that return rows, a string's or a mapping's
#: readers; anything else a handler calls (``save``, ``create``, ``delete``, ``settings.set``, ``send_mail``, a helper
#: of its own) may write
_READ_METHODS = frozenset(
    {
        *("filter", "exclude", "get", "first", "last", "all", "exists", "count", "values", "values_list"),
        *("order_by", "select_related", "prefetch_related", "only", "defer", "distinct", "annotate", "aggregate"),
        *("none", "using", "iterator", "in_bulk", "latest", "earliest"),
        *("format", "join", "split", "strip", "lower", "upper", "startswith", "endswith", "items", "keys"),
    }
)
#: functions that read, answer or convert, called by their own name
_READ_FUNCTIONS = frozenset(
    {
        *("get_object_or_404", "get_list_or_404", "get_current_site", "reverse", "gettext", "gettext_lazy", "_"),
        *("render", "render_to_string", "render_to_response", "get_template", "JsonResponse", "HttpResponse"),
        *("HttpResponseBadRequest", "HttpResponseNotFound", "HttpResponseForbidden", "Http404", "Response"),
        *("jsonify", "make_response", "abort", "render_template", "loads", "dumps"),
        *("int", "str", "float", "bool", "len", "list", "dict", "set", "tuple", "sorted", "min", "max", "sum"),
        *("enumerate", "zip", "range", "isinstance", "getattr", "hasattr"),
    }
)


#: the modules those functions are also called through (``json.loads``, ``shortcuts.render``), by resolved name: a
#: dotted call is otherwise a method (``session.user.settings.set`` resolves through ``flask.session`` to a ``set``)
_READ_MODULES = frozenset({"json", "django.shortcuts", "django.http", "django.urls", "flask"})


def _reads(call: CallSite) -> bool:
    """A call the lists above know: a function by its own name, or through one of ``_READ_MODULES``; a method by its
    last name on a dotted receiver."""
    if not call.raw:
        return False
    receiver, _, last = call.raw.rpartition(".")
    if not receiver:
        return last in _READ_FUNCTIONS
    module, _, function = (call.target or "").rpartition(".")
    return (module in _READ_MODULES and function in _READ_FUNCTIONS) or last in _READ_METHODS


def _only_reads(handler: Handler) -> bool:
    """A Python handler whose every call only reads or answers and which assigns no attribute (fiduswriter's POST
    ``flatpage``: ``FlatPage.objects.filter(...).first()`` into a ``JsonResponse``): posted to, it changes nothing.
    A call the lists do not know, a chained call they cannot name, a helper of the project's: it may write."""
    if handler.index.language != "python" or not handler.calls:
        return False
    if any(within(fn, handler.name) for fn, _attr, _line in handler.index.writes):
        return False
    return all(_reads(call) for call in handler.calls)


def _explicitly_state_changing(route: Route) -> bool:
    """POST/PUT/PATCH/DELETE declared; a view that answers every method (a Django function view without a
    method decorator) mostly only reads, so it is listed in the routes but not flagged."""
    return any(m in {"POST", "PUT", "PATCH", "DELETE"} for m in route.methods)


class RouteAuthenticationCheck(ProjectCheck):
    name = "route-authentication"
    rules = (STATE_CHANGE_WITHOUT_AUTH,)
    fact_types = (RouteInventory, Dockerfile, Procfile, CodeIndex)
    config_sections = (ENTRYPOINTS_SECTION,)

    def check(self, facts: Facts, ctx: CheckContext) -> Iterable[Finding | Skipped | ToolError]:
        indexes = facts.of(CodeIndex)
        starts = [i.path for i in indexes if _starts_a_server(i)]
        roots = unit_roots([d.path for d in facts.of(Dockerfile)] + [p.path for p in facts.of(Procfile)] + starts)
        settings = ctx.config.settings(ENTRYPOINTS_SECTION)
        by_path = {i.path: i for i in indexes}
        classes = project_classes(indexes)
        return [
            f
            for inventory in facts.of(RouteInventory)
            for f in self._judge(inventory, roots, settings, by_path, classes)
        ]

    def _judge(
        self,
        inventory: RouteInventory,
        roots: set[str],
        settings: EntrypointSettings,
        by_path: dict[str, CodeIndex],
        classes: Classes,
    ) -> Iterator[Finding]:
        live = [r for r in inventory.routes if not looks_like_test_or_sample(r.file)]
        open_by_design = open_units(live, roots)
        for route in live:
            if (
                route.authenticated != NO
                or not _explicitly_state_changing(route)
                or anonymous_by_design(route)
                or capability_url(route.path)
                or _declared_public(route, settings, by_path)
                or unit_of(route.handler_path, roots) in open_by_design
                or _judged_by_its_handler(route, by_path, classes)
            ):
                continue
            methods = ",".join(route.methods)
            first_run = _first_run_guard(route, by_path)
            if first_run is not None:
                yield self._first_run_page(route, methods, *first_run)
                continue
            yield self.finding(
                STATE_CHANGE_WITHOUT_AUTH,
                f"{methods} {route.path} ({route.framework}, handler {route.handler}) changes state and no "
                "authentication guard applies to it",
                Location(route.file, route.line, route.line),
                evidence=_route_evidence(route, methods),
                confidence=Confidence.MEDIUM,
                remediation=f"Require an authenticated caller on {route.path}: add the framework's login "
                "guard (Flask `@login_required`, FastAPI `Depends(get_current_user)`, Django "
                "`@login_required`/`LoginRequiredMixin`, aiohttp auth middleware), or declare your own guard "
                "in `[entrypoints] auth_markers`; if the route is public on purpose, mark it with the framework's "
                "public marker (or a name in `public_markers`) and check it cannot change a record it is not "
                "meant to, or suppress it with the reason.",
            )

    def _first_run_page(self, route: Route, methods: str, condition: str, line: int) -> Finding:
        """A setup page that refuses once the install is set up: it changes state only on a fresh install, where
        whoever reaches it first creates the first account (an installation takeover), not forever."""
        return self.finding(
            STATE_CHANGE_WITHOUT_AUTH,
            f"{methods} {route.path} ({route.framework}, handler {route.handler}) is a first-run setup page: it "
            f"refuses once {_once(condition)} (line {line}); until then whoever reaches a fresh install first "
            "sets it up",
            Location(route.file, route.line, route.line),
            evidence={**_route_evidence(route, methods), "first_run_guard": condition, "guard_line": line},
            confidence=Confidence.MEDIUM,
            severity=Severity.LOW,
            remediation=f"Keep a fresh install unreachable until {route.path} has been used (set it up before "
            "exposing the service), or require a one-time setup token the first start prints to the log.",
        )
