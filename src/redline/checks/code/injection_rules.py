"""The injection rules at sinks other than SQL and the shell: declared here, judged in ``injection.py``."""

from __future__ import annotations

from redline.core.model import Area, Severity
from redline.core.rules import Rule, RuleDoc

_FLOW = (
    "Request values are followed through the handler's local names (Flask `request.*`, Django/DRF "
    "`request.GET/POST/data/body/FILES`, aiohttp `request.query/match_info/post()/json()`, FastAPI and Flask "
    "route parameters that are not typed `int`/`UUID`; a Flask view parameter only when it is a variable of its "
    "URL rule — another one is filled by a decorator, such as the signed-in user's record); the finding names the "
    "route the call is reachable from "
    "and the path from source to sink."
    " Request data passed to a function of the project (resolved through imports, relative imports and "
    "`self` methods; never by a name alone) whose parameter reaches the sink is followed too, up to three "
    "calls deep: that finding is at the call in the handler and cites the sink line (`sink`, `callee`, "
    "`through`)."
)

PATH_FROM_REQUEST = Rule(
    code="WEB203",
    name="file-path-from-request-data",
    area=Area.SECURITY,
    severity=Severity.HIGH,
    summary="File opened, sent or deleted at a path taken from request data (path traversal)",
    tags=("CWE-22", "OWASP-A01"),
    doc=RuleDoc(
        what_it_does="Flags `open`/`io.open`/`codecs.open`, Flask `send_file`, Starlette/FastAPI/aiohttp "
        "`FileResponse`, `os.remove`/`unlink`/`rmdir` and `shutil.rmtree`/`copy*`/`move` whose path carries a "
        "request value, also when it was joined into a path (`os.path.join(BASE, name)`). A value passed "
        "through `os.path.basename`, `secure_filename`, `safe_join` or `int()` is clean, and so is a Django upload's "
        "`.name` joined under a folder (`os.path.join(tempdir, upload.name)`: Django keeps only the base name and "
        "refuses `..`); `send_from_directory` is not a sink, and a handler that checks the resolved path "
        "(`startswith`, `is_relative_to`, `commonpath`) is left alone. " + _FLOW,
        why_bad="`../../etc/passwd` or an absolute path escapes the directory the handler meant: the caller "
        "reads (or deletes) any file the service can, including its secrets (CWE-22).",
        example='name = request.args["file"]\nreturn send_file(os.path.join(UPLOADS, name))',
        use_instead="return send_from_directory(UPLOADS, name)  # or safe_join / secure_filename",
        references=(
            "https://cwe.mitre.org/data/definitions/22.html",
            "https://owasp.org/www-community/attacks/Path_Traversal",
        ),
    ),
)

SSRF_FROM_REQUEST = Rule(
    code="WEB204",
    name="outbound-url-from-request-data",
    area=Area.SECURITY,
    severity=Severity.HIGH,
    summary="Outbound HTTP request to a URL taken from request data (SSRF)",
    tags=("CWE-918", "OWASP-A10"),
    doc=RuleDoc(
        what_it_does="Flags `requests`, `httpx`, `urllib.request.urlopen`/`Request`, `urllib3` and `aiohttp` "
        "calls (module functions, and methods of a `Session`/`Client`/`ClientSession` the module creates) "
        "whose URL is a request value, or starts with one. A value placed after a fixed start "
        '(`f"https://api.example.com/users/{uid}"`) cannot choose the host and is not flagged, nor is one '
        "passed through `url_for`/`reverse`/`quote`, nor a handler that parses the URL (`urlparse`, "
        "`urlsplit`) or calls a validator (`is_safe_url`, `url_has_allowed_host_and_scheme`), nor a function that "
        "also sends through `advocate` (which refuses private addresses): a plain client beside it is a branch "
        "the operator chose (calibre-web's `--allow-localhost`). " + _FLOW,
        why_bad="The caller makes the server fetch what they choose: cloud metadata endpoints "
        "(`169.254.169.254`), internal admin APIs and databases behind the firewall (CWE-918).",
        example='r = requests.get(request.args["url"], timeout=5)',
        use_instead='url = request.args["url"]\nif urlsplit(url).hostname not in ALLOWED_HOSTS:\n    abort(400)\n'
        "r = requests.get(url, timeout=5, allow_redirects=False)",
        references=(
            "https://cwe.mitre.org/data/definitions/918.html",
            "https://cheatsheetseries.owasp.org/cheatsheets/Server_Side_Request_Forgery_Prevention_Cheat_Sheet.html",
        ),
    ),
)

