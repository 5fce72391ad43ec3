"""WEB310 (a secret read from the environment with a literal fallback) over a JS/TS app, Django settings and a
Go helper: exact lines and severities; look-alikes silent (empty, generated, ``undefined``, ``"NO-DEFINED"`` or
``"EMPTY"`` fallbacks, a dummy key for a server that checks none (``OLLAMA_API_KEY ?? 'ollama'``), a
``NODE_ENV === 'test'`` ternary, ``PORT``/``PUBLIC_URL``/``JWT_EXPIRES_IN``/``NEXT_PUBLIC_*``/``PWD``, a variable
the module checks and throws on, tests, storybook, seed scripts, a jest config, development settings, a type
word given to a helper). The JS index's fallback facts are checked on their own."""

from __future__ import annotations

from pathlib import Path

import pytest

from audit_helpers import findings_of
from redline.checks.code.env_fallback import SecretEnvFallbackCheck, _signer
from redline.core.model import Finding, Severity
from redline.core.secret_names import secret_name, signing_name
from redline.core.workspace import FileText, SourceFile
from redline.sources.code.model import EnvDefault
from redline.sources.code.source import CodeIndexSource
from redline.sources.code.treesitter.jsenv import fallback_marker

FIXTURES = Path(__file__).parent / "fixtures" / "env_fallback"


@pytest.fixture(scope="module")
def found() -> list[Finding]:
    return list(findings_of(FIXTURES, SecretEnvFallbackCheck()))


def test_fires_exactly_at_its_lines_with_its_severity(found: list[Finding]) -> None:
    assert sorted((f.location.path, f.location.start_line, f.severity) for f in found) == [
        ("api/src/auth/jwt.js", 4, Severity.HIGH),  # JWT_SECRET || '...', then jwt.sign(..., secret)
        # jwt.js:5 REFRESH_SECRET: bootstrap/validate-secrets.ts lists it and throws in production
        # jwt.js:6 STRIPE_API_KEY: bootstrap/env.ts's envalid schema requires it (SMTP_PASS has a devDefault there)
        ("api/src/auth/jwt.js", 22, Severity.HIGH),  # session({ secret: process.env.COOKIE_KEY || ('keyboard cat') })
        ("api/src/auth/jwt.js", 32, Severity.HIGH),  # the same read again: a second site, a second finding
        ("api/src/bootstrap/env.ts", 7, Severity.HIGH),  # envalid str({ default: '...' }) for COOKIE_SECRET
        # env.ts:8 MAILGUN_API_KEY's default is '' (nothing committed), :9 GOOGLE_SECRET's 'dummySecret' a stand-in
        ("api/src/bootstrap/env.ts", 10, Severity.MEDIUM),  # a provider's access token
        ("api/src/bootstrap/env.ts", 11, Severity.MEDIUM),  # ... and its secret half: a credential, not a signing key
        # env.ts:18 OPENAI_API_KEY's default is 'NOT_SET'
        ("api/src/bootstrap/env.ts", 15, Severity.HIGH),  # zod z.string().min(16).default('...') for a JWT secret
        ("api/src/bootstrap/env.ts", 16, Severity.MEDIUM),  # zod .default('postgres') for a password
        ("api/src/config/index.ts", 1, Severity.MEDIUM),  # const { DB_PASSWORD = 'postgres' } = process.env
        ("api/src/config/index.ts", 4, Severity.MEDIUM),  # SMTP_PASS in a nested config object
        ("api/src/config/index.ts", 5, Severity.HIGH),  # WEBHOOK_SECRET || LEGACY_SECRET || 'hook' as `signing`
        ("api/src/config/index.ts", 19, Severity.HIGH),  # a signing key signs with 'placeholder' too
        # providers.ts: a provider's "secret key" is its API credential, not the app's signing key: karrio's
        # new Stripe(STRIPE_SECRET_KEY ?? 'sk_placeholder') at 4 is a stand-in, silent
        ("api/src/config/providers.ts", 5, Severity.MEDIUM),  # RECAPTCHA_SECRET_KEY: siteverify's secret
        ("api/src/config/providers.ts", 6, Severity.HIGH),  # SECRET_KEY ?? 'dev': the app's own signing key
        ("api/src/config/providers.ts", 7, Severity.HIGH),  # SESSION_SECRET || 'changeme'
        ("goapp/config/config.go", 8, Severity.HIGH),  # caarlos0/env `env:"JWT_SECRET" envDefault:"..."`
        ("goapp/config/config.go", 10, Severity.MEDIUM),  # SMTP_PASSWORD; :9 required, :11 PORT, :12 '' silent
        # goapp/other/options.go: a default:"..." tag with no environment library imported
        ("goapp/main.go", 13, Severity.HIGH),  # getEnv("JWT_SECRET", "devsecret")
        ("pysite/shop/app_settings.py", 8, Severity.HIGH),  # pydantic BaseSettings: secret_key: str = "..."
        ("pysite/shop/app_settings.py", 9, Severity.MEDIUM),  # Field(default="postgres")
        ("pysite/shop/app_settings.py", 10, Severity.MEDIUM),  # Field("...")
        # app_settings.py: None, "", a non-secret name, a private attribute, a default_factory, a plain class: silent
        ("pysite/shop/config.py", 5, Severity.HIGH),  # Flask Config: os.environ.get("SECRET_KEY") or "..."
        ("pysite/shop/config.py", 14, Severity.HIGH),  # app.config["JWT_SECRET_KEY"] = os.getenv(...) or "..."
        ("pysite/shop/providers.py", 3, Severity.MEDIUM),  # AWS_SECRET_KEY: a credential, not a signing key
        # providers.py:4 MINIO_SECRET_KEY's "placeholder": a stand-in for a service's key nothing signs with
        ("pysite/shop/providers.py", 5, Severity.HIGH),  # os.environ.get("DJANGO_SECRET_KEY", "changeme")
        ("pysite/shop/settings.py", 9, Severity.HIGH),  # SECRET_KEY = os.environ.get("DJANGO_SECRET_KEY", "...")
        ("pysite/shop/settings.py", 10, Severity.MEDIUM),  # os.getenv(..., default="postgres")
        # not 11: decouple config("STRIPE_API_KEY", default="sk_test_dummy"), a key-kind prefix and a dummy word
        ("pysite/shop/settings.py", 12, Severity.MEDIUM),  # django-environ env(..., default=...)
        ("pysite/shop/settings.py", 22, Severity.MEDIUM),  # POSTGRES_PASSWORD's "postgres": a password, not a dummy
    ]


