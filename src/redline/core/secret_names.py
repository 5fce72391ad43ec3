"""Whether a variable's name says it holds a secret (``JWT_SECRET``, ``DB_PASSWORD``, ``stripeApiKey``) and
whether it says the secret signs something (``JWT_*``, ``SESSION_SECRET``, ``SECRET_KEY``): words, not patterns,
so ``JWT_EXPIRES_IN``, ``TOKEN_URL`` or ``PASSWORD_MIN_LENGTH`` (settings about a secret) are not secrets.

The one vocabulary for every family that judges a name: code rules (a secret with a fallback), container rules
(a credential in an image or a pod spec) and the JavaScript index (a shared-secret guard)."""

from __future__ import annotations

import itertools
import re

_CAMEL = re.compile(r"([a-z0-9])([A-Z])")
#: one word that makes a name a secret's
_SECRET_WORDS = frozenset(
    {"SECRET", "SECRETS", "TOKEN", "PASSWORD", "PASSWD", "PWD", "PASS", "PASSPHRASE", "JWT", "APIKEY", "PRIVATEKEY"}
)
#: endings of a word that make it a secret's when glued to another (``DBPASS``, ``ADMINTOKEN``)
_GLUED = ("SECRET", "TOKEN", "PASSWORD", "PASSWD", "PASS", "PWD", "APIKEY")
_NOT_GLUED = frozenset({"BYPASS", "COMPASS", "SURPASS", "OVERPASS", "UNDERPASS", "TRESPASS"})
#: two words in a row that do (``PRIVATE_KEY``, ``API_KEY``)
_SECRET_PAIRS = frozenset(
    {
        ("PRIVATE", "KEY"),
        ("API", "KEY"),
        ("SIGNING", "KEY"),
        ("SIGN", "KEY"),
        ("ENCRYPTION", "KEY"),
        ("ENC", "KEY"),
        ("CRYPTO", "KEY"),
        ("HMAC", "KEY"),
        ("MASTER", "KEY"),
        ("SECRET", "KEY"),
        ("ACCESS", "KEY"),
        ("AUTH", "KEY"),
        ("SESSION", "KEY"),
        ("COOKIE", "KEY"),
        ("LICENSE", "KEY"),
        ("LICENCE", "KEY"),
        # the credential itself, not the path to it (``GOOGLE_APPLICATION_CREDENTIALS`` is a file's path)
        ("CREDENTIALS", "JSON"),
        ("CREDENTIALS", "CONTENTS"),
        ("CREDENTIALS", "CONTENT"),
    }
)
#: a last word that makes the name a setting about the secret, not the secret (``JWT_COOKIE`` is a cookie name)
_ABOUT_LAST = frozenset(
    {
        "URL", "URI", "URLS", "ENDPOINT", "HOST", "HOSTNAME", "PORT", "PATH", "FILE", "FILENAME", "DIR",
        "DIRECTORY", "NAME", "HEADER", "COOKIE", "PARAM", "FIELD", "ID", "TYPE", "MODE", "ENABLED", "ENABLE",
        "DISABLED", "REQUIRED", "PREFIX", "SUFFIX", "LOCATION", "REGION", "VERSION", "USER", "USERNAME", "EMAIL",
        "COUNT", "LIMIT", "TIMEOUT", "AGE", "SECONDS", "MS", "DAYS", "HOURS", "MINUTES", "SCOPE", "SCOPES",
        "PROVIDER", "STRATEGY", "STORE", "STORAGE", "TABLE", "QUEUE", "TOPIC", "FORMAT", "ENCODING", "LEVEL",
        "POLICY", "IN", "HINT", "LABEL", "DOMAIN", "SAMESITE", "SECURE", "HTTPONLY", "ENV", "METHOD", "KIND",
        "SIZE", "BUCKET", "REGEX", "PATTERN", "RULES", "ATTEMPTS", "RETRIES", "JWKS", "ISSUER", "TIME", "THRESHOLD",
        "RATE", "DELAY", "INTERVAL", "PERIOD", "DURATION", "WINDOW", "ROLE", "ROLES", "RESET", "TEMPLATE", "LANGUAGE",
        # a reference to where the secret lives, or how it is rotated (``DB_PASSWORD_REF``), a vault mount's path
        # (``SECRETS_KV_MOUNT``)
        "REF", "ROTATION", "MOUNT",
    }
)  # fmt: skip
#: two words in a row that name a Kubernetes Secret object, not a secret value (``IMAGE_PULL_SECRET``, Helm's
#: ``existingSecret``), or an upstream a proxy passes requests to
_NAMES_AN_OBJECT = frozenset(
    {
        ("PULL", "SECRET"),
        ("PULL", "SECRETS"),
        ("EXISTING", "SECRET"),
        # nginx's upstream directives (DefectDojo's ``DD_UWSGI_PASS="uwsgi_server"``: where ``uwsgi_pass`` sends)
        ("UWSGI", "PASS"),
        ("PROXY", "PASS"),
        ("FASTCGI", "PASS"),
        ("GRPC", "PASS"),
        ("SCGI", "PASS"),
        ("MEMCACHED", "PASS"),
    }
)
#: a word anywhere that makes it one (``JWT_EXPIRES_IN``, ``PASSWORD_MIN_LENGTH``, ``JWT_PUBLIC_KEY``)
_ABOUT_ANY = frozenset(
    {
        "EXPIRES", "EXPIRE", "EXPIRY", "EXPIRATION", "EXP", "TTL", "LIFETIME", "ALGORITHM", "ALGORITHMS", "ALG",
        "ALGO", "AUDIENCE", "LENGTH", "LEN", "ROUNDS", "MIN", "MAX", "STRENGTH", "COMPLEXITY", "THROTTLE", "TEMPLATEID",
        "EMPTY",  # ``ALLOW_EMPTY_PASSWORD``, ``MYSQL_EMPTY_PASSWORD``
        # switches about a secret, not the secret (plane's ``ENABLE_EMAIL_PASSWORD``)
        "ENABLE", "ENABLED", "DISABLE", "DISABLED", "USE", "ALLOW", "REQUIRE", "SKIP", "SHOW", "HIDE",
        # credentials of a demo or test account, published on purpose (ever-gauzy's ``DEMO_ADMIN_PASSWORD``)
        "DEMO", "TEST", "TESTING", "E2E", "DUMMY", "FAKE", "SAMPLE", "EXAMPLE",
        # browser-side variables, bundled into the page on purpose (``NEXT_PUBLIC_*``, ``VITE_*``, ``REACT_APP_*``)
        "PUBLIC", "VITE", "REACT", "GATSBY",
    }
)  # fmt: skip
#: what a name says when the secret signs or verifies (session cookies, JWTs, signed links)
_SIGNING = (
    (re.compile(r"(^|_)JWT(_|$)"), "named for JWTs"),
    (re.compile(r"(^|_)SIGN(ING)?(_|$)"), "named for signing"),
    (re.compile(r"(^|_)(SESSION|COOKIE|NEXTAUTH|AUTH|HMAC|TOKEN|ACCESS_TOKEN|REFRESH_TOKEN)_SECRET$"),
     "named for signing sessions or tokens"),
)  # fmt: skip
#: Django's, Flask's, Rails' ``SECRET_KEY``/``SECRET_KEY_BASE``, under the framework's or the app's name too
_FRAMEWORK_KEY = re.compile(r"(^|_)SECRET_KEY(_BASE)?$")
#: services whose dashboards issue an API credential called the "secret key" (Stripe's ``sk_live_…``, AWS's and
#: MinIO's/S3's secret access key, reCAPTCHA's, hCaptcha's and Turnstile's siteverify secret, Clerk's, Langfuse's,
#: Paystack's, Razorpay's, Flutterwave's, Xendit's, Mailjet's, Supabase's, Tencent Cloud's and Qiniu's
#: ``SecretKey``; Algolia's admin API key, often named so): ``STRIPE_SECRET_KEY`` authenticates the app to that
#: service, so a placeholder for it only makes those calls fail; nobody forges the app's sessions with it
_PROVIDERS = frozenset(
    {
        "STRIPE", "AWS", "S3", "MINIO", "RECAPTCHA", "HCAPTCHA", "TURNSTILE", "CLERK", "LANGFUSE", "PAYSTACK",
        "RAZORPAY", "FLUTTERWAVE", "FLW", "XENDIT", "MAILJET", "SUPABASE", "ALGOLIA", "TENCENT", "QINIU",
    }
)  # fmt: skip