TEMPLATE_FROM_REQUEST = Rule(
    code="WEB205",
    name="template-source-from-request-data",
    area=Area.SECURITY,
    severity=Severity.CRITICAL,
    summary="Template compiled from request data (server-side template injection)",
    tags=("CWE-1336", "CWE-94", "OWASP-A03"),
    doc=RuleDoc(
        what_it_does="Flags Flask `render_template_string`, `jinja2.Template`, an environment's or engine's "
        "`from_string`, Django `Template`, Mako and Tornado `Template` whose template source carries a "
        "request value (also formatted into a larger template string). Request values passed as the "
        "template's context (`render_template_string(TPL, name=name)`) are the safe use and are not "
        "flagged. " + _FLOW,
        why_bad="The caller writes template code: `{{ config }}` leaks secrets and "
        "`{{ ''.__class__.__mro__[1].__subclasses__() }}` reaches `os.popen` — remote code execution "
        "(CWE-1336).",
        example="return render_template_string(f\"<h1>Hello {request.args['name']}</h1>\")",
        use_instead='return render_template_string("<h1>Hello {{ name }}</h1>", name=request.args["name"])',
        references=(
            "https://cwe.mitre.org/data/definitions/1336.html",
            "https://portswigger.net/web-security/server-side-template-injection",
        ),
    ),
)

DESERIALISE_REQUEST = Rule(
    code="WEB206",
    name="unsafe-deserialisation-of-request-data",
    area=Area.SECURITY,
    severity=Severity.CRITICAL,
    summary="Request data deserialised with pickle, marshal or an unsafe YAML loader",
    tags=("CWE-502", "OWASP-A08"),
    doc=RuleDoc(
        what_it_does="Flags `pickle`/`cPickle`/`dill` `loads`/`load`, `marshal.loads`, `jsonpickle.decode`, "
        "`pandas.read_pickle`, `yaml.unsafe_load` and `yaml.load` without a safe loader (no `Loader`, or "
        "`Loader`/`FullLoader`/`UnsafeLoader`) applied to a request value (a body, a form field, an uploaded "
        "file, a cookie, also after `base64` decoding). `yaml.safe_load` and `yaml.load(..., "
        "Loader=SafeLoader)` are not flagged. " + _FLOW,
        why_bad="Unpickling runs code the payload names (`__reduce__`); a caller who controls the bytes runs "
        "commands on the server (CWE-502).",
        example='session = pickle.loads(base64.b64decode(request.cookies["session"]))',
        use_instead='session = json.loads(signer.unsign(request.cookies["session"]))  # data, not code',
        references=(
            "https://cwe.mitre.org/data/definitions/502.html",
            "https://docs.python.org/3/library/pickle.html",
        ),
    ),
)

OPEN_REDIRECT = Rule(
    code="WEB207",
    name="redirect-to-url-from-request-data",
    area=Area.SECURITY,
    severity=Severity.MEDIUM,
    summary="Redirect to a URL taken from request data without a same-host check (open redirect)",
    tags=("CWE-601", "OWASP-A01"),
    doc=RuleDoc(
        what_it_does="Flags Flask/Werkzeug `redirect`, Django `redirect`/`HttpResponseRedirect`/"
        "`HttpResponsePermanentRedirect`, Starlette/FastAPI `RedirectResponse` and aiohttp `HTTPFound`/"
        "`HTTPSeeOther`/`HTTPMovedPermanently`/`HTTPTemporaryRedirect`/`HTTPPermanentRedirect` whose location is "
        "a request value or starts with one (`?next=`, `redirect_uri`), in a handler that does not check the "
        "URL (`url_has_allowed_host_and_scheme`, `is_safe_url`, `urlparse`/`urlsplit`, `startswith`). A value "
        'after a fixed start (`redirect(f"/orders/{oid}")`, the query string a separator joins after the URL: '
        '`"?".join([url, qs])`) or passed through `url_for`/`reverse` is not flagged, nor is a redirect back to '
        'the browser\'s Referer (`request.META.get("HTTP_REFERER", "/")` or '
        '`request.META["HTTP_REFERER"]`, '
        'Flask\'s `request.headers.get("Referer")` or `request.referrer`: the page the user just left, which a '
        "link cannot choose); the finding says when the redirect forwards a "
        "token. " + _FLOW,
        why_bad="A link on the real domain sends the user to a look-alike login page; when the redirect "
        "carries a token or code, the attacker's site receives it (CWE-601).",
        example='return redirect(request.args.get("next", "/"))',
        use_instead='target = request.args.get("next", "/")\n'
        "if not url_has_allowed_host_and_scheme(target, allowed_hosts={request.host}):\n"
        '    target = "/"\nreturn redirect(target)',
        references=(
            "https://cwe.mitre.org/data/definitions/601.html",
            "https://cheatsheetseries.owasp.org/cheatsheets/Unvalidated_Redirects_and_Forwards_Cheat_Sheet.html",
        ),
    ),
)