def test_the_value_is_never_shown_only_its_length(found: list[Finding]) -> None:
    values = (
        "supersecret",
        "keyboard cat",
        "django-insecure-committed",
        "postgres",
        "changeme",
        "devsecret",
        "r3d1s-pw",
    )
    for f in found:
        shown = f.message + str(f.evidence) + f.remediation + f.location.snippet
        assert not any(v in shown for v in values), f
    jwt = next(f for f in found if f.location.start_line == 4)
    assert jwt.evidence["length"] == len("supersecret")
    assert jwt.evidence["variable"] == "JWT_SECRET" and jwt.evidence["bound"] == "secret"
    assert jwt.evidence["signs"] == "passed to jwt.sign (api/src/auth/jwt.js:18)"
    session = next(f for f in found if f.location.start_line == 22)
    assert session.evidence["signs"] == "passed to session (express-session)"
    django = next(f for f in found if f.location.path.endswith("shop/settings.py"))
    assert 'os.environ["DJANGO_SECRET_KEY"]' in django.remediation
    pydantic = next(f for f in found if f.location.path.endswith("app_settings.py"))
    assert pydantic.evidence["read"] == "BaseSettings field default"
    assert pydantic.remediation.startswith("Declare the field without a default (`secret_key: str`)")
    assert "throw new Error" in jwt.remediation
    assert len({f.fingerprint for f in found}) == len(found)


def test_a_project_helper_is_judged_with_less_confidence(found: list[Finding]) -> None:
    go = next(f for f in found if f.location.path == "goapp/main.go")
    assert go.confidence.name == "MEDIUM" and go.evidence["read"] == "getEnv(..., default)"
    assert go.remediation.startswith('Read it with `os.LookupEnv("JWT_SECRET")`')


def test_a_go_struct_tag_default_says_which_tag(found: list[Finding]) -> None:
    tag = next(f for f in found if f.location.path == "goapp/config/config.go")
    assert (tag.evidence["read"], tag.evidence["bound"]) == ("struct tag envDefault", "JWTSecret")
    assert tag.remediation.startswith('Drop the default and mark the field required (`env:"JWT_SECRET,required"`)')


