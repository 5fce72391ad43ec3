"""CSRF, cookie, CORS, signing-key, markup and autoescape choices, read from module settings, class-based
configs and call keywords of the code index (never from syntax trees)."""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from redline.checks.code.hits import Hit, ModuleHit, flow_evidence, hit_finding, raw_taint
from redline.checks.code.inherited_guards import Classes, ancestors, project_classes
from redline.checks.code.settings_rules import (
    AUTOESCAPE_OFF,
    COOKIE_FLAGS_OFF,
    CORS_ANY_ORIGIN_WITH_CREDENTIALS,
    CSRF_DISABLED,
    HARDCODED_SIGNING_KEY,
    MARKUP_FROM_REQUEST,
)
from redline.checks.interface import CheckContext, ModuleCheck
from redline.core.facts import Facts, ModuleHead
from redline.core.filekinds import looks_like_test_or_sample
from redline.core.model import Finding
from redline.sources.code.model import Arg, CallSite, CodeIndex, Decorator
from redline.sources.code.routes import Route, RouteInventory, routes_by_handler
from redline.sources.code.routes.model import YES, words
from redline.sources.code.scopes import within

#: a settings module or config class for development, tests or CI: its choices are not production's
_DEV = re.compile(
    r"(^|[/_.-])(dev|devel|develop|development|local|test|tests|testing|ci|example|sample)([/_.-]|$)", re.I
)
_DEV_CLASS = re.compile(r"(dev|test|local|debug)", re.IGNORECASE)
_SETTINGS_MARKERS = frozenset({"INSTALLED_APPS", "MIDDLEWARE", "ROOT_URLCONF"})
_AUTH_COOKIE = re.compile(
    r"^(session|sessionid|sid|token|access_token|refresh_token|jwt|auth|auth_token|remember_token)$", re.I
)
#: a cookie name saying it holds or guards a credential; any other cookie set with ``httponly=False`` by name is one
#: the page's own script reads on purpose (rdmo's ``storeid``, a hash of the session key its store compares)
_CREDENTIAL_COOKIE = re.compile(r"sess|token|auth|jwt|(?:^|[-_])sid|csrf|xsrf|login|remember|secret|key", re.I)
_COOKIE_SETTERS = re.compile(r"(set_cookie|Storage|SessionMiddleware|session_middleware|setup)$")
_MARKUP = frozenset(
    {
        "django.utils.safestring.mark_safe",
        "django.utils.safestring.SafeString",
        "markupsafe.Markup",
        "flask.Markup",
        "jinja2.Markup",
    }
)
_TEMPLATE_ENGINES = frozenset({"Environment", "Template", "setup", "Engine", "setup_jinja"})
_TEMPLATE_MODULES = ("jinja2", "aiohttp_jinja2", "django.template")


def _kw(call: CallSite, name: str) -> Arg | None:
    return next((a for a in call.args if a.keyword == name), None)


def _deployed_settings(index: CodeIndex) -> bool:
    """Not development or test settings, nor Django's own defaults (``global_settings.py``)."""
    return not _DEV.search(index.path) and not index.path.endswith("global_settings.py")


def _settings_hits(index: CodeIndex) -> Iterator[Hit]:
    """Module-level Django/Flask settings: switches turned off, literal keys."""
    values = {a.name: a for a in index.assignments}
    if not _deployed_settings(index):
        return
    is_settings = bool(_SETTINGS_MARKERS & values.keys()) or index.path.endswith(("settings.py", "config.py"))
    for name, value, line in ((a.name, a.values, a.line) for a in index.assignments):
        yield from _switch(name, value, line, is_settings)


@dataclass(frozen=True)
class SessionsWithoutCsrf:
    """A MIDDLEWARE list with sessions and no ``CsrfViewMiddleware`` by that name. Whether one of its entries is the
    project's own subclass of it (jumpserver's ``jumpserver.middleware.CsrfCheckMiddleware``, which only adds a
    switch) is known once every module's classes are."""

    path: str
    line: int
    entries: tuple[str, ...]

    def hit(self) -> Hit:
        return Hit(
            CSRF_DISABLED,
            "MIDDLEWARE has sessions but no CsrfViewMiddleware: CSRF protection is off",
            None,
            self.line,
            {"setting": "MIDDLEWARE"},
            'Add "django.middleware.csrf.CsrfViewMiddleware" to MIDDLEWARE (after SessionMiddleware).',
        )


