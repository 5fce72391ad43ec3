"""Secrets read from the environment with a literal fallback (WEB310): the code index's fallback reads
(JavaScript/TypeScript ``process.env.X || 'dev'``, Python ``os.environ.get('X') or 'dev'``) and the calls that take
a default (``os.environ.get('X', 'dev')``,
``config('X', default='dev')``, ``getEnv('X', 'dev')``), judged by the variable's name; high when the value
signs or verifies something. The literal is never read back, only its length."""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, replace

from redline.checks.code.env_fallback_rules import SECRET_ENV_FALLBACK
from redline.checks.interface import CheckContext, ModuleCheck
from redline.checks.latency.offline import offline, offline_js_go
from redline.core.facts import Facts, ModuleHead
from redline.core.model import Confidence, Finding, Location, Severity
from redline.core.secret_names import secret_name, signing_name
from redline.sources.code.model import Arg, CallSite, CodeIndex, EnvDefault
from redline.sources.code.treesitter.jsenv import SCHEMAS, fallback_marker

#: Python calls that read a variable with a default: the default's position (None: keyword only) and keyword
_PY_READERS: dict[str, tuple[int | None, str]] = {
    "os.environ.get": (1, "default"),
    "os.getenv": (1, "default"),
    "os.environ.setdefault": (1, "value"),
    "decouple.config": (None, "default"),
    "decouple.AutoConfig": (None, "default"),
}
#: ``getEnv('X', 'dev')``-style helpers a project writes itself (any language): the callee's last name, lowered,
#: underscores dropped; bare ``env(...)`` is too common a name to count
_HELPER = re.compile(r"^(get)?env(var|variable)?(or|ordefault|orelse|withdefault|default|orfallback)?$|^getenv\w*$")
#: a second argument that names the expected type, not a default (``getEnv('JWT_SECRET', 'string')``)
_TYPE_WORDS = frozenset({"string", "str", "number", "int", "integer", "bool", "boolean", "json", "array", "list"})
#: what a pydantic settings class's ``EnvDefault.within`` ends with (``sources/code/pyenv.settings_defaults``)
SETTINGS_FIELD = "BaseSettings"
#: how a Go configuration field's default from its tag is described (``sources/code/treesitter/goenv.py``)
STRUCT_TAG = "struct tag"
#: storybook, test-tool configuration, a development server's configuration (vendure's
#: ``packages/dev-server/dev-config.ts``): never the deployed service (the rest of what never serves, seed scripts
#: included, comes from ``checks.latency.offline``)
_NOT_SERVED = re.compile(
    r"(?i)(^|/)dev[-_]?(server|config)([-_./]|$)|(^|/)\.storybook/|\.stories\.[cm]?[jt]sx?$"
    r"|(^|/)(jest|vitest|playwright|cypress|karma|wdio|mocha|ava|nightwatch)\.(config|conf|setup)[^/]*$"
    r"|(^|/)\.?mocharc[^/]*$|(^|/)(jest|vitest)[.-]setup[^/]*$"
)
#: callees that sign or verify with the value they are given (resolved target or callee as written, prefix match)
_SIGNERS = (
    "jsonwebtoken",
    "jwt.sign",
    "jwt.verify",
    "express-session",
    "cookie-parser",
    "cookie-session",
    "express-jwt",
    "koa-jwt",
    "koa-session",
    "@fastify/jwt",
    "fastify-jwt",
    "@fastify/cookie",
    "@fastify/secure-session",
    "@fastify/session",
    "@nestjs/jwt",
    "passport-jwt",
    "iron-session",
    "next-auth",
    "jose.SignJWT",
    "jose.jwtVerify",
    "hono/jwt",
    "crypto.createHmac",
    "node:crypto.createHmac",
    "jwt.encode",
    "jwt.decode",
    "itsdangerous",
    "hmac.new",
    "jose.jwt",
    "authlib.jose",
)
#: one of ``_SIGNERS`` at the start of a name, whole or followed by ``.``/``/``: one match per call (every call of
#: the project is asked), not a loop of some thirty prefix tests
_SIGNER = re.compile("(" + "|".join(re.escape(s) for s in _SIGNERS) + r")(?=$|[./])")
#: a bare name too common to tie a fallback in one module to a signing call in another
_GENERIC = frozenset({"secret", "key", "token", "password", "value", "default", "config", "env"})


@dataclass(frozen=True)
class Fallback:
    """One secret read with a literal fallback in one module; ``signs`` says what shows it signs ("" unknown)."""

    path: str
    line: int
    language: str
    variable: str
    bound: str
    length: int
    how: str
    signs: str
    confidence: Confidence = Confidence.HIGH
    #: how many reads of the same variable into the same name come before it in the module: two sites are two
    #: findings (realworld's ``auth.ts`` reads ``JWT_SECRET || '...'`` for its required and its optional guard)
    occurrence: int = 0


