"""Caches that never forget: cache entries written without an expiry (Redis, Django, Flask-Caching) and
unbounded memoisation on methods or on functions fed request data."""

from __future__ import annotations

import ast
from collections.abc import Iterable, Iterator

from redline.checks.interface import CheckContext, FileCheck
from redline.checks.resilience.astutil import (
    bound_calls,
    has_star,
    imports_any,
    is_none,
    kw,
    location,
    method,
    parents,
    receiver,
    scope_of,
    string_parts,
)
from redline.checks.resilience.clients import REDIS_FACTORIES
from redline.core.filekinds import linter_rule_fixture, looks_like_test_or_sample
from redline.core.model import Area, Finding, Location, Severity
from redline.core.rules import Rule, RuleDoc
from redline.sources.code.astwalk import dotted
from redline.sources.code.model import Arg, CodeIndex, Decorator, Definition
from redline.sources.python import PythonModule

_TAGS = ("CWE-401", "STRIDE:D")

REDIS_NO_EXPIRY = Rule(
    code="RES150",
    name="redis-cache-key-without-expiry",
    area=Area.RESILIENCE,
    severity=Severity.LOW,
    summary="Redis cache entry written without an expiry",
    tags=_TAGS,
    doc=RuleDoc(
        what_it_does="Finds `set`/`hset` on a Redis client (a name bound to `redis.Redis(...)`/`from_url`, or "
        "one named like `redis`) whose key is built from data (f-string, concatenation, `format`) and whose "
        "key or client looks like a cache (the word `cache` in it), written without `ex`/`px`/`exat`/`pxat`/"
        "`keepttl` and with no `expire` on the same client in the same function. A constant key (one entry "
        "the code replaces on purpose) is left alone.",
        why_bad="A cache entry without a TTL lives until Redis runs out of memory: stale values are served "
        "forever after the source changed, and the instance grows until the eviction policy (or the OOM "
        "killer) decides what goes, often the keys you needed.",
        example='cache.set(f"cache:product:{pid}", payload)',
        use_instead='cache.set(f"cache:product:{pid}", payload, ex=300)',
        references=(
            "https://redis.io/docs/latest/commands/set/",
            "https://redis.io/docs/latest/develop/reference/eviction/",
        ),
    ),
)

CACHE_TIMEOUT_NONE = Rule(
    code="RES151",
    name="framework-cache-without-timeout",
    area=Area.RESILIENCE,
    severity=Severity.LOW,
    summary="Django/Flask cache entry stored forever",
    tags=_TAGS,
    doc=RuleDoc(
        what_it_does="Finds Django cache writes (`cache.set/add/get_or_set` on `django.core.cache.cache` or "
        "`caches[...]`) with `timeout=None`, and Flask-Caching writes with `timeout=0` (both mean the entry "
        "never expires), when the key is built from data (one entry per value). A constant key (netbox's "
        "live `'config'`, replaced on every change) is left alone.",
        why_bad="An entry that never expires is served after the data behind it changed, and the cache "
        "fills until the backend evicts by its own rules (or, for the local-memory and file backends, "
        "until the process or disk runs out).",
        example='cache.set(f"report:{rid}", report, timeout=None)',
        use_instead='cache.set(f"report:{rid}", report, timeout=60 * 15)',
        references=(
            "https://docs.djangoproject.com/en/stable/topics/cache/#basic-usage",
            "https://flask-caching.readthedocs.io/en/latest/api.html#flask_caching.Cache.set",
        ),
    ),
)

