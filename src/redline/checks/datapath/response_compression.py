"""Web apps that serve JSON collections uncompressed, in frameworks where compression is an explicit add-on
(FastAPI/Starlette, Flask, Django, aiohttp, Express, Fastify), when no proxy configured in the repository
compresses in front of them. One finding per app, at the line that builds it."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from redline.checks.interface import CheckContext, ProjectCheck
from redline.core.facts import Facts
from redline.core.filekinds import looks_like_test_or_sample
from redline.core.model import Area, Confidence, Finding, Location, Severity, Skipped, ToolError
from redline.core.rules import Rule, RuleDoc
from redline.sources.code.model import CallSite, CodeIndex
from redline.sources.code.ops_signals import OpsSignals

UNCOMPRESSED_JSON = Rule(
    code="DAT110",
    name="json-api-without-response-compression",
    area=Area.COST,
    severity=Severity.INFO,
    summary="App serving JSON collections with no response compression in the app or a proxy in the repository",
    tags=(),
    doc=RuleDoc(
        what_it_does="For each FastAPI/Starlette, Flask, aiohttp, Express or Fastify app construction (and each "
        "Django settings `MIDDLEWARE`), reports when the project serves JSON collections and nothing compresses "
        "them. Collections are recognised by serializers or schemas called with `many=True`, DRF list views "
        "(`ListAPIView`, `ModelViewSet`, `ListModelMixin`…; not Wagtail's admin `ModelViewSet`, an HTML page) and "
        "Wagtail API v2 endpoints (`BaseAPIViewSet` subclasses, `register_endpoint(…, PagesAPIViewSet)`), "
        "`JsonResponse(..., safe=False)`, `jsonify`/"
        "`JSONResponse`/`json_response` built from a comprehension, `fastapi_pagination`, and in Node a "
        "`res.json`/`res.send`/`reply.send` of an ORM list query (`findAll`, `findMany`, `Model.find`…). Quiet when "
        "the framework's compression is present (`GZipMiddleware` or a Brotli middleware, `flask_compress`, "
        "Django's `GZipMiddleware`, aiohttp `enable_compression()`, `compression()`, `@fastify/compress`) or "
        "when a configuration file in the repository compresses in front (nginx `gzip on`, whose `gzip_types` "
        "is not checked: a front compressing only HTML still silences the rule; ingress-nginx `use-gzip`, "
        "Caddy `encode`, Traefik `compress`, HAProxy `compression algo`, Apache `DEFLATE`, Envoy's "
        "compressor, CloudFront `compress = true`). A CDN or load balancer configured outside the repository "
        "cannot be seen: the finding says so. The collections must be served from the app's own folder (the "
        "Django project folder around its settings); apps sharing a folder are reported once.",
        why_bad="JSON lists compress 5-10x with gzip and more with Brotli. Uncompressed, every page of results "
        "costs that much more egress and transfer time, which dominates latency for clients on mobile or "
        "cross-region links. These frameworks send identity-encoded bodies unless compression is added.",
        example="app = FastAPI()\n\n@app.get('/orders', response_model=list[Order])\ndef orders(): ...",
        use_instead="from fastapi.middleware.gzip import GZipMiddleware\n\napp = FastAPI()\n"
        "app.add_middleware(GZipMiddleware, minimum_size=1000)",
        references=(
            "https://fastapi.tiangolo.com/advanced/middleware/#gzipmiddleware",
            "https://docs.djangoproject.com/en/stable/ref/middleware/#module-django.middleware.gzip",
            "https://github.com/colour-science/flask-compress",
            "https://docs.aiohttp.org/en/stable/web_reference.html#aiohttp.web.StreamResponse.enable_compression",
            "https://expressjs.com/en/resources/middleware/compression.html",
            "https://github.com/fastify/fastify-compress",
            "https://www.breachattack.com/",
        ),
    ),
)

#: resolved constructor -> framework
_PY_APPS = {
    "fastapi.FastAPI": "fastapi",
    "fastapi.applications.FastAPI": "fastapi",
    "starlette.applications.Starlette": "starlette",
    "flask.Flask": "flask",
    "aiohttp.web.Application": "aiohttp",
}
_JS_APPS = {"express": "express", "fastify": "fastify"}
_ASGI_COMPRESSORS = ("GZipMiddleware", "BrotliMiddleware", "CompressMiddleware", "BrotliGZipMiddleware")
_ASGI_COMPRESS_MODULES = ("brotli_asgi", "starlette_compress", "asgi_compress", "fastapi_compress", "asgi_brotli")
_JS_COMPRESSORS = {
    "express": ("compression", "shrink-ray", "shrink-ray-current"),
    "fastify": ("@fastify/compress", "fastify-compress"),
}
_LIST_VIEWS = frozenset({"ListAPIView", "ListCreateAPIView", "ModelViewSet", "ReadOnlyModelViewSet", "ListModelMixin"})
_JSON_CALLS = ("jsonify", "JSONResponse", "ORJSONResponse", "UJSONResponse", "json_response", "JsonResponse")
_JS_LIST_QUERIES = ("findAll", "findMany", "findAndCountAll", "findAndCount", "getMany")
#: ``Model.find()``/``Model.aggregate()`` (Mongoose) list; ``users.find(fn)`` is Array.prototype.find, one item
_JS_MODEL_QUERIES = ("find", "aggregate")


def _js_list_query(callee: str) -> bool:
    receiver, _, name = callee.rpartition(".")
    if name in _JS_LIST_QUERIES:
        return True
    model = receiver.rsplit(".", 1)[-1]
    return name in _JS_MODEL_QUERIES and model[:1].isupper()


@dataclass(frozen=True)
class App:
    framework: str
    path: str
    line: int
    what: str

    @property
    def scope(self) -> str:
        """The directory whose modules make up this app: the app module's own folder, or for Django the
        project folder around the settings module (``netbox/netbox/settings.py`` -> ``netbox/``)."""
        parts = self.path.split("/")[:-1]
        if self.framework == "django":
            parts = parts[:-2] if parts and parts[-1] == "settings" else parts[:-1]
        return "/".join(parts) + "/" if parts else ""


def _hidden(path: str) -> bool:
    return any(part.startswith(".") for part in path.split("/")[:-1])


def _apps(index: CodeIndex) -> Iterator[App]:
    if index.language == "python":
        for call in index.calls:
            if (framework := _PY_APPS.get(call.target or "")) is not None:
                yield App(framework, index.path, call.line, f"{call.raw}()")
        if "settings" in index.path.rsplit("/", 1)[-1] or "/settings/" in f"/{index.path}":
            for a in index.assignments:  # Django's own ``global_settings`` and empty lists configure no app
                if a.name == "MIDDLEWARE" and a.values and not index.path.endswith("django/conf/global_settings.py"):
                    yield App("django", index.path, a.line, "MIDDLEWARE")
    elif index.language in {"javascript", "typescript"}:
        local = {name: _JS_APPS[module] for name, module in index.imports if module in _JS_APPS}
        for call in index.calls:
            if call.raw in local:
                yield App(local[call.raw], index.path, call.line, f"{call.raw}()")


def _compressed(framework: str, indexes: list[CodeIndex]) -> bool:
    """Whether the project adds this framework's compression anywhere."""
    for index in indexes:
        modules = [module for _, module in index.imports]
        if framework in {"fastapi", "starlette"} and any(
            m.endswith(_ASGI_COMPRESSORS) or m.startswith(_ASGI_COMPRESS_MODULES) for m in modules
        ):
            return True
        if framework == "flask" and any(m.startswith("flask_compress") for m in modules):
            return True
        if framework == "aiohttp" and any(c.raw.endswith(".enable_compression") for c in index.calls):
            return True
        if framework == "django" and _django_compresses(index):
            return True
        if framework in _JS_COMPRESSORS and any(m in _JS_COMPRESSORS[framework] for m in modules):
            return True
    return False