@pytest.mark.parametrize(
    ("imports", "tag", "expected"),
    [
        ("github.com/caarlos0/env/v11", 'env:"A_SECRET" envDefault:"dev"', ("A_SECRET", 3, "envDefault")),
        ("github.com/ilyakaznacheev/cleanenv", 'env:"A_SECRET" env-default:"dev"', ("A_SECRET", 3, "env-default")),
        ("github.com/sethvargo/go-envconfig", 'env:"A_SECRET, default=devx"', ("A_SECRET", 4, "env default=")),
        ("github.com/kelseyhightower/envconfig", 'envconfig:"A_SECRET" default:"dev"', ("A_SECRET", 3, "default")),
        ("github.com/kelseyhightower/envconfig", 'default:"dev"', ("SECRET", 3, "default")),  # the field's name
        ("github.com/caarlos0/env/v11", 'env:"A_SECRET,required"', None),
        ("encoding/json", 'json:"secret" default:"dev"', None),  # no environment library
    ],
)
def test_go_struct_tags_of_each_library(imports: str, tag: str, expected: tuple[str, int, str] | None) -> None:
    source = f'package c\n\nimport "{imports}"\n\ntype C struct {{\n\tSecret string `{tag}`\n}}\n'
    found = [(d.variables[0], d.length, d.within) for d in _index(source, "c/c.go")]
    assert found == ([expected] if expected else [])


def _index(source: str, path: str = "src/app.ts") -> tuple[EnvDefault, ...]:
    data = source.encode()
    kind = {".ts": "typescript", ".go": "go"}.get(Path(path).suffix, "javascript")
    fact = CodeIndexSource().parse(FileText(SourceFile(path, path, kind, len(data)), data, source))
    return fact.env_defaults


def test_the_js_index_keeps_each_fallback_without_its_value() -> None:
    found = _index(
        "import session from 'express-session';\n"
        "const { JWT_SECRET = 'dev', PORT = 3 } = process.env;\n"
        "const s = (process.env['X_SECRET'] ?? `lit`) as string;\n"
        "app.use(session({ secret: process.env.SESSION_SECRET || ('keyboard cat') }));\n"
        "class K { key = process.env.API_KEY || ''; }\n"
        "const n = process.env.A || process.env.B || 'x' || 'y';\n"
        "const other = options.secret || 'x';\n"
        "const unset = process.env.API_KEY || 'NO-DEFINED';\n"
        "const llm = process.env.OLLAMA_API_KEY ?? 'ollama';\n"
        "const jwt = process.env.JWT_SECRET || 'placeholder';\n"
        "const db = process.env.POSTGRES_PASSWORD || 'postgres';\n"
    )
    assert found == (
        EnvDefault(("JWT_SECRET",), 2, "", 3, "JWT_SECRET"),
        EnvDefault(("X_SECRET",), 3, "", 3, "s"),
        EnvDefault(("SESSION_SECRET",), 4, "", 12, "secret", "session", "express-session"),
        EnvDefault(("API_KEY",), 5, "K", 0, "this.key"),
        EnvDefault(("A", "B"), 6, "", 1, "n"),
        EnvDefault(("API_KEY",), 8, "", 10, "unset", marker="unset"),
        EnvDefault(("OLLAMA_API_KEY",), 9, "", 6, "llm", marker="dummy"),
        EnvDefault(("JWT_SECRET",), 10, "", 11, "jwt", marker="dummy"),
        EnvDefault(("POSTGRES_PASSWORD",), 11, "", 8, "db"),
    )


def test_an_environment_schema_default_is_a_fallback() -> None:
    """envalid ``default`` (``devDefault``: development only), zod/Joi/yup ``.default(…)`` anywhere in the entry's
    chain, one level of nesting (t3 ``createEnv({ server: {…} })``); an entry without one is required instead."""
    found = _index(
        "import { cleanEnv, str } from 'envalid';\n"
        "const env = cleanEnv(process.env, { A_SECRET: str({ default: 'dev' }), B_SECRET: str({ devDefault: 'x' }),\n"
        "  C_SECRET: str() });\n"
        "const t3 = createEnv({ server: { D_SECRET: z.string().default('four').describe('d') } });\n"
        "const joi = Joi.object({ E_SECRET: Joi.string().default(`five5`), F_SECRET: Joi.string().default(f()) });\n"
        "const form = z.object({ password: z.string().default('') });\n"
    )
    assert [(d.variables, d.line, d.length, d.bound, d.within, d.dev_only) for d in found] == [
        (("A_SECRET",), 2, 3, "A_SECRET", "cleanEnv", False),
        (("B_SECRET",), 2, 1, "B_SECRET", "cleanEnv", True),
        (("D_SECRET",), 4, 4, "D_SECRET", "createEnv", False),
        (("E_SECRET",), 5, 5, "E_SECRET", "Joi.object", False),
    ]


