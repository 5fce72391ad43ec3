"""What makes a pattern hit not a leak: placeholders, templating, secret-store references,
low entropy. And what makes it a less certain one: a test, docs or sample path.
"""

from __future__ import annotations

import base64
import binascii
import math
import re
import unicodedata
from collections import Counter

from redline.core.context import in_test_or_sample, lower_confidence
from redline.core.lazy_regex import lazy
from redline.core.model import Confidence
from redline.core.placeholders import looks_like_placeholder
from redline.core.secret_names import about_a_secret

_STORE_REFS = (
    "${{ secrets.",
    "${{secrets.",
    "vault:",
    "arn:aws:secretsmanager",
    "arn:aws:ssm",
    "ssm:",
    "{{resolve:",
    "secretmanager.googleapis.com",
    "keyvault.azure.net",
    "op://",
    "sops:",
    "akv://",
    "secretkeyref",
)
_SEQUENCES = ("0123456789", "abcdefghijklmnopqrstuvwxyz", "qwertyuiopasdfghjklzxcvbnm")
_PREFIX = lazy(r"^[A-Za-z]{2,12}[_-]")


def shannon_entropy(text: str) -> float:
    """Bits per character."""
    if not text:
        return 0.0
    n = len(text)
    return -sum(c / n * math.log2(c / n) for c in Counter(text).values())


#: a whole base64 value (padded), the encoding Kubernetes Secret ``data:`` values are written in
_BASE64 = lazy(r"^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{4}|[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)$")
#: one word of letters: a name, not a chosen secret (the generic rules' allow lists read a plain value the same way)
_ONE_WORD = lazy(r"^[A-Za-z]{1,24}$")


#: a Terraform/HCL reference in place of a value (DFE-Digital/teacher-services-cloud:
#: ``api_token = module.infrastructure_secrets.map.STATUSCAKE-API-TOKEN``); HCL names may hold hyphens
_HCL_REFERENCE = lazy(
    r"^(?:module|var|local|data|each|count|path|terraform|self)\.[A-Za-z_][\w-]{0,100}"
    r"(?:\.[A-Za-z_][\w-]{0,100}|\[[^\]\s]{1,100}\])*$"
)


def is_hcl_reference(secret: str) -> bool:
    """``var.db_password``, ``module.secrets.map.API-TOKEN``, ``data.x.y["k"]``: where the value comes from."""
    return bool(_HCL_REFERENCE.match(secret))


#: a Python object named by its import path (``package.module:attribute``): a setuptools entry point, a factory
#: table, a WSGI app for gunicorn. The module path is lower case and dotted; the attribute a name without digits
_OBJECT_REFERENCE = lazy(r"^[a-z_][a-z0-9_]*(?:\.[a-z_][a-z0-9_]*)+:[A-Za-z_]+(?:\.[A-Za-z_]+)*$")


def is_object_reference(secret: str) -> bool:
    """``ckan.tests.factories:APIToken`` under an ``"api-token"`` key, ``ckanext.expire_api_token.plugin:
    ExpireApiTokenPlugin`` in setup.cfg's entry points: where an object is found, not a value."""
    return bool(_OBJECT_REFERENCE.match(secret))


def encodes_a_stand_in(secret: str) -> bool:
    """base64 of a stand-in: Azure-Samples/aks-store-demo's Secrets hold ``RABBITMQ_DEFAULT_PASS: cGFzc3dvcmQ=``
    ("password") and ``RABBITMQ_DEFAULT_USER: dXNlcm5hbWU=`` ("username"). Encoding a placeholder or a single
    word does not make it a secret; only a value that decodes to printable ASCII is judged by its decoding."""
    if len(secret) < 8 or not _BASE64.match(secret):
        return False
    try:
        text = base64.b64decode(secret, validate=True).decode("ascii")
    except (binascii.Error, ValueError):
        return False
    return text.isprintable() and (is_placeholder(text) or bool(_ONE_WORD.match(text)))


#: an anchored regular expression: ``token_pattern = r'^x-amz-security-token:(.*)$'`` (botocore's SigV4 tests)
_REGEX = lazy(r"^\^.{0,200}[()\[\]*+?\\].{0,200}\$$")