def _django_compresses(index: CodeIndex) -> bool:
    words = ("gzip", "brotli", "compress")
    if any(
        a.name == "MIDDLEWARE" and any(w in str(v).lower() for v in a.values for w in words) for a in index.assignments
    ):
        return True
    return any(
        isinstance(arg.literal, str)
        and "middleware" in arg.literal.lower()
        and any(w in arg.literal.lower() for w in words)
        for call in index.calls
        for arg in call.args
    )


def _python_lists(index: CodeIndex) -> Iterator[str]:
    """Evidence that this module serves JSON collections (``path:line what``)."""
    for call in index.calls:
        if any(arg.keyword == "many" and arg.literal is True for arg in call.args):
            yield f"{index.path}:{call.line} {call.raw}(many=True)"
        name = call.raw.rsplit(".", 1)[-1]
        if name == "JsonResponse" and any(a.keyword == "safe" and a.literal is False for a in call.args):
            yield f"{index.path}:{call.line} JsonResponse(..., safe=False)"
        elif name in _JSON_CALLS and _builds_list(index, call):
            yield f"{index.path}:{call.line} {call.raw}([... for ...])"
    for definition in index.definitions:
        kind = next((k for b in definition.bases if (k := _list_view(index, b))), "") if definition.bases else ""
        if definition.kind == "class" and kind:
            yield f"{index.path}:{definition.line} {definition.name} ({kind})"
    for call in index.calls:
        if call.raw.endswith(".register_endpoint") and any(
            a.name and _wagtail_api(_resolved(index, a.name) or "") for a in call.args
        ):
            yield f"{index.path}:{call.line} {call.raw}(<Wagtail API endpoint>)"
    if any(module.startswith("fastapi_pagination") for _, module in index.imports):
        yield f"{index.path}:1 fastapi_pagination"


def _list_view(index: CodeIndex, base: str) -> str:
    """What kind of JSON list view a base class makes (or ""): DRF's list views, by name (a project often
    re-exports them), and Wagtail's API v2 viewsets. Wagtail's admin ``ModelViewSet`` (bakerydemo's
    ``CountryModelViewSet``) shares DRF's name but renders the CMS admin's HTML pages."""
    qualified = _resolved(index, base) or ""
    if qualified.startswith("wagtail."):
        return "Wagtail API viewset" if _wagtail_api(qualified) else ""
    return "DRF list view" if base.rsplit(".", 1)[-1] in _LIST_VIEWS else ""