def _sessions_without_csrf(index: CodeIndex) -> Iterator[SessionsWithoutCsrf]:
    if not _deployed_settings(index):
        return
    middleware = next((a for a in index.assignments if a.name == "MIDDLEWARE"), None)
    if middleware is not None:
        entries = tuple(str(v) for v in middleware.values)
        names = " ".join(entries)
        if ("SessionMiddleware" in names or "AuthenticationMiddleware" in names) and "CsrfViewMiddleware" not in names:
            yield SessionsWithoutCsrf(index.path, middleware.line, entries)


def _extends_csrf(entry: str, classes: Classes) -> bool:
    """The MIDDLEWARE entry (``pkg.module.Class``) names a project class that is, a few bases up, Django's
    ``CsrfViewMiddleware``: it checks the CSRF token as Django's does, plus what it overrides."""
    own = classes.get(entry.rsplit(".", 1)[-1])
    return own is not None and any(
        base.rsplit(".", 1)[-1] == "CsrfViewMiddleware" for _, d in ancestors(*own, classes) for base in d.bases
    )


def _switch(name: str, value: tuple[object, ...], line: int, is_settings: bool) -> Iterator[Hit]:
    """One ``NAME = literal`` setting (module level or a config class attribute)."""
    single = value[0] if len(value) == 1 else object()
    if name == "WTF_CSRF_ENABLED" and single in (False, "False"):
        yield Hit(
            CSRF_DISABLED,
            "WTF_CSRF_ENABLED = False switches Flask-WTF's CSRF protection off",
            None,
            line,
            {"setting": name},
            "Leave WTF_CSRF_ENABLED on (the default) outside tests.",
        )
    elif name in {"SESSION_COOKIE_HTTPONLY", "SESSION_COOKIE_SECURE", "CSRF_COOKIE_SECURE"} and single in (
        False,
        "False",
    ):
        yield Hit(
            COOKIE_FLAGS_OFF,
            f"{name} = False",
            None,
            line,
            {"setting": name},
            f"Set {name} = True (production settings), or leave the secure default.",
        )
    elif name == "SESSION_COOKIE_SAMESITE" and single in ("None",):
        yield Hit(
            COOKIE_FLAGS_OFF,
            "SESSION_COOKIE_SAMESITE = 'None' sends the session with every cross-site request",
            None,
            line,
            {"setting": name},
            'Use SESSION_COOKIE_SAMESITE = "Lax" (the default).',
        )
    elif name == "SECRET_KEY" and is_settings and isinstance(single, str) and len(single) >= 8 and "{" not in single:
        yield Hit(
            HARDCODED_SIGNING_KEY,
            f"SECRET_KEY is a literal ({len(single)} characters) in the settings",
            None,
            line,
            {"setting": name, "length": str(len(single))},
            'Read the key from the environment or a secret store (`SECRET_KEY = os.environ["SECRET_KEY"]`), '
            "fail at start-up when it is missing, and rotate the committed one.",
        )


def _class_config_hits(index: CodeIndex) -> Iterator[Hit]:
    """Flask-style config classes (``class ProductionConfig: SECRET_KEY = "..."``)."""
    for d in index.definitions:
        if d.kind != "class" or _DEV_CLASS.search(d.name) or not d.name.lower().endswith(("config", "settings")):
            continue
        lines = d.class_attr_lines if len(d.class_attr_lines) == len(d.class_attrs) else ()
        for position, (name, values) in enumerate(d.class_attrs):
            literal: tuple[object, ...] = tuple({"False": False, "True": True}.get(v, v) for v in values)
            if name == "SECRET_KEY" and values and re.fullmatch(r"[A-Za-z_][\w.]*", values[0]):
                continue  # the index keeps a name (``KEY``, ``env.KEY``) like a string: only clear literals count
            # the attribute's own line (flaskbb's DefaultConfig.SECRET_KEY is line 172 of a class begun at 18)
            yield from _switch(name, literal, lines[position] if lines else d.line, is_settings=True)


