"""Framework settings and cookie/CORS/CSRF/template choices a reviewer flags: declared here, judged in
``settings.py``."""

from __future__ import annotations

from redline.core.model import Area, Severity
from redline.core.rules import Rule, RuleDoc

CSRF_DISABLED = Rule(
    code="WEB304",
    name="csrf-protection-removed",
    area=Area.SECURITY,
    severity=Severity.HIGH,
    summary="CSRF protection removed from a cookie-authenticated app or exempted on a logged-in view",
    tags=("CWE-352", "OWASP-A01"),
    doc=RuleDoc(
        what_it_does="Flags a Django settings module whose `MIDDLEWARE` has sessions or authentication but no "
        "`CsrfViewMiddleware` (neither Django's nor a project class that subclasses it); Flask-WTF's "
        "`WTF_CSRF_ENABLED = False` (a module setting or "
        "`config.update(WTF_CSRF_ENABLED=False)`); and `@csrf_exempt` on a view that a login guard protects "
        "(so the session cookie authenticates it). Development and test settings modules, "
        "`csrf_exempt` on anonymous endpoints (webhooks, pings), on a path that names a webhook or callback "
        "receiver even behind a login guard (a login middleware exempts it at run time), and on views whose every "
        "guard checks an API "
        "key or token (its name says so, or its own code looks one up: `Project.objects.for_api_key(...)`), which "
        "a browser does not send by itself, are left alone.",
        why_bad="A page on any other site can make the user's browser send a state-changing request with "
        "their session cookie: change the e-mail address, transfer money, delete data (CWE-352).",
        example='MIDDLEWARE = [\n    "django.contrib.sessions.middleware.SessionMiddleware",\n'
        '    "django.contrib.auth.middleware.AuthenticationMiddleware",\n]',
        use_instead='MIDDLEWARE = [\n    "django.contrib.sessions.middleware.SessionMiddleware",\n'
        '    "django.middleware.csrf.CsrfViewMiddleware",\n'
        '    "django.contrib.auth.middleware.AuthenticationMiddleware",\n]',
        references=(
            "https://cwe.mitre.org/data/definitions/352.html",
            "https://docs.djangoproject.com/en/5.1/ref/csrf/",
        ),
    ),
)

COOKIE_FLAGS_OFF = Rule(
    code="WEB305",
    name="session-cookie-without-security-flags",
    area=Area.SECURITY,
    severity=Severity.MEDIUM,
    summary="Session or auth cookie set without HttpOnly, Secure or SameSite",
    tags=("CWE-1004", "CWE-614", "CWE-1275"),
    doc=RuleDoc(
        what_it_does="Flags `httponly=False`/`secure=False` passed to a cookie setter or session store "
        "(`set_cookie`, aiohttp-session `EncryptedCookieStorage`/`RedisStorage`, …), `samesite=None`/"
        '`"None"` without `secure=True`, a `set_cookie` of a cookie named like a session or token '
        "(`session`, `sessionid`, `token`, `jwt`, `auth`, `sid`) without `httponly`, and settings "
        "`SESSION_COOKIE_HTTPONLY = False`, `SESSION_COOKIE_SECURE = False`, `CSRF_COOKIE_SECURE = False`, "
        "`SESSION_COOKIE_SAMESITE = None` outside development and test settings. `httponly=False` on a "
        "`set_cookie` whose literal name says nothing of a session, token, key or CSRF guard (`theme`, rdmo's "
        "`storeid`) is a cookie the page's script reads on purpose and is not flagged.",
        why_bad="Without HttpOnly any injected script reads the session; without Secure the cookie crosses "
        "plain HTTP where anyone on the network can take it; SameSite=None sends it with every cross-site "
        "request.",
        example='resp.set_cookie("session", token)',
        use_instead='resp.set_cookie("session", token, httponly=True, secure=True, samesite="Lax")',
        references=(
            "https://cwe.mitre.org/data/definitions/1004.html",
            "https://owasp.org/www-community/HttpOnly",
        ),
    ),
)