def _wagtail_api(qualified: str) -> bool:
    """``wagtail.api.v2.views.PagesAPIViewSet``, ``wagtail.images.api.v2.views.ImagesAPIViewSet`` …"""
    module, _, name = qualified.rpartition(".")
    return qualified.startswith("wagtail.") and ".api" in f".{module}" and name.endswith("APIViewSet")


def _resolved(index: CodeIndex, written: str) -> str | None:
    """A dotted name as written, qualified through the module's imports; None when its head is not imported."""
    head, dot, rest = written.partition(".")
    imported = next((qualified for local, qualified in index.imports if local == head), None)
    return None if imported is None else imported + dot + rest


def _builds_list(index: CodeIndex, call: CallSite) -> bool:
    return any(
        loop.kind == "comprehension" and call.line <= loop.line <= call.end_line and loop.function == call.function
        for loop in index.loops
    )


def _js_lists(index: CodeIndex) -> Iterator[str]:
    """``res.json(await Model.findAll())`` or ``const rows = await Model.findMany(); res.json(rows)``."""
    listed = {(c.function, c.assigned_to) for c in index.calls if c.assigned_to and _js_list_query(c.raw)}
    for call in index.calls:
        if not call.raw.endswith((".json", ".send")) or not call.args:
            continue
        first = call.args[0]
        if _js_list_query(first.call or "") or (call.function, first.name) in listed:
            yield f"{index.path}:{call.line} {call.raw}(<list query>)"


class ResponseCompressionCheck(ProjectCheck):
    name = "response-compression"
    rules = (UNCOMPRESSED_JSON,)
    fact_types = (CodeIndex, OpsSignals)

    def check(self, facts: Facts, ctx: CheckContext) -> Iterable[Finding | Skipped | ToolError]:
        indexes = sorted(
            (i for i in facts.of(CodeIndex) if not looks_like_test_or_sample(i.path) and not _hidden(i.path)),
            key=lambda i: i.path,
        )
        apps = [app for index in indexes for app in _apps(index)]
        django = [app for app in apps if app.framework == "django"]
        apps = [app for app in apps if app.framework != "django"] + django[:1]  # one per project's settings
        if not apps:
            return []
        signals = [s for found in facts.of(OpsSignals) for s in found.of("compression")]
        if signals:
            return []
        files_read = sum(found.files_read for found in facts.of(OpsSignals))
        python = [e for i in indexes if i.language == "python" for e in _python_lists(i)]
        node = [e for i in indexes if i.language in {"javascript", "typescript"} for e in _js_lists(i)]
        found: dict[str, Finding] = {}  # one per app folder: a Flask app wrapped by a FastAPI one is one service
        for app in apps:
            pool = node if app.framework in _JS_COMPRESSORS else python
            evidence = [e for e in pool if e.startswith(app.scope)]
            if evidence and app.scope not in found and not _compressed(app.framework, indexes):
                found[app.scope] = self._report(app, evidence, files_read)
        return list(found.values())

    def _report(self, app: App, evidence: list[str], files_read: int) -> Finding:
        if app.framework == "django":
            fix = (
                "Compress the API's JSON: `django.middleware.gzip.GZipMiddleware` near the top of MIDDLEWARE, or "
                "`gzip on; gzip_types application/json;` in the proxy. Django's docs warn of BREACH: do not "
                "compress HTML pages that carry CSRF tokens or secrets next to reflected input; limit compression "
                "to the API's JSON responses (or mask tokens per response)."
            )
        else:
            fix = {
                "fastapi": "`app.add_middleware(GZipMiddleware, minimum_size=1000)` (or brotli-asgi's middleware)",
                "starlette": "`Middleware(GZipMiddleware, minimum_size=1000)` in the app's middleware list",
                "flask": "`flask_compress.Compress(app)` (flask-compress)",
                "aiohttp": "`response.enable_compression()` on large JSON responses (or a middleware doing it)",
                "express": "`app.use(compression())` (the compression package)",
                "fastify": "`await app.register(import('@fastify/compress'))`",
            }[app.framework] + ", or `gzip on; gzip_types application/json;` in the reverse proxy in front."
        return self.finding(
            UNCOMPRESSED_JSON,
            f"{app.framework} app (`{app.what}`) serves JSON collections ({evidence[0]}) with no response "
            f"compression in the app, and none of the {files_read} configuration file(s) in the repository "
            "compresses in front (a CDN or load balancer configured elsewhere is not seen)",
            Location(path=app.path, start_line=app.line, end_line=app.line, snippet=app.what),
            confidence=Confidence.LOW,
            evidence={
                "framework": app.framework,
                "collections": "; ".join(evidence[:3]),
                "configs_read": str(files_read),
            },
            remediation=f"Add compression: {fix}",
        )