def _call_hits(call: CallSite, index: CodeIndex) -> Iterator[Hit]:
    yield from _config_update(call)
    yield from _cookie(call)
    yield from _cors(call)
    autoescape = _kw(call, "autoescape")
    engine = call.raw.rsplit(".", 1)[-1] in _TEMPLATE_ENGINES and any(
        q.startswith(_TEMPLATE_MODULES) for _, q in index.imports
    )
    if autoescape is not None and autoescape.literal is False and engine:
        yield Hit(
            AUTOESCAPE_OFF,
            f"{call.raw}(autoescape=False) renders every variable unescaped",
            call,
            call.line,
            {"setting": "autoescape=False"},
            "Turn autoescaping on (`autoescape=select_autoescape(['html', 'xml'])` or `True`) and mark the "
            "few trusted values safe one by one.",
        )
    if call.target in _MARKUP and not _made_text_again(call, index):
        taint = raw_taint(
            call,
            frozenset({"0", "s", "base"}),
            frozenset({"escape", "conditional_escape", "urlencode", "quote", "quote_plus"}),
        )
        if taint is not None:
            yield Hit(
                MARKUP_FROM_REQUEST,
                f"request data marked safe HTML by {call.raw} (XSS)",
                call,
                call.line,
                flow_evidence(call, taint),
                "Let the template escape the value; if some markup is needed, sanitise it with an allow-list "
                "HTML sanitiser (nh3, bleach) before marking it safe, or build it with `format_html`.",
            )


#: ``Markup`` methods that return plain text: ``Markup(x).unescape()`` is ``x`` with its entities decoded, not
#: marked safe (janeczku/calibre-web's book comments); the template escapes it again
_TO_TEXT = ("unescape", "striptags")


def _made_text_again(call: CallSite, index: CodeIndex) -> bool:
    """The marked value is turned back into text on the same line (``Markup(x).unescape()``)."""
    chained = {f"{call.raw}.{m}" for m in _TO_TEXT}
    return any(c.line == call.line and c.raw in chained for c in index.calls_in(call.function))


def _config_update(call: CallSite) -> Iterator[Hit]:
    if not call.raw.endswith((".config.update", ".config.from_mapping", "config.update")):
        return
    for a in call.args:
        if a.keyword:
            yield from (
                Hit(h.rule, h.message, call, call.line, h.evidence, h.remediation)
                for h in _switch(a.keyword, (a.literal,), call.line, is_settings=True)
            )


def _cookie(call: CallSite) -> Iterator[Hit]:
    last = call.raw.rsplit(".", 1)[-1]
    if not _COOKIE_SETTERS.search(last):
        return
    name = call.args[0].literal if call.args else None
    readable = last == "set_cookie" and isinstance(name, str) and not _CREDENTIAL_COOKIE.search(name)
    flags = ("secure",) if readable else ("httponly", "secure")
    off = [f"{k}=False" for k in flags if (a := _kw(call, k)) is not None and a.literal is False]
    samesite = _kw(call, "samesite")
    if (
        samesite is not None
        and samesite.literal == "None"  # the string: ``samesite=None`` (the Python value) sets no attribute
        and not any(a.keyword == "secure" and a.literal is True for a in call.args)
    ):
        off.append("samesite=None")
    if not off and last == "set_cookie" and isinstance(name, str) and _AUTH_COOKIE.match(name):
        off += ["no httponly flag"] if _kw(call, "httponly") is None else []
    if off:
        yield Hit(
            COOKIE_FLAGS_OFF,
            f"{call.raw}: cookie set with {', '.join(off)}",
            call,
            call.line,
            {"flags": ", ".join(off)},
            "Set session and token cookies with `httponly=True, secure=True, samesite='Lax'`.",
        )


def _cors(call: CallSite) -> Iterator[Hit]:
    first = call.args[0].name if call.args and call.args[0].keyword is None else None
    starlette = (first or "").endswith("CORSMiddleware") or (call.target or "").endswith("CORSMiddleware")
    flask = call.target in {"flask_cors.CORS", "flask_cors.cross_origin"}
    if starlette:
        origins, regex, creds = (
            _kw(call, "allow_origins"),
            _kw(call, "allow_origin_regex"),
            _kw(call, "allow_credentials"),
        )
        anywhere = (origins is not None and "*" in origins.items) or (
            regex is not None and regex.literal in {".*", ".+"}
        )
        ok = creds is not None and creds.literal is True and anywhere
    elif flask:
        origins, creds = _kw(call, "origins"), _kw(call, "supports_credentials")
        anywhere = origins is None or origins.literal == "*" or "*" in origins.items
        ok = creds is not None and creds.literal is True and anywhere
    else:
        return
    if ok:
        evidence = {"setting": "any origin + credentials"}
        if flask and origins is None:
            evidence["origins"] = _FROM_APP_CONFIG
        yield Hit(
            CORS_ANY_ORIGIN_WITH_CREDENTIALS,
            f"{call.raw}: CORS allows any origin with credentials",
            call,
            call.line,
            evidence,
            'List the origins that may call with credentials (`allow_origins=["https://app.example.com"]`); '
            "keep `*` only for public, cookie-less endpoints.",
        )