UNBOUNDED_MEMO = Rule(
    code="RES152",
    name="unbounded-memoisation",
    area=Area.RESILIENCE,
    severity=Severity.LOW,
    summary="Unbounded functools cache on a method or on request data",
    tags=_TAGS,
    #: opt-in: on real code most unbounded method caches sit on singletons or short-lived commands
    #: (Django's app registry, management commands: 3 of the 4 found); saleor's NotifyHandler was real
    opt_in=True,
    doc=RuleDoc(
        what_it_does="Finds `functools.cache` and `functools.lru_cache(maxsize=None)` on methods (the cache "
        "keys on `self`), and on functions the same module calls with request data.",
        why_bad="An unbounded memo grows with every distinct argument: on a method it also keeps every "
        "instance alive for the life of the process, and keyed by request data any caller can grow it "
        "without limit (memory exhaustion, CWE-401/CWE-770).",
        example="@functools.cache\ndef lookup(self, sku): ...",
        use_instead="@functools.lru_cache(maxsize=1024)\ndef lookup(sku): ...  # a module function, bounded",
        references=(
            "https://docs.python.org/3/library/functools.html#functools.lru_cache",
            "https://docs.astral.sh/ruff/rules/cached-instance-method/",
        ),
    ),
)

_EXPIRY_KW = frozenset({"ex", "px", "exat", "pxat", "keepttl"})
_EXPIRE_METHODS = frozenset({"expire", "pexpire", "expireat", "pexpireat", "setex", "psetex"})
_DJANGO_CACHES = frozenset({"django.core.cache.cache"})
_DJANGO_CACHES_DICT = "django.core.cache.caches"
_FLASK_CACHES = frozenset({"flask_caching.Cache", "flask_cache.Cache", "flask.ext.cache.Cache"})
#: the positional index of the timeout for each cache write
_TIMEOUT_INDEX = {"set": 2, "add": 2, "get_or_set": 2, "set_many": 1}


def _built_key(node: ast.expr) -> bool:
    """A key formatted from data (f-string, concatenation, ``.format``, ``%``): one entry per value, so
    the key space grows with the data. A constant key is one entry the code manages on purpose (netbox
    keeps its live config under ``'config'`` forever and replaces it on every change)."""
    if isinstance(node, ast.JoinedStr):
        return any(isinstance(v, ast.FormattedValue) for v in node.values)
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add | ast.Mod):
        return True
    return isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "format"


def _cache_like(call: ast.Call, rec: str) -> bool:
    key = string_parts(call.args[0]) if call.args else ""
    return bool(call.args) and _built_key(call.args[0]) and ("cache" in key.lower() or "cache" in rec.lower())


def _redis_receivers(module: PythonModule) -> set[str]:
    return set(bound_calls(module, REDIS_FACTORIES))


def _is_redis(rec: str, clients: set[str]) -> bool:
    return rec in clients or "redis" in rec.rsplit(".", 1)[-1].lower()


def _redis_writes(module: PythonModule) -> Iterator[tuple[ast.Call, str]]:
    if not any(method(c) in {"set", "hset"} for c in module.calls):
        return
    clients = _redis_receivers(module) if imports_any(module, ("redis",)) else set()
    writes = [
        c
        for c in module.calls
        if method(c) in {"set", "hset"} and (rec := receiver(c)) is not None and _is_redis(rec, clients)
    ]
    if not writes:
        return
    parent_of = parents(module)
    expired = {
        (scope_of(c, parent_of), rec)
        for c in module.calls
        if method(c) in _EXPIRE_METHODS and (rec := receiver(c)) is not None
    }
    for call in writes:
        name, rec = method(call), receiver(call) or ""
        if has_star(call):
            continue
        if not call.args or not _cache_like(call, rec) or (scope_of(call, parent_of), rec) in expired:
            continue
        if name == "set" and (any(k.arg in _EXPIRY_KW for k in call.keywords) or len(call.args) > 2):
            continue
        yield call, f"`{rec}.{name}` writes a cache key with no expiry"