def test_a_schema_default_says_how_it_is_read(found: list[Finding]) -> None:
    cookie = next(f for f in found if f.location.path.endswith("env.ts") and f.location.start_line == 7)
    assert cookie.evidence["read"] == "cleanEnv({COOKIE_SECRET: … default})"


@pytest.mark.parametrize(
    ("value", "marker"),
    [
        ("dummySecret", "dummy"),
        ("dummy-access-token", "dummy"),
        ("placeholder_key", "dummy"),
        ("fake", "dummy"),
        ("dummy1234", ""),  # letters only after the word: a value with digits may be a real one
        ("dummies-are-us-2024", ""),
        ("changeme", ""),  # a weak default people deploy with, not a stand-in
    ],
)
def test_a_stand_in_fallback_is_marked(value: str, marker: str) -> None:
    assert fallback_marker(value, ("GOOGLE_SECRET",)) == marker


def test_a_fallback_in_a_development_branch_is_marked() -> None:
    found = _index(
        "if (process.env.NODE_ENV !== 'production') {\n"
        "  config.secret = process.env.A_SECRET || 'dev';\n"
        "} else {\n"
        "  config.secret = process.env.B_SECRET || 'prod';\n"
        "}\n"
        "const c = isDev ? process.env.C_SECRET ?? 'dev' : process.env.C_SECRET;\n"
        "const d = isProduction ? process.env.D_SECRET ?? 'x' : 'y';\n"
    )
    assert [(d.variables[0], d.dev_only) for d in found] == [
        ("A_SECRET", True),
        ("B_SECRET", False),  # the branch production takes
        ("C_SECRET", True),
        ("D_SECRET", False),
    ]


def test_what_a_module_makes_the_service_stop_without() -> None:
    source = (
        "import { cleanEnv, str } from 'envalid';\n"
        "import { createEnv } from '@t3-oss/env-nextjs';\n"
        "const KNOWN = [{ key: 'JWT_SECRET', value: 'secretKey' }];\n"
        "if (!process.env.DB_PASSWORD) process.exit(1);\n"
        "export const env = cleanEnv(process.env, { API_TOKEN: str(), SMTP_PASS: str({ devDefault: 'x' }) });\n"
        "export const t3 = createEnv({ server: { AUTH_SECRET: z.string(), S3_KEY: z.string().optional() } });\n"
        "export function check() { if (weak(KNOWN)) throw new Error('weak'); }\n"
    )
    assert _validated(source, "src/check-env.ts") == ("API_TOKEN", "AUTH_SECRET", "DB_PASSWORD", "JWT_SECRET")
    assert "JWT_SECRET" not in _validated(source, "src/config.ts")  # named, but not in a start-up check
    reads = "const a = process.env['JWT_SECRET'] || 'x'; const b = getEnv('API_TOKEN', 'y'); throw new Error();\n"
    assert _validated(reads, "src/check-env.ts") == ()  # names that read a variable, not check it


def _validated(source: str, path: str) -> tuple[str, ...]:
    data = source.encode()
    return (
        CodeIndexSource().parse(FileText(SourceFile(path, path, "typescript", len(data)), data, source)).env_validated
    )


def test_a_module_that_stops_without_the_variable_marks_it_checked() -> None:
    found = _index(
        "const a = process.env.A_SECRET || 'x';\n"
        "const b = process.env.B_SECRET || 'x';\n"
        "const c = process.env.C_SECRET || 'x';\n"
        "const d = process.env.D_SECRET || 'x';\n"
        "if (!process.env.A_SECRET) { throw new Error('A_SECRET') }\n"
        "if (isProd && b === 'x') process.exit(1);\n"
        "assert(process.env.C_SECRET);\n"
        "if (!process.env.D_SECRET) { console.warn('D_SECRET is not set') }\n"
    )
    assert [(d.variables[0], d.checked) for d in found] == [
        ("A_SECRET", True),
        ("B_SECRET", True),
        ("C_SECRET", True),
        ("D_SECRET", False),  # a warning does not stop the service
    ]