def _served(path: str) -> bool:
    """Not a test, sample, migration, management command or script (Python's ``scripts/`` too: netbox's
    ``scripts/smoketest_configuration.py``), storybook or a test tool's configuration."""
    return not offline(path) and not offline_js_go(path) and not _NOT_SERVED.search(path)


def _signer(callee: str | None) -> str:
    """The first of ``_SIGNERS`` the callee is or is under, else ""."""
    found = _SIGNER.match(callee or "")
    return found.group(1) if found else ""


def _index_fallbacks(index: CodeIndex) -> Iterator[Fallback]:
    """The index's fallback reads (JS/TS ``||``/``??``/destructuring defaults, Python ``or``)."""
    how = "or" if index.language == "python" else "||"
    reads = {v for d in index.env_defaults for v in d.variables} | set(index.env_validated)
    for d in index.env_defaults:
        named = [v for v in d.variables if secret_name(v)]
        if d.length == 0 or d.checked or d.dev_only or d.marker == "unset" or not named:
            continue
        signer = _signer(d.within_target) or _signer(d.within)
        resolved = f" ({d.within_target})" if d.within_target and d.within_target != d.within else ""
        by_name = "" if _token_pair(named[0], reads) else signing_name(named[0]) or signing_name(d.bound)
        signs = f"passed to {d.within}{resolved}" if signer else by_name
        if d.marker == "dummy" and not signs:
            continue  # a key nothing checks (``OLLAMA_API_KEY || "ollama"``); a signing key is used whatever it says
        read = _read(d, how, index.language)
        yield Fallback(index.path, d.line, index.language, named[0], d.bound, d.length, read, signs)


def _read(d: EnvDefault, how: str, language: str) -> str:
    """How the fallback is written: an operator, an environment schema's default, a settings field's default, a Go
    struct tag's default."""
    if language == "go":
        return f"{STRUCT_TAG} {d.within}"
    if d.within.rsplit(".", 1)[-1] in SCHEMAS:
        return f"{d.within}({{{d.variables[0]}: … default}})"
    if d.within.endswith(SETTINGS_FIELD):
        return f"{d.within} field default"
    return how


def _token_pair(variable: str, read: set[str]) -> bool:
    """The secret half of a token a provider issued, read beside its token (OAuth 1.0a's ``TWITTER_ACCESS_TOKEN``
    and ``TWITTER_ACCESS_TOKEN_SECRET``): a client's credential, not a key the service signs its own tokens with
    (``ACCESS_TOKEN_SECRET`` alone: tokens are minted per user, no variable holds one)."""
    return variable.endswith("_TOKEN_SECRET") and variable.removesuffix("_SECRET") in read


def _default_of(call: CallSite, position: int | None, keyword: str) -> object:
    by_keyword = next((a.literal for a in call.args if a.keyword == keyword), None)
    positional = [a for a in call.args if a.keyword is None]
    if by_keyword is None and position is not None and len(positional) > position:
        return positional[position].literal
    return by_keyword


def _variable_of(call: CallSite) -> str | None:
    first = call.args[0] if call.args else None
    if first is None or first.keyword is not None or not isinstance(first.literal, str):
        return None
    return first.literal


def _call_fallback(call: CallSite, index: CodeIndex, environ_readers: frozenset[str]) -> Fallback | None:
    """A call that reads a secret variable with a non-empty literal default, else None."""
    variable = _variable_of(call)
    if variable is None or not secret_name(variable):
        return None
    reader = _PY_READERS.get(call.target or "") if index.language == "python" else None
    if reader is None and index.language == "python" and call.raw.split(".", 1)[0] in environ_readers:
        reader = (None, "default")  # django-environ: ``env('X', default=...)``, ``env.str('X', default=...)``
    confidence = Confidence.HIGH
    if reader is None:
        last = call.raw.rsplit(".", 1)[-1].lower().replace("_", "")
        if not _HELPER.match(last) or len(call.args) != 2 or any(a.keyword for a in call.args):
            return None
        reader, confidence = (1, ""), Confidence.MEDIUM
    default = _default_of(call, *reader)
    if not isinstance(default, str) or not default or default.lower() in _TYPE_WORDS:
        return None
    bound = call.assigned_to or ""
    signs = signing_name(variable) or (signing_name(bound) if bound else "")
    marker = fallback_marker(default, (variable,))
    if marker == "unset" or (marker == "dummy" and not signs):
        return None
    how = f"{call.raw}(..., default)"
    return Fallback(index.path, call.line, index.language, variable, bound, len(default), how, signs, confidence)


def _environ_readers(index: CodeIndex) -> frozenset[str]:
    """Names bound to a django-environ ``Env()`` in the module (``env = environ.Env()``)."""
    return frozenset(c.assigned_to for c in index.calls if c.target == "environ.Env" and c.assigned_to)