def _framework_writes(module: PythonModule) -> Iterator[tuple[ast.Call, str]]:
    candidates = [c for c in module.calls if method(c) in _TIMEOUT_INDEX]
    if not candidates:
        return
    flask = set(bound_calls(module, _FLASK_CACHES)) if imports_any(module, ("flask_caching", "flask_cache")) else set()
    for call in candidates:
        name = method(call)
        if name not in _TIMEOUT_INDEX or not isinstance(call.func, ast.Attribute) or has_star(call):
            continue
        target = call.func.value
        django = module.qualname(target) in _DJANGO_CACHES or (
            isinstance(target, ast.Subscript) and module.qualname(target.value) == _DJANGO_CACHES_DICT
        )
        is_flask = dotted(target) in flask
        if not (django or is_flask) or name == "set_many" or not call.args or not _built_key(call.args[0]):
            continue
        found = kw(call, "timeout")
        index = _TIMEOUT_INDEX[name]
        value = found.value if found else (call.args[index] if len(call.args) > index else None)
        if value is None:
            continue
        if django and is_none(value):
            yield call, f"Django `{name}` with timeout=None stores the entry forever"
        elif is_flask and isinstance(value, ast.Constant) and value.value == 0:
            yield call, f"Flask-Caching `{name}` with timeout=0 stores the entry forever"


class CacheExpiryCheck(FileCheck):
    name = "python-cache-expiry"
    rules = (REDIS_NO_EXPIRY, CACHE_TIMEOUT_NONE)
    fact_types = (PythonModule,)

    def check_file(self, fact: PythonModule, ctx: CheckContext) -> Iterable[Finding]:
        roots = {n.split(".", 1)[0] for n in fact.imports.values()}
        if not roots & {"redis", "django", "flask_caching", "flask_cache", "flask"}:
            return []
        if looks_like_test_or_sample(fact.path) or linter_rule_fixture(fact.lines):
            return []
        found = [
            self.finding(
                REDIS_NO_EXPIRY,
                message,
                location(fact, call),
                remediation="Give the entry a TTL sized to how stale it may be: `set(key, value, ex=300)`, or "
                "`expire(key, 300)` right after an `hset` (in the same pipeline).",
            )
            for call, message in _redis_writes(fact)
        ]
        found += [
            self.finding(
                CACHE_TIMEOUT_NONE,
                message,
                location(fact, call),
                remediation="Pass a timeout in seconds sized to how stale the value may be (`timeout=900`); "
                "keep 'forever' for values that never change, and say so in a comment.",
            )
            for call, message in _framework_writes(fact)
        ]
        return found


def _unbounded(decorator: Decorator) -> bool:
    target = decorator.target or ""
    if target == "functools.cache":
        return True
    if target != "functools.lru_cache" or not decorator.is_call:
        return False
    size: Arg | None = next((a for a in decorator.args if a.keyword in {"maxsize", None}), None)
    return size is not None and size.literal is None and size.name is None and size.call is None and not size.items


class UnboundedMemoCheck(FileCheck):
    name = "python-unbounded-memo"
    rules = (UNBOUNDED_MEMO,)
    fact_types = (CodeIndex,)

    def check_file(self, fact: CodeIndex, ctx: CheckContext) -> Iterable[Finding]:
        if looks_like_test_or_sample(fact.path):
            return []
        tainted_callees = {call.raw for call in fact.calls if call.tainted}
        found: list[Finding] = []
        for definition in fact.definitions:
            deco = next((d for d in definition.decorators if _unbounded(d)), None)
            if deco is None or definition.kind == "class":
                continue
            why = _why(definition, tainted_callees)
            if why:
                found.append(
                    self.finding(
                        UNBOUNDED_MEMO,
                        f"`{definition.qualname}` has an unbounded cache {why}",
                        Location(path=fact.path, start_line=deco.line, end_line=deco.line, snippet=f"@{deco.raw}"),
                        remediation="Bound it (`@functools.lru_cache(maxsize=1024)`), and for a method move the "
                        "cache to a module function or a per-instance dict so instances can be freed.",
                    )
                )
        return found


def _why(definition: Definition, tainted_callees: set[str]) -> str | None:
    if definition.params[:1] == ("self",):
        return "on a method: it grows per argument and keeps every instance alive"
    if definition.name in tainted_callees and "." not in definition.qualname:
        return "and is called with request data: any caller can grow it without limit"
    return None