CORS_ANY_ORIGIN_WITH_CREDENTIALS = Rule(
    code="WEB306",
    name="cors-any-origin-with-credentials",
    area=Area.SECURITY,
    severity=Severity.HIGH,
    summary="CORS allows any origin together with credentials",
    tags=("CWE-942", "OWASP-A05"),
    doc=RuleDoc(
        what_it_does="Flags Starlette/FastAPI `CORSMiddleware` with `allow_origins=['*']` (or an "
        "`allow_origin_regex` of `.*`) and `allow_credentials=True`, Flask-CORS `CORS(...)`/`cross_origin` "
        "with `supports_credentials=True` and no `origins` or `origins='*'`, and django-cors-headers "
        "`CORS_ALLOW_ALL_ORIGINS`/`CORS_ORIGIN_ALLOW_ALL = True` with `CORS_ALLOW_CREDENTIALS = True`. These "
        "libraries then echo the caller's origin back, which browsers accept with cookies. A Flask-CORS call "
        "without `origins` takes the app's `CORS_ORIGINS`: when the project's settings (not development or test "
        "settings) list origins and none is `*`, it is not flagged.",
        why_bad="Any web site the user visits can call the API with the user's cookies and read the answers: "
        "their data, their CSRF tokens, anything the session can reach.",
        example='app.add_middleware(CORSMiddleware, allow_origins=["*"], allow_credentials=True)',
        use_instead='app.add_middleware(CORSMiddleware, allow_origins=["https://app.example.com"], '
        "allow_credentials=True)",
        references=(
            "https://cwe.mitre.org/data/definitions/942.html",
            "https://portswigger.net/web-security/cors",
        ),
    ),
)

HARDCODED_SIGNING_KEY = Rule(
    code="WEB307",
    name="hard-coded-signing-key",
    area=Area.SECURITY,
    severity=Severity.HIGH,
    summary="Secret key used for signing sessions and tokens written in the code",
    tags=("CWE-798", "CWE-321"),
    doc=RuleDoc(
        what_it_does="Flags a Django settings module (one that sets `INSTALLED_APPS`, `MIDDLEWARE` or "
        "`ROOT_URLCONF`) or a Flask config that assigns `SECRET_KEY` a string literal, and "
        "`config.update(SECRET_KEY='…')`/`Flask(...).config.from_mapping(SECRET_KEY='…')`, outside "
        "development and test settings modules. The value is never shown, only its length.",
        why_bad="Whoever has read the repository can sign session cookies, password-reset links and tokens "
        "that the service accepts: log in as anyone (CWE-798).",
        example='SECRET_KEY = "django-insecure-6x!h..."',
        use_instead='SECRET_KEY = os.environ["DJANGO_SECRET_KEY"]  # from the secret store at deploy time',
        references=(
            "https://cwe.mitre.org/data/definitions/798.html",
            "https://docs.djangoproject.com/en/5.1/ref/settings/#secret-key",
        ),
    ),
)

MARKUP_FROM_REQUEST = Rule(
    code="WEB308",
    name="request-data-marked-safe-html",
    area=Area.SECURITY,
    severity=Severity.HIGH,
    summary="Request data marked as safe HTML (mark_safe/Markup), bypassing autoescaping",
    tags=("CWE-79", "OWASP-A03"),
    doc=RuleDoc(
        what_it_does="Flags Django `mark_safe`/`SafeString`/`format_html` with a non-constant format, and "
        "MarkupSafe/Flask `Markup` whose argument carries a request value (same data flow as WEB201, with the "
        "route it is reachable from). `escape(value)` first is clean, and so is `Markup(value).unescape()`/"
        "`.striptags()` (plain text again, escaped by the template).",
        why_bad="The template engine trusts the value and inserts it unescaped: the caller's `<script>` runs "
        "in other users' browsers (stored or reflected XSS, CWE-79).",
        example='return render(request, "t.html", {"bio": mark_safe(request.POST["bio"])})',
        use_instead='return render(request, "t.html", {"bio": request.POST["bio"]})  # autoescaped',
        references=(
            "https://cwe.mitre.org/data/definitions/79.html",
            "https://docs.djangoproject.com/en/5.1/ref/utils/#django.utils.safestring.mark_safe",
        ),
    ),
)

AUTOESCAPE_OFF = Rule(
    code="WEB309",
    name="template-autoescape-off",
    area=Area.SECURITY,
    severity=Severity.MEDIUM,
    summary="HTML template autoescaping switched off",
    tags=("CWE-79", "CWE-116"),
    doc=RuleDoc(
        what_it_does="Flags `autoescape=False` passed explicitly to `jinja2.Environment`, `aiohttp_jinja2.setup`, "
        "`jinja2.Template` or Django's template `Engine`. An environment created without the argument is "
        "left alone (it may render text, not HTML).",
        why_bad="Every variable a template prints is inserted raw: any value a user controls becomes markup "
        "and script (CWE-79).",
        example="setup_jinja(app, loader=PackageLoader('app', 'templates'), autoescape=False)",
        use_instead="setup_jinja(app, loader=PackageLoader('app', 'templates'), "
        "autoescape=select_autoescape(['html', 'xml']))",
        references=(
            "https://cwe.mitre.org/data/definitions/79.html",
            "https://jinja.palletsprojects.com/en/stable/api/#autoescaping",
        ),
    ),
)