#: a Flask-CORS call without ``origins``: it takes the app's ``CORS_ORIGINS``, ``*`` only when that is not set
_FROM_APP_CONFIG = "app config CORS_ORIGINS, else *"


def _configured_origins(indexes: Iterable[CodeIndex]) -> tuple[object, ...]:
    """The origins the project's settings give Flask-CORS (``CORS_ORIGINS = [...]`` in a settings module or a
    config class outside development and tests), every value of every such setting; () when none sets it."""
    found: list[object] = []
    for index in indexes:
        if index.language != "python" or looks_like_test_or_sample(index.path) or _DEV.search(index.path):
            continue
        found += [v for a in index.assignments if a.name == "CORS_ORIGINS" for v in (a.values or ("*",))]
        for d in index.definitions:
            if d.kind == "class" and not _DEV_CLASS.search(d.name):
                found += [v for name, values in d.class_attrs if name == "CORS_ORIGINS" for v in (values or ("*",))]
    return tuple(found)


def _origins_listed(indexes: Iterable[CodeIndex]) -> bool:
    """The project's settings list the origins Flask-CORS answers, none of them any origin (alerta's
    ``CORS_ORIGINS = ['http://localhost', …]``, which its ``@cross_origin(supports_credentials=True)`` takes)."""
    origins = _configured_origins(indexes)
    return bool(origins) and not any(str(o).strip() in {"*", ".*", ".+", "^.*$"} for o in origins)


def _django_cors(index: CodeIndex) -> Iterator[Hit]:
    values = {a.name: a for a in index.assignments}
    anywhere = next((values[n] for n in ("CORS_ALLOW_ALL_ORIGINS", "CORS_ORIGIN_ALLOW_ALL") if n in values), None)
    creds = values.get("CORS_ALLOW_CREDENTIALS")
    if anywhere and creds and anywhere.values == (True,) and creds.values == (True,) and not _DEV.search(index.path):
        yield Hit(
            CORS_ANY_ORIGIN_WITH_CREDENTIALS,
            f"{anywhere.name} = True with CORS_ALLOW_CREDENTIALS = True",
            None,
            anywhere.line,
            {"setting": anywhere.name},
            "Set CORS_ALLOWED_ORIGINS to the front-end origins and drop the allow-all switch.",
        )


@dataclass(frozen=True)
class CsrfExempt:
    """A view exempted from CSRF protection, found in its module: whether that matters (a login guard on its
    route) is known only once every module's routes are."""

    path: str
    qualname: str
    mark: Decorator


#: what the per-module half leaves for ``finish``
Partial = ModuleHit | SessionsWithoutCsrf | CsrfExempt


class SettingsCheck(ModuleCheck):
    name = "code-settings"
    rules = (
        CSRF_DISABLED,
        COOKIE_FLAGS_OFF,
        CORS_ANY_ORIGIN_WITH_CREDENTIALS,
        HARDCODED_SIGNING_KEY,
        MARKUP_FROM_REQUEST,
        AUTOESCAPE_OFF,
    )
    fact_types = (CodeIndex,)
    project_fact_types = (RouteInventory,)

    def reads(self, module: ModuleHead) -> bool:
        return not looks_like_test_or_sample(module.path)

    def check_module(self, fact: CodeIndex, ctx: CheckContext) -> Iterable[Partial]:
        index = fact
        if not self.reads(index):
            return []
        hits = [*_settings_hits(index), *_class_config_hits(index), *_django_cors(index)]
        hits += [h for call in index.calls for h in _call_hits(call, index)]
        return [
            *(ModuleHit(index.path, hit, index.language) for hit in hits),
            *_sessions_without_csrf(index),
            *_csrf_exempt(index),
        ]

    def finish(self, partials: list[Partial], facts: Facts, ctx: CheckContext) -> Iterable[Finding]:
        routes = routes_by_handler(facts.of(RouteInventory))
        keyed = _CredentialGuards(facts.of(CodeIndex))
        from_config = any(
            isinstance(p, ModuleHit) and p.hit.evidence.get("origins") == _FROM_APP_CONFIG for p in partials
        )
        listed = from_config and _origins_listed(facts.of(CodeIndex))  # the settings are read only when asked
        found: list[Finding] = []
        middleware = [p for p in partials if isinstance(p, SessionsWithoutCsrf)]
        if middleware:  # the project's classes are listed only when a MIDDLEWARE list lacks Django's own
            classes = project_classes(i for i in facts.of(CodeIndex) if i.language == "python")
            found += [
                hit_finding(self, m.path, m.hit(), None)
                for m in middleware
                if not any(_extends_csrf(entry, classes) for entry in m.entries)
            ]
        for p in partials:
            if isinstance(p, SessionsWithoutCsrf):
                continue
            if isinstance(p, ModuleHit):
                if listed and p.hit.evidence.get("origins") == _FROM_APP_CONFIG:
                    continue  # the app's CORS_ORIGINS, not any origin, answers the credentialed call
                own = p.restored(self)
                found.append(hit_finding(self, own.path, own.hit, own.reached(routes)))
                continue
            route = routes.get((p.path, p.qualname))
            hit = None if route is None or keyed.all_of(route.auth_evidence) else _csrf_hit(p, route)
            if hit is not None:
                found.append(hit_finding(self, p.path, hit, None))
        return found