def is_regex(secret: str) -> bool:
    """A pattern that matches the value, not the value: anchored at both ends with regex syntax inside."""
    return bool(_REGEX.match(secret))


#: a style sheet's rule: a class or id selector and its declaration block (``.signup-password{}``)
_CSS_RULE = lazy(r"^[.#][A-Za-z_][\w-]*[^{}]{0,80}\{[^{}]*\}")


def is_css_rule(secret: str) -> bool:
    """Style sheet text under a field's label: casdoor's sign-up table maps ``"Password"`` to the CSS of the
    password input, ``".signup-password{}\\n.signup-password-input{}"``."""
    return bool(_CSS_RULE.match(secret))


def is_placeholder(secret: str) -> bool:
    """Documented dummies and templates that are not a credential in any provider (the one list every family
    shares, ``core.placeholders``), and values too regular to be chosen: one repeated character, keyboard runs."""
    if looks_like_placeholder(secret):
        return True
    body = _PREFIX.sub("", secret, count=1)
    core = re.sub(r"[^A-Za-z0-9]", "", body).lower()
    if len(core) < 4:
        return len(body) > 0 and len(set(body)) <= 1
    if len(set(core)) <= 2:
        return True
    return _sequential_share(core) >= 0.5


#: the end of a line's text before a value that is an input's placeholder: ``placeholder: "``, ``placeholder="``,
#: ``placeholder={"``, ``"placeholder": "``, ``placeholderText='`` (JSX, HTML, Vue, Angular, JSON forms)
_PLACEHOLDER_BEFORE = lazy(r"""(?i)\bplaceholder\w{0,12}["']?\s{0,3}[:=]\s{0,3}\{?\s{0,3}["'`]$""")


def is_placeholder_attribute(line_before: str) -> bool:
    """Whether a value is given as a form field's placeholder: an example shown to whoever types the real
    one (plane's GitLab form: ``placeholder: "gloas-f79c…"``), never read as a credential."""
    return bool(_PLACEHOLDER_BEFORE.search(line_before[-200:]))


def is_words(secret: str) -> bool:
    """Text of a human language, not a chosen secret: letters of some script with their accents and vowel
    signs, punctuation, zero-width joiners (Khmer, Thai, Persian and Indic text use them inside a phrase),
    digits only where letters of other scripts are at least half the value ("S3互換サービスの
    アクセスキーID"). Locale catalogues hold such values under password and key names (``"password":
    "Contraseña"``, ``"change-password": "パスワードの変更"``); the rules' own allow lists already treat an
    ASCII-only word the same way, and "Ñandú-Zorro2024!" stays a secret (digits, and more ASCII than not).
    A name quoted in backticks inside the phrase (NodeBB's "…ボディに`_uid`が含まれていません") is part of it."""
    if secret.isascii():
        return False
    foreign, digits = 0, False
    for ch in secret:
        category = unicodedata.category(ch)
        if not ch.isascii() and category[0] in "LM":
            foreign += 1
        elif category[0] == "N":
            digits = True
        elif category[0] not in "LMP" and category != "Cf" and ch != "`":  # `_uid` quoted in a message
            return False
    return not digits or foreign * 2 >= len(secret)


#: "password" in the languages locale catalogues translate it into; a value naming the credential is a label
_PASSWORD_WORD = lazy(
    r"(?i)wachtwoord|contrase|senha|parola|has[lł]o|l[öo]senord|adgangskode|passord|salasana|heslo|jelsz[óo]"
    r"|[şs]ifre|kata ?sandi|mot.de.passe|mật khẩu|lozinka|geslo|parool|jelszav"
)


def names_a_password(secret: str) -> bool:
    """The word "password" in another language ("SMTP-wachtwoord"): a translated label, not a value."""
    return bool(_PASSWORD_WORD.search(secret))