def _names(arg: Arg) -> Iterator[str]:
    """The dotted names an argument passes: itself, or an object literal's values (``{ secret: cfg.key }``)."""
    if arg.name:
        yield arg.name
    for item in arg.items:
        _, _, value = item.partition("=")
        if value and re.fullmatch(r"[\w$.]+", value):
            yield value


def _numbered(found: list[Fallback]) -> list[Fallback]:
    seen: dict[tuple[str, str], int] = {}
    numbered = []
    for f in sorted(found, key=lambda f: f.line):
        key = (f.variable, f.bound)
        numbered.append(replace(f, occurrence=seen.get(key, 0)))
        seen[key] = seen.get(key, 0) + 1
    return numbered


class _SigningUses:
    """The names each module passes to a signing call, read once for the whole project."""

    def __init__(self, indexes: Iterable[CodeIndex]) -> None:
        self.by_module: dict[str, list[tuple[str, str]]] = {}
        for index in indexes:
            for call in index.calls:
                signer = _signer(call.target) or _signer(call.raw)
                for name in (n for a in call.args for n in _names(a)) if signer else ():
                    self.by_module.setdefault(index.path, []).append((name, f"{call.raw} ({index.path}:{call.line})"))

    def of(self, fallback: Fallback) -> str:
        bound = fallback.bound
        if not bound:
            return ""
        for path, uses in self.by_module.items():
            for name, where in uses:
                same = path == fallback.path and bound.rsplit(".", 1)[-1] == name.rsplit(".", 1)[-1]
                elsewhere = bound.lower() not in _GENERIC and (name == bound or name.endswith("." + bound))
                if same or elsewhere:
                    return f"passed to {where}"
        return ""


class SecretEnvFallbackCheck(ModuleCheck):
    name = "code-secret-env-fallback"
    rules = (SECRET_ENV_FALLBACK,)
    fact_types = (CodeIndex,)

    def reads(self, module: ModuleHead) -> bool:
        return _served(module.path)

    def check_module(self, fact: CodeIndex, ctx: CheckContext) -> Iterable[Fallback]:
        index = fact
        if not self.reads(index):
            return []
        found = list(_index_fallbacks(index)) if index.env_defaults else []
        readers = _environ_readers(index) if index.language == "python" else frozenset()
        found += [f for c in index.calls if c.args and (f := _call_fallback(c, index, readers)) is not None]
        return _numbered(found)

    def finish(self, partials: list[Fallback], facts: Facts, ctx: CheckContext) -> Iterable[Finding]:
        indexes = facts.of(CodeIndex)
        uses = _SigningUses(indexes) if any(p.bound for p in partials) else None
        validated = {n for i in indexes for n in i.env_validated}
        for p in partials:
            if p.language != "python" and p.variable in validated:
                continue  # another module stops the service without it (a start-up check, an env schema)
            used = uses.of(p) if uses is not None and not p.signs.startswith("passed to") else ""
            yield self._finding(replace(p, signs=used or p.signs))

    def _finding(self, p: Fallback) -> Finding:
        bound = f" (bound to `{p.bound}`)" if p.bound and p.bound != p.variable else ""
        signs = f"; it signs or verifies: {p.signs}" if p.signs else ""
        message = (
            f"{p.variable} falls back to a literal of {p.length} characters committed in the code when the "
            f"variable is unset{bound}{signs}"
        )
        if p.how.endswith(f"{SETTINGS_FIELD} field default"):
            fix = f"Declare the field without a default (`{p.variable}: str`) so pydantic refuses to start without it"
        elif p.how.startswith(STRUCT_TAG):
            fix = f'Drop the default and mark the field required (`env:"{p.variable},required"`) so start-up fails'
        elif p.language == "go":
            fix = f'Read it with `os.LookupEnv("{p.variable}")` and stop at start-up when it is missing'
        elif p.language == "python":
            fix = f'Read it without a default (`os.environ["{p.variable}"]`) so start-up fails when it is missing'
        else:
            fix = (
                "Read it without a fallback and stop at start-up when it is missing "
                f"(`if (!process.env.{p.variable}) throw new Error('{p.variable} is not set')`)"
            )
        evidence: dict[str, str | int] = {"variable": p.variable, "length": p.length, "read": p.how}
        if p.bound:
            evidence["bound"] = p.bound
        if p.signs:
            evidence["signs"] = p.signs
        finding = self.finding(
            SECRET_ENV_FALLBACK,
            message,
            Location(p.path, p.line, p.line),
            severity=Severity.HIGH if p.signs else Severity.MEDIUM,
            confidence=p.confidence,
            evidence=evidence,
            remediation=fix + "; load the real value from the secret store at deploy time, and rotate the committed "
            "one if it was ever used outside a laptop.",
            identity=f"{p.variable}:{p.bound}:{p.occurrence}",
        )
        return replace(finding, group=f"{p.path}:{p.variable}")  # one variable, one file: one item to fix
