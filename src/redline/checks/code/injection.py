"""Request data reaching a file path, an outbound URL, a template, a deserialiser or a redirect; each
judged from the code index's call sites and their taint, never from syntax trees, so any language whose
index records calls and taint is judged the same way."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field

from redline.checks.code.hits import Hit, ModuleHit, Taint, cleaned, flow_evidence, hit_finding, raw_taint
from redline.checks.code.injection_rules import (
    DESERIALISE_REQUEST,
    OPEN_REDIRECT,
    PATH_FROM_REQUEST,
    SSRF_FROM_REQUEST,
    TEMPLATE_FROM_REQUEST,
)
from redline.checks.interface import CheckContext, ModuleCheck
from redline.core.facts import Facts, ModuleHead
from redline.core.filekinds import looks_like_test_or_sample
from redline.core.model import Finding
from redline.sources.code.flow import AFTER_PREFIX, NAME_ATTRIBUTE, REFERER_ITEM, marked
from redline.sources.code.model import CallSite, CodeIndex
from redline.sources.code.routes import Route, RouteInventory, routes_by_handler

FIRST = frozenset({"0"})

_OPENERS = frozenset({"io.open", "codecs.open", "os.open"})
_FILE_SINKS = frozenset(
    {
        "flask.send_file",
        "flask.helpers.send_file",
        "starlette.responses.FileResponse",
        "fastapi.responses.FileResponse",
        "aiohttp.web.FileResponse",
        "os.remove",
        "os.unlink",
        "os.rmdir",
        "os.removedirs",
        "shutil.rmtree",
        "shutil.copy",
        "shutil.copyfile",
        "shutil.copy2",
        "shutil.move",
    }
)
_PATH_ARGS = frozenset({"0", "file", "path", "path_or_file", "filename_or_fp", "src"})
_PATH_CLEAN = frozenset({"basename", "secure_filename", "safe_join", "get_valid_filename"})
_PATH_CHECKS = frozenset({"startswith", "is_relative_to", "commonpath", "relative_to", "safe_join"})

_HTTP_MODULES = ("requests.", "httpx.", "urllib3.", "aiohttp.")
_HTTP_VERBS = frozenset({"get", "post", "put", "patch", "delete", "head", "options", "request", "stream"})
_HTTP_FUNCS = frozenset({"urllib.request.urlopen", "urllib.request.Request", "urllib.urlopen", "urllib2.urlopen"})
_HTTP_CLIENTS = frozenset(
    {
        "requests.Session",
        "requests.session",
        "httpx.Client",
        "httpx.AsyncClient",
        "aiohttp.ClientSession",
        "urllib3.PoolManager",
        "urllib3.HTTPConnectionPool",
    }
)
_URL_ARGS = frozenset({"0", "url"})
_URL_CLEAN = frozenset({"url_for", "reverse", "reverse_lazy", "quote", "quote_plus", "urlencode", AFTER_PREFIX})
_URL_CHECKS = frozenset(
    {
        "url_has_allowed_host_and_scheme",
        "is_safe_url",
        "is_safe_redirect_url",
        "is_safe_redirect",
        "is_safe_next_url",
        "urlparse",
        "urlsplit",
        "url_parse",
        "startswith",
        "validate_url",
    }
)

_TEMPLATES = frozenset(
    {
        "flask.render_template_string",
        "flask.templating.render_template_string",
        "jinja2.Template",
        "jinja2.environment.Template",
        "django.template.Template",
        "django.template.base.Template",
        "mako.template.Template",
        "tornado.template.Template",
    }
)
_TEMPLATE_ARGS = frozenset({"0", "source", "template_string"})
_TEMPLATE_MODULES = ("jinja2", "django.template", "flask", "mako", "tornado")

_UNPICKLERS = frozenset(
    {
        f"{module}.{func}"
        for module in ("pickle", "cPickle", "_pickle", "dill", "cloudpickle", "marshal")
        for func in ("loads", "load")
    }
    | {"jsonpickle.decode", "pandas.read_pickle", "yaml.unsafe_load", "yaml.unsafe_load_all", "numpy.load"}
)
_YAML_SAFE = frozenset({"SafeLoader", "CSafeLoader", "BaseLoader", "CBaseLoader"})
_DESERIALISE_ARGS = frozenset({"0", "data", "stream", "s", "file", "value", "string"})

_REDIRECTS = frozenset(
    {
        "flask.redirect",
        "werkzeug.utils.redirect",
        "django.shortcuts.redirect",
        "django.http.HttpResponseRedirect",
        "django.http.HttpResponsePermanentRedirect",
        "django.http.response.HttpResponseRedirect",
        "django.http.response.HttpResponsePermanentRedirect",
        "starlette.responses.RedirectResponse",
        "fastapi.responses.RedirectResponse",
    }
    | {
        f"aiohttp.web.{cls}"
        for cls in (
            "HTTPFound",
            "HTTPSeeOther",
            "HTTPMovedPermanently",
            "HTTPTemporaryRedirect",
            "HTTPPermanentRedirect",
        )
    }
)
#: request values that name this very request's URL: a redirect or fetch there stays on this host
_THIS_REQUEST = frozenset({"url", "path", "full_path", "base_url", "path_info", "get_full_path"})
_REDIRECT_ARGS = frozenset({"0", "location", "url", "to", "redirect_to"})
_VALIDATOR = re.compile(r"(allow|safe|valid|check|verify|trusted|permitted|whitelist|^is_)", re.IGNORECASE)
_TOKEN = re.compile(r"(^|[._])(\w*token|jwt|secret|api_?key|auth_?code|access_?code|sid)($|[._])")


#: the receiver of a call through an SSRF-filtering HTTP client: ``advocate.get(url)`` refuses private, loopback
#: and link-local addresses (calibre-web's vendored ``cw_advocate``)
_FILTERING_CLIENT = re.compile(r"(?:^|[._])advocate$")


@dataclass
class ModuleView:
    """What the judges need to know about a module beyond one call: the HTTP client objects it creates,
    the calls each function makes (to see a validation), and the libraries it imports."""

    index: CodeIndex
    clients: frozenset[str] = frozenset()
    called: dict[str, set[str]] = field(default_factory=dict)  # function -> last parts of callees
    #: functions that send through an SSRF-filtering client: a plain client beside it is a branch the author
    #: chose (calibre-web's ``requests.get`` only when the operator allows localhost, ``cw_advocate.get`` otherwise)
    filtering: frozenset[str] = frozenset()

    @classmethod
    def of(cls, index: CodeIndex) -> ModuleView:
        clients = frozenset(c.assigned_to for c in index.calls if c.assigned_to and c.target in _HTTP_CLIENTS)
        called: dict[str, set[str]] = {}
        filtering: set[str] = set()
        for c in index.calls:
            receiver, _, last = c.raw.rpartition(".")
            called.setdefault(c.function, set()).add(last)
            if "advocate" in receiver and _FILTERING_CLIENT.search(receiver):  # the substring first: most modules
                filtering.add(c.function)
        return cls(index, clients, called, frozenset(filtering))

    def checks(self, call: CallSite, names: frozenset[str]) -> bool:
        """Whether the function the call is in calls one of these validators."""
        return bool(self.called.get(call.function, set()) & names)

    def validated(self, call: CallSite, taint: Taint) -> bool:
        """Whether the function passes the same value to a call whose name says it checks it
        (``_allow_redirect(url)``, ``is_trusted_host(url)``, ``validate_path(name)``)."""
        names = {step for step in taint[2] if not marked(step)}
        for other in self.index.calls_in(call.function):
            if other is call or not _VALIDATOR.search(other.raw.rsplit(".", 1)[-1]):
                continue
            if any(names & {step for step in via if not marked(step)} for _, _, via in other.tainted):
                return True
        return False

    def imports_any(self, prefixes: tuple[str, ...]) -> bool:
        return any(q.startswith(prefixes) for _, q in self.index.imports)


#: where Django (and DRF's ``request.data``) hand out uploads: an ``UploadedFile``'s ``.name`` is the base name of
#: what the client sent, checked by ``validate_file_name`` (no separator, never ``..``)
_DJANGO_UPLOADS = frozenset({"request.FILES", "request.data"})
#: the calls that put a name under a folder
_JOINS = frozenset({"os.path.join()", "posixpath.join()", "pathlib.Path()", "pathlib.PurePath()"})


def _names_a_path(taint: Taint) -> bool:
    """Whether the request value can still name any path: not cleaned for a path, and not an upload's checked base
    name joined under a folder (``os.path.join(tempdir, upload.name)`` stays in ``tempdir``: kobotoolbox's bulk
    submission). The base name alone (``open(upload.name, "wb")``) still picks any file of the working folder."""
    _where, source, via = taint
    if cleaned(via, _PATH_CLEAN):
        return False
    if source in _DJANGO_UPLOADS and NAME_ATTRIBUTE in via:
        return _JOINS.isdisjoint(via[via.index(NAME_ATTRIBUTE) + 1 :])
    return True


def _path(call: CallSite, view: ModuleView) -> Hit | None:
    opener = (call.raw == "open" and call.target is None) or call.target in _OPENERS
    if not (opener or call.target in _FILE_SINKS) or view.checks(call, _PATH_CHECKS):
        return None
    taint = next((t for t in call.tainted if t[0] in _PATH_ARGS and _names_a_path(t)), None)
    if taint is None or view.validated(call, taint):
        return None
    return Hit(
        PATH_FROM_REQUEST,
        f"file path from request data reaches {call.raw} (path traversal)",
        call,
        call.line,
        flow_evidence(call, taint),
        "Serve files with `send_from_directory`/`safe_join` (Werkzeug) or reduce the value to a bare name "
        "(`secure_filename`, `os.path.basename`), then check that the resolved path stays under the base "
        "directory (`Path(base, name).resolve().is_relative_to(base)`).",
    )


def _http_call(call: CallSite, view: ModuleView) -> bool:
    if call.target in _HTTP_FUNCS:
        return True
    verb = call.raw.rsplit(".", 1)[-1]
    if verb not in _HTTP_VERBS and verb != "urlopen":
        return False
    if call.target and call.target.startswith(_HTTP_MODULES) and call.target.count(".") == 1:
        return True  # requests.get, httpx.post, aiohttp.request
    receiver = call.raw.rpartition(".")[0]
    return bool(receiver) and receiver in view.clients


def _ssrf(call: CallSite, view: ModuleView) -> Hit | None:
    if not _http_call(call, view) or view.checks(call, _URL_CHECKS) or call.function in view.filtering:
        return None
    where = _URL_ARGS | ({"1"} if call.raw.endswith(".request") else set())
    taint = raw_taint(call, frozenset(where), _URL_CLEAN)
    if taint is None or view.validated(call, taint) or taint[1].rsplit(".", 1)[-1] in _THIS_REQUEST:
        return None
    return Hit(
        SSRF_FROM_REQUEST,
        f"outbound request to a URL from request data through {call.raw} (SSRF)",
        call,
        call.line,
        flow_evidence(call, taint),
        "Do not fetch caller-chosen URLs; if the feature needs it, parse the URL, allow only https and hosts "
        "on an allow-list, resolve the host and refuse private, loopback and link-local addresses, and turn "
        "redirects off (`allow_redirects=False`).",
    )


def _template(call: CallSite, view: ModuleView) -> Hit | None:
    engine_method = call.raw.endswith(".from_string") and view.imports_any(_TEMPLATE_MODULES)
    if not (call.target in _TEMPLATES or engine_method):
        return None
    taint = raw_taint(call, _TEMPLATE_ARGS)
    if taint is None:
        return None
    return Hit(
        TEMPLATE_FROM_REQUEST,
        f"template source from request data compiled by {call.raw} (server-side template injection)",
        call,
        call.line,
        flow_evidence(call, taint),
        "Keep the template a constant (a file or a literal) and pass request values as context variables "
        "(`render_template_string(TEMPLATE, name=name)`); if users must write templates, use a sandboxed "
        "environment (`jinja2.sandbox.SandboxedEnvironment`).",
    )


def _unsafe_yaml(call: CallSite) -> bool:
    if call.target not in {"yaml.load", "yaml.load_all"}:
        return False
    loader = next((a for a in call.args if a.keyword == "Loader"), None)
    if loader is None:
        positional = [a for a in call.args if a.keyword is None]
        loader = positional[1] if len(positional) > 1 else None
    return loader is None or (loader.name or "").rsplit(".", 1)[-1] not in _YAML_SAFE


def _deserialise(call: CallSite, view: ModuleView) -> Hit | None:
    if call.target not in _UNPICKLERS and not _unsafe_yaml(call):
        return None
    if call.target == "numpy.load" and not any(a.keyword == "allow_pickle" and a.literal is True for a in call.args):
        return None
    taint = raw_taint(call, _DESERIALISE_ARGS)
    if taint is None:
        return None
    return Hit(
        DESERIALISE_REQUEST,
        f"request data deserialised by {call.raw} (code runs from the payload)",
        call,
        call.line,
        flow_evidence(call, taint),
        "Exchange data as JSON (or `yaml.safe_load`), validate it against a schema, and sign what must come "
        "back unchanged (`itsdangerous`, Django `signing`); never unpickle bytes a caller can send.",
    )


def _redirect(call: CallSite, view: ModuleView) -> Hit | None:
    if call.target not in _REDIRECTS or view.checks(call, _URL_CHECKS):
        return None
    taint = raw_taint(call, _REDIRECT_ARGS, _URL_CLEAN)
    if taint is None or view.validated(call, taint) or taint[1].rsplit(".", 1)[-1] in _THIS_REQUEST:
        return None
    if _back_to_the_referer(view.index, call, taint):
        return None
    evidence = flow_evidence(call, taint)
    carried = sorted({n for n in _function_names(view.index, call.function) if _TOKEN.search(n)})
    if carried:
        evidence["forwards"] = ", ".join(carried[:3])
    forwards = f", in a handler that also handles {evidence['forwards']}" if carried else ""
    return Hit(
        OPEN_REDIRECT,
        f"redirect to a URL from request data through {call.raw} without a same-host check (open redirect)" + forwards,
        call,
        call.line,
        evidence,
        "Redirect only to paths of this site: accept a relative path, or check the URL with "
        "`url_has_allowed_host_and_scheme(url, allowed_hosts={request.get_host()})` (Django) or "
        "`urlsplit(url).netloc in ALLOWED_HOSTS`, and fall back to a fixed page; never append tokens to a "
        "caller-supplied URL.",
    )


#: how a request's Referer header is read, by the taint source's last part: Django's ``request.META.get(
#: "HTTP_REFERER")``, Flask's/Werkzeug's ``request.headers.get("Referer")``
_REFERER_READS = {
    ".META": ("META.get", frozenset({"HTTP_REFERER"})),
    ".headers": ("headers.get", frozenset({"referer"})),
}
#: the attribute Werkzeug (Flask) gives the Referer header as
_REFERRER_ATTRIBUTE = ".referrer"


def _back_to_the_referer(index: CodeIndex, call: CallSite, taint: Taint) -> bool:
    """``HttpResponseRedirect(request.META.get("HTTP_REFERER", "/"))`` (Kiwi TCMS's "back where you came from"),
    Flask's ``redirect(request.headers.get("Referer") or url_for(".home"))`` (ihatemoney) or ``request.referrer``,
    directly or through a local name bound to it: the browser sets the Referer to the page the user just left, so
    a link cannot send them anywhere else (from an e-mail none is sent and the fallback applies)."""
    source = taint[1]
    if source.endswith((_REFERRER_ATTRIBUTE, REFERER_ITEM)):  # ``request.referrer``, ``request.META["HTTP_REFERER"]``
        return True
    how = next((read for suffix, read in _REFERER_READS.items() if source.endswith(suffix)), None)
    if how is None:
        return False
    getter, names = how
    reads = [c for c in index.calls if c.function == call.function and c.raw.endswith(getter)]
    referer = [c for c in reads if c.args and str(c.args[0].literal).lower() in {n.lower() for n in names}]
    if not referer or len(referer) != len(reads):
        return False  # another header read in the same function may be the one redirected to
    # read inside the argument itself (``redirect(request.headers.get("Referer") or "/")``: no local name between)
    direct = not taint[2] or any(a.call is not None and a.call.endswith(getter) for a in call.args[:1])
    return direct or any(c.assigned_to in taint[2] for c in referer)


def _function_names(index: CodeIndex, function: str) -> set[str]:
    """Lower-cased local names of a function that the index knows: tainted names, names passed to calls and
    names bound to a call's result (``token = make_token()``)."""
    names = {t.name.lower() for t in index.tainted if t.function == function}
    for c in index.calls_in(function):
        names.update(a.name.lower() for a in c.args if a.name)
        if c.assigned_to:
            names.add(c.assigned_to.lower())
    return names


def _one_segment(hit: Hit, route: Route | None) -> bool:
    """A file path from a route's path parameter that the router matches as one segment (``{name}``,
    ``<name>``, not ``{name:path}``/``<path:name>``): it cannot hold a ``/``, so it cannot walk out of the
    directory it is joined to; a query or body value can."""
    source = hit.evidence.get("source", "")
    if hit.rule is not PATH_FROM_REQUEST or route is None or not source.startswith("param:"):
        return False
    name = re.escape(source.removeprefix("param:"))
    match = re.search(rf"[{{<](?:(\w+):)?{name}(?::([^}}>]*))?[}}>]", route.path)
    if match is None:
        return False  # a query parameter
    converter = match.group(1) or match.group(2) or ""
    return converter != "path" and "." not in converter and "/" not in converter


#: frameworks that pass a view only the variables of its URL rule: any other parameter is filled by a decorator
_URL_VARIABLES_ONLY = frozenset({"flask"})


def _injected_by_a_decorator(hit: Hit, route: Route | None) -> bool:
    """A handler parameter that is no variable of its Flask route's rule: a decorator supplies it, not the caller
    (freedomofpress/securedrop's ``@login_required`` passes ``logged_in_source``, the signed-in source's record)."""
    source = hit.evidence.get("source", "")
    if route is None or route.framework not in _URL_VARIABLES_ONLY or not source.startswith("param:"):
        return False
    name = re.escape(source.removeprefix("param:"))
    return re.search(rf"<(?:\w+:)?{name}>", route.path) is None


JUDGES: tuple[Callable[[CallSite, ModuleView], Hit | None], ...] = (_path, _ssrf, _template, _deserialise, _redirect)
#: rule -> the checks that, called in the function a sink is in, spare it: the same test for a caller that passes
#: the value on to a helper holding the sink (``across``)
_FUNCTION_CHECKS = {
    PATH_FROM_REQUEST.code: _PATH_CHECKS,
    SSRF_FROM_REQUEST.code: _URL_CHECKS,
    OPEN_REDIRECT.code: _URL_CHECKS,
}


def checked_in(index: CodeIndex, function: str, rule: str) -> bool:
    """Whether ``function`` calls a check of ``rule``'s kind (nautobot's ``_job_run_post`` tests the return URL
    with ``url_has_allowed_host_and_scheme`` before a helper redirects to it), as a handler holding the sink
    itself would be judged."""
    names = _FUNCTION_CHECKS.get(rule, frozenset())
    return bool(names) and any(c.raw.rsplit(".", 1)[-1] in names for c in index.calls_in(function))


def judged(index: CodeIndex) -> Iterator[Hit]:
    """Every judge's hit on the module's tainted calls (request values here; parameters in taint across)."""
    view = ModuleView.of(index)
    for call in index.calls:
        if call.tainted:
            yield from (hit for judge in JUDGES if (hit := judge(call, view)))


class InjectionCheck(ModuleCheck):
    name = "code-injection"
    rules = (PATH_FROM_REQUEST, SSRF_FROM_REQUEST, TEMPLATE_FROM_REQUEST, DESERIALISE_REQUEST, OPEN_REDIRECT)
    fact_types = (CodeIndex,)
    project_fact_types = (RouteInventory,)

    def reads(self, module: ModuleHead) -> bool:
        return not looks_like_test_or_sample(module.path)

    def check_module(self, fact: CodeIndex, ctx: CheckContext) -> Iterable[ModuleHit]:
        index = fact
        if not self.reads(index) or not any(c.tainted for c in index.calls):
            return []
        return [ModuleHit(index.path, hit, index.language) for hit in judged(index)]

    def finish(self, partials: list[ModuleHit], facts: Facts, ctx: CheckContext) -> Iterable[Finding]:
        routes = routes_by_handler(facts.of(RouteInventory))
        found: list[Finding] = []
        for p in (x.restored(self) for x in partials):
            reached = p.reached(routes)
            if not _one_segment(p.hit, reached) and not _injected_by_a_decorator(p.hit, reached):
                found.append(hit_finding(self, p.path, p.hit, reached))
        return found