def words(name: str) -> list[str]:
    """``stripeApiKey`` -> ["STRIPE", "API", "KEY"], ``DB_PASSWORD`` -> ["DB", "PASSWORD"]."""
    return [w for w in re.split(r"[^A-Za-z0-9]+", _CAMEL.sub(r"\1_\2", name).upper()) if w]


def secret_name(name: str, *, last: frozenset[str] = frozenset()) -> bool:
    """Whether the variable holds a secret by its name. ``last``: more final words that say so where the caller's
    context does (a bare ``CRON_KEY`` compared with what the request sent is a shared key)."""
    parts = words(name)
    if not parts or parts in (["PWD"], ["OLDPWD"]) or parts[-1] in _ABOUT_LAST or _ABOUT_ANY & set(parts):
        return False
    if any(pair in _NAMES_AN_OBJECT for pair in itertools.pairwise(parts)):
        return False
    return (
        parts[-1] in last
        or bool(_SECRET_WORDS & set(parts))
        or any(pair in _SECRET_PAIRS for pair in itertools.pairwise(parts))
        or any(_glued(word) for word in parts)
    )


def about_a_secret(name: str) -> bool:
    """The name's last word makes it a setting about a secret, not the secret (``secret_name``, ``secret.type``,
    ``TOKEN_URL``, ``private_key_id``)."""
    parts = words(name)
    return bool(parts) and parts[-1] in _ABOUT_LAST


def _glued(word: str) -> bool:
    """A secret word written together with what it is for (paperless's ``PAPERLESS_DBPASS``, ``SMTPPASSWORD``)."""
    return word.endswith(_GLUED) and word not in _NOT_GLUED


def signing_name(name: str) -> str:
    """Why the name says the secret signs or verifies (session cookies, JWTs), or "". A ``SECRET_KEY`` that names
    one of ``_PROVIDERS`` is that service's API credential, not the app's signing key."""
    parts = words(name)
    joined = "_".join(parts)
    why = next((why for pattern, why in _SIGNING if pattern.search(joined)), "")
    if not why and _FRAMEWORK_KEY.search(joined) and not _PROVIDERS.intersection(parts):
        return "the framework's signing key (SECRET_KEY)"
    return why