def _sequential_share(core: str) -> float:
    """Share of the string covered by runs of consecutive characters (1234…, abcd…, qwerty…)."""
    covered = 0
    i = 0
    while i < len(core):
        j = i + 1
        while j < len(core) and any(core[j - 1] + core[j] in seq for seq in _SEQUENCES):
            j += 1
        if j - i >= 3:  # abc123 and 123abc (launchpad's Kubernetes Secrets) are two runs of three
            covered += j - i
        i = j
    return covered / len(core)


#: Argo CD's reference to a key of a Kubernetes Secret, ``$<secret-name>:<key>`` (``"$dex-client-argocd:clientSecret"``
#: in alphagov/govuk-infrastructure): the name is a DNS label, lower-case
_ARGOCD_SECRET_REF = lazy(r"^\$[a-z0-9](?:[a-z0-9.-]{0,251}[a-z0-9])?:[A-Za-z0-9_.-]+$")
#: a key saying its value is a digest of the secret, not the secret: detect-secrets' baseline
#: (``"hashed_secret": "b185…"``), ``token_hash``, ``api_key_sha256``. A one-way hash grants nothing.
_DIGEST_KEY = lazy(
    r"(?i)(?:hash(?:ed)?|digest|checksum|sha(?:1|224|256|384|512)?)[_.-]?(?:secret|token|key)"
    r"|(?:secret|token|key)s?[_.-]?(?:hash(?:ed)?|digest|checksum|sha(?:1|224|256|384|512))(?![a-z])"
)


def is_store_reference(secret: str, matched: str) -> bool:
    """A pointer to a secret store (GitHub Actions secrets, Vault, AWS Secrets Manager, SSM, Argo CD's
    ``$secret:key`` …)."""
    low = matched.lower()
    sec = secret.lower()
    return any(ref in low or sec.startswith(ref) for ref in _STORE_REFS) or bool(_ARGOCD_SECRET_REF.match(secret))


#: the key a value is assigned to, at the end of what comes before the value
_KEY = lazy(r"([A-Za-z0-9_$.-]+)[\"']?\s{0,3}(?::=|=>|=|:)?\s{0,3}[rbuRBU]?[\"']?$")


def names_a_setting(secret: str, matched: str) -> bool:
    """The key the value is assigned to names a setting about the secret, in the one vocabulary of secret names
    (``core.secret_names.about_a_secret``): an identifier (``private_key_id``, ``clientSecretId``: a key file's id,
    shown in consoles and logs), a name or a type (awx's ``secret_name = "automation-{0}-image-pull-secret-{1}"``,
    ``secret.type = "kubernetes.io/dockerconfigjson"``), not the secret itself."""
    key = _KEY.search(_before_value(secret, matched))
    return key is not None and about_a_secret(key.group(1))


def names_itself(secret: str, matched: str) -> bool:
    """The value ends with the name it is assigned to (Indico's Redux action type ``SET_ROOMS_SPRITE_TOKEN =
    'config/SET_ROOMS_SPRITE_TOKEN'``, an event name ``TOKEN_REFRESHED = "auth:token_refreshed"``): a label that
    names itself, never a chosen secret."""
    key = _KEY.search(_before_value(secret, matched))
    if key is None:
        return False
    # compared without case, leading underscores or a private field's ``#``, and with ``-`` as ``_`` (Radicale's
    # ``static #_SHARE_TOKEN = "RADICALE:share-token"``, a WebDAV property's name)
    name = key.group(1).rsplit(".", 1)[-1].lower().lstrip("_$").replace("-", "_")
    last = re.split(r"[/:.]", secret)[-1].lower().replace("-", "_")
    return len(name) >= 4 and last == name


def names_a_digest(secret: str, matched: str) -> bool:
    """The key the value is assigned to says the value is a hash of a secret."""
    return bool(_DIGEST_KEY.search(_before_value(secret, matched)))


def _before_value(secret: str, matched: str) -> str:
    """The match before the value: the key it is assigned to, and the operator."""
    at = matched.find(secret)
    return matched[:at] if at >= 0 else matched


def context_confidence(base: Confidence, path: str) -> Confidence:
    """One step lower in a test, docs or sample path (``core.context``); never below LOW, never dropped."""
    return lower_confidence(base) if in_test_or_sample(path) else base