#: what a guard's name or its own code holds when it authenticates with a key the caller sends in a header or the
#: body (``Project.objects.for_api_key(...)``), which a browser does not send by itself as it does a cookie
_CREDENTIAL = re.compile(r"(?i)api_?key|token|jwt|bearer|signature")


class _CredentialGuards:
    """The project's guard decorators that check an API key or token, by name: a view they guard is not reached
    with the session cookie, so exempting it from CSRF protection is right (healthchecks' ``@authorize_read``
    reads ``X-Api-Key``)."""

    def __init__(self, indexes: Iterable[CodeIndex]) -> None:
        self._indexes = [i for i in indexes if i.language == "python"]
        self._known: dict[str, bool] = {}

    def all_of(self, guards: Iterable[str]) -> bool:
        names = [g.lstrip("@").split("(", 1)[0] for g in guards]
        return bool(names) and all(self._keyed(name) for name in names)

    def _keyed(self, name: str) -> bool:
        if name not in self._known:
            short = name.rsplit(".", 1)[-1]
            self._known[name] = bool(_CREDENTIAL.search(short)) or any(
                _CREDENTIAL.search(call.raw)
                for index in self._indexes
                for d in index.definitions
                if d.name == short and d.kind == "function"
                for call in index.calls
                if within(call.function, d.qualname)
            )
        return self._known[name]


def _csrf_exempt(index: CodeIndex) -> Iterator[CsrfExempt]:
    """``@csrf_exempt`` (or ``method_decorator(csrf_exempt)``) on a definition of the module."""
    for d in index.definitions:
        marks = [x for x in d.decorators if x.raw.endswith(("csrf_exempt", "csrf.exempt"))]
        marks += [
            x
            for x in d.decorators
            if x.raw.endswith("method_decorator") and any((a.name or "").endswith("csrf_exempt") for a in x.args)
        ]
        if marks:
            yield CsrfExempt(index.path, d.qualname, marks[0])


#: words of a path that name a receiver of another service's calls: it authenticates them by a shared secret or a
#: signature, never by a browser's session cookie (DefectDojo's ``/webhook/<secret>``, ``/github-webhook``)
_RECEIVER_WORDS = frozenset({"webhook", "webhooks", "hook", "hooks", "callback", "callbacks"})


def _csrf_hit(exempt: CsrfExempt, route: Route | None) -> Hit | None:
    """The exemption on a view a login guard protects: the session cookie authenticates it. A webhook receiver's
    exemption is its setup: the other service posts without a CSRF token (and a login middleware exempts it at run
    time)."""
    if route is None or route.authenticated != YES:
        return None
    if not _RECEIVER_WORDS.isdisjoint(words(route.path)):
        return None
    mark = exempt.mark
    return Hit(
        CSRF_DISABLED,
        f"@{mark.raw} on {route.path}, which a login guard protects "
        f"({', '.join(route.auth_evidence[:2])}): its session cookie is accepted from any site",
        None,
        mark.line,
        {"route": f"{','.join(route.methods)} {route.path}", "setting": mark.raw},
        "Remove the exemption and send the CSRF token from the client (header `X-CSRFToken`); an "
        "endpoint for other machines should authenticate with a token, not the session cookie.",
    )