@pytest.mark.parametrize(
    ("name", "secret"),
    [
        ("JWT_SECRET", True),
        ("DB_PASSWORD", True),
        ("SMTP_PASS", True),
        ("stripeApiKey", True),
        ("GITHUB_TOKEN", True),
        ("AWS_SECRET_ACCESS_KEY", True),
        ("PRIVATE_KEY", True),
        ("SESSION_COOKIE_SECRET", True),
        ("PWD", False),
        ("PORT", False),
        ("JWT_EXPIRES_IN", False),
        ("TOKEN_URL", False),
        ("PASSWORD_MIN_LENGTH", False),
        ("JWT_PUBLIC_KEY", False),
        ("NEXT_PUBLIC_API_KEY", False),
        ("SESSION_COOKIE_NAME", False),
        ("AWS_ACCESS_KEY_ID", False),
        ("DB_USER", False),
        ("PAPERLESS_DBPASS", True),
        ("BYPASS_CACHE", False),
        ("ENABLE_EMAIL_PASSWORD", False),
        ("RESET_PASSWORD_LOCK_TIME", False),
        ("TOKEN_UPDATE_LAST_LOGIN_THRESHOLD", False),
        ("SECRET_API_KEY_ROLE", False),
        ("PAPERLESS_TOKEN_THROTTLE_RATE", False),
        ("DEMO_ADMIN_PASSWORD", False),
        ("NOVU_TEMPLATEID_PASSWORD_RESET", False),
    ],
)
def test_names_that_say_secret(name: str, secret: bool) -> None:
    assert secret_name(name) is secret


def test_names_that_say_signing() -> None:
    assert signing_name("JWT_SECRET") == "named for JWTs"
    assert signing_name("DJANGO_SECRET_KEY") == "the framework's signing key (SECRET_KEY)"
    assert signing_name("sessionSecret") == "named for signing sessions or tokens"
    assert signing_name("STRIPE_API_KEY") == signing_name("DB_PASSWORD") == ""
    # the app's own key under its framework's or its own name signs; a provider's "secret key" is its API credential
    for name in ("SECRET_KEY", "FLASK_SECRET_KEY", "APP_SECRET_KEY", "KARRIO_SECRET_KEY", "SECRET_KEY_BASE"):
        assert signing_name(name) == "the framework's signing key (SECRET_KEY)", name
    for name in ("STRIPE_SECRET_KEY", "stripeSecretKey", "AWS_SECRET_KEY", "RECAPTCHA_SECRET_KEY", "MINIO_SECRET_KEY"):
        assert signing_name(name) == "", name
    for name in ("CLERK_SECRET_KEY", "LANGFUSE_SECRET_KEY", "CF_TURNSTILE_SECRET_KEY", "PAYSTACK_SECRET_KEY"):
        assert signing_name(name) == "", name
    assert signing_name("STRIPE_JWT_SECRET") == "named for JWTs"  # a JWT secret signs whoever's name it carries


def test_the_python_index_keeps_or_fallbacks() -> None:
    source = (
        "import os\n"
        "from os import environ as env\n"
        "class ProductionConfig:\n"
        "    SECRET_KEY = os.environ.get('SECRET_KEY') or 'never-guess'\n"
        "class TestingConfig:\n"
        "    SECRET_KEY = os.getenv('SECRET_KEY', '') or 'testing'\n"
        "app.config['API_TOKEN'] = env['API_TOKEN'] or 'tok'\n"
        "port = os.environ.get('PORT') or 8000\n"
        "other = settings.get('SECRET') or 'y'\n"
    )
    data = source.encode()
    fact = CodeIndexSource().parse(
        FileText(SourceFile("app/config.py", "app/config.py", "python", len(data)), data, source)
    )
    assert fact.env_defaults == (
        EnvDefault(("SECRET_KEY",), 4, "ProductionConfig", 11, "SECRET_KEY"),
        EnvDefault(("SECRET_KEY",), 6, "TestingConfig", 7, "SECRET_KEY", dev_only=True),
        EnvDefault(("API_TOKEN",), 7, "", 3, "API_TOKEN"),
    )


@pytest.mark.parametrize(
    ("callee", "signer"),
    [
        ("jwt.sign", "jwt.sign"),
        ("jsonwebtoken.verify", "jsonwebtoken"),
        ("hono/jwt", "hono/jwt"),
        ("next-auth/providers", "next-auth"),
        ("jose.jwtVerify", "jose.jwtVerify"),
        ("jose.jwt.encode", "jose.jwt"),
        ("jwt.signature", ""),
        ("jsonwebtokens", ""),
        ("hmac.newer", ""),
        ("", ""),
    ],
)
def test_a_signing_callee_is_named_whole_or_by_what_it_is_under(callee: str, signer: str) -> None:
    assert _signer(callee) == signer
