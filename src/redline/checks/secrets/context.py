"""Context that turns a pattern hit into "not a secret": keys that providers publish by design, and
files where generic keyword rules read noise (lockfiles, minified or vendored bundles).

Each public-by-design kind follows its provider's own documentation (see ``PUBLIC_BY_DESIGN``): the
value is meant to ship to browsers or apps, and its protection is elsewhere (referrer or domain
restriction, security rules, search-only ACLs), so reporting it as a leak is wrong advice.
"""

from __future__ import annotations

import hashlib
import re
from pathlib import PurePosixPath

from redline.core.lazy_regex import lazy
from redline.core.thirdparty import THIRD_PARTY_DIRS, in_folder_named, in_third_party_dir

#: provider documentation for each public-by-design kind (cited in the rule docs and tests)
PUBLIC_BY_DESIGN = {
    "posthog-project-key": "https://posthog.com/docs/api#authentication (project API keys phc_ are public, "
    "write-only for events)",
    "stripe-publishable-key": "https://docs.stripe.com/keys#obtain-api-keys (publishable keys pk_ are meant "
    "for client-side code)",
    "firebase-web-api-key": "https://firebase.google.com/docs/projects/api-keys (API keys for Firebase "
    "services are not secret)",
    "sentry-dsn-public-key": "https://docs.sentry.io/concepts/key-terms/dsn-explainer/ (the DSN public key is "
    "safe to expose)",
    "algolia-search-key": "https://www.algolia.com/doc/guides/security/api-keys/ (search-only keys are used "
    "in front-end code)",
    "mapbox-public-token": "https://docs.mapbox.com/help/glossary/access-token/ (pk. tokens are public)",
    "pem-public-key": "a public key is public by definition",
    "pgp-key-fingerprint": "https://www.rfc-editor.org/rfc/rfc9580#name-key-ids-and-fingerprints (a fingerprint "
    "names a public key; gpg selects the signing key by it)",
    "azure-storage-emulator-key": "https://learn.microsoft.com/en-us/azure/storage/common/storage-use-azurite"
    "#well-known-storage-account-and-key (Azurite and the Storage Emulator accept one published account key, "
    "devstoreaccount1's, on the developer's machine only)",
    "aws-presigned-url-key-id": "https://docs.aws.amazon.com/AmazonS3/latest/userguide/ShareObjectPreSignedURL.html "
    "and https://docs.aws.amazon.com/AmazonS3/latest/API/sigv4-query-string-auth.html (a pre-signed URL carries "
    "the access key ID in its query; the credential is the signature, which expires)",
}

_PUBLIC_PREFIXES = (
    ("phc_", "posthog-project-key"),
    ("pk_live_", "stripe-publishable-key"),
    ("pk_test_", "stripe-publishable-key"),
    ("pk.eyJ", "mapbox-public-token"),
)
_SPKI_HEADERS = (
    "MIGfMA0GCSqGSIb3DQEBAQUAA4",
    "MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8A",
    "MIICIjANBgkqhkiG9w0BAQEFAAOCAg8A",
    "MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAE",
    "MCowBQYDK2VwAyEA",
    "ssh-rsa ",
    "ssh-ed25519 ",
    "ecdsa-sha2-nistp",
)
_FIREBASE_MARKERS = (
    b"firebaseapp.com",
    b"firebaseconfig",
    b"messagingsenderid",
    b"authdomain",
    b"firebase_api_key",
    b"firebase_web_api_key",
    b"firebaseio.com",
)
#: the SHA-256 of the account key Azurite and the Storage Emulator publish for devstoreaccount1 (compared by digest,
#: so this file holds no key a scanner would read; pulpcore's CI and its .gitleaks.toml allow-list carry it)
_AZURITE_KEY_SHA256 = "0011cc25eb4320717494d2703e8cba85743e71b500283c21c8b88147992f9059"


def _azurite_key(secret: str) -> bool:
    """The published emulator key, alone or as a connection string's ``AccountKey`` (a committed .env's value)."""
    key = secret.partition("AccountKey=")[2].partition(";")[0] if "AccountKey=" in secret else secret
    return hashlib.sha256(key.strip("\"'").encode()).hexdigest() == _AZURITE_KEY_SHA256


_ALGOLIA_SEARCH = lazy(rb"(?i)search[_-]?(?:only[_-]?)?(?:api[_-]?)?key|algoliasearch\s*\(|searchclient\s*\(")


def public_by_design(secret: str, line: bytes, data: bytes) -> str:
    """The public-by-design kind of ``secret`` (a key of ``PUBLIC_BY_DESIGN``), or "" when it may be secret.

    ``line`` is the text line holding the value, ``data`` the whole file (Firebase web config is
    recognised by its neighbouring keys)."""
    for prefix, kind in _PUBLIC_PREFIXES:
        if secret.startswith(prefix):
            return kind
    if "PUBLIC KEY-----" in secret or secret.lstrip("\"'").startswith(_SPKI_HEADERS):
        return "pem-public-key"
    if secret.startswith("AIza") and any(m in data.lower() for m in _FIREBASE_MARKERS):
        return "firebase-web-api-key"
    if pgp_fingerprint(secret, line, data):
        return "pgp-key-fingerprint"
    if presigned_url_key_id(secret, line):
        return "aws-presigned-url-key-id"
    if _azurite_key(secret):
        return "azure-storage-emulator-key"
    if re.fullmatch(r"[a-f0-9]{32}", secret):
        if _ALGOLIA_SEARCH.search(line):
            return "algolia-search-key"
        if re.search(rb"(?i)https?://" + secret.encode() + rb"@[a-z0-9.-]*sentry", line):
            return "sentry-dsn-public-key"
    return ""


#: a version 4 (40 hex digits) or version 6 (64) OpenPGP fingerprint
_FINGERPRINT = lazy(r"[0-9A-Fa-f]{40}|[0-9A-Fa-f]{64}")
#: the name a line assigns (``SIGNING_KEY=``, ``export GPG_KEY=``, ``gpg_key:``)
_ASSIGNED = lazy(rb"^[ \t]*(?:export[ \t]+)?([A-Za-z_][A-Za-z0-9_.-]*)[ \t]*[:=]")
#: a gpg command line choosing a key by what follows one of these options
_GPG_KEY_OPTION = lazy(
    rb"\bgpg2?\b[^\n]*?(?:--default-key|--local-user|--sign-key|--recipient|--recv-keys?|--encrypt-to|-u|-r)"
    rb"(?:[ \t]+|=)[\"']?(?P<key>[^\s\"']+)"
)


def assigned_name(line: bytes) -> str:
    """The name a line assigns (``export MINIO_SECRET_KEY=…``, ``gpg_key: …``), or ""."""
    assigned = _ASSIGNED.match(line)
    return assigned.group(1).decode() if assigned else ""


def pgp_fingerprint(secret: str, line: bytes, data: bytes) -> bool:
    """Forty (or sixty-four) hex digits that name an OpenPGP key: under a name that says GPG or PGP, or handed to
    a ``gpg`` command line as the key to sign or encrypt with (privacyIDEA's Makefile: ``SIGNING_KEY=53E6…`` then
    ``gpg --detach-sign --default-key ${SIGNING_KEY}``). The same digits under ``JWT_SIGNING_KEY`` with no gpg in
    sight may be an HMAC key and are still read."""
    if not _FINGERPRINT.fullmatch(secret):
        return False
    name = assigned_name(line).encode()
    if b"GPG" in name.upper() or b"PGP" in name.upper():
        return True
    wanted = {secret.encode()} | ({b"$" + name, b"${" + name + b"}", b"$(" + name + b")"} if name else set())
    return b"gpg" in data and any(m.group("key") in wanted for m in _GPG_KEY_OPTION.finditer(data))


_AWS_KEY_ID = lazy(r"(?:AKIA|ASIA)[A-Z2-7]{16}")


def presigned_url_key_id(secret: str, line: bytes) -> bool:
    """An AWS access key ID a pre-signed URL's query carries to name the key that signed it: SigV2's
    ``?AWSAccessKeyId=AKIA…&Expires=…&Signature=…``, or SigV4's ``X-Amz-Credential=AKIA…%2F20190101%2F…`` (``/``
    written plainly or encoded; ``&`` as ``&amp;`` in HTML, ``\\u0026`` in JSON). The same ID in a config file, a
    URL's userinfo or path, or another parameter (``?key=AKIA…``) is still read."""
    if not _AWS_KEY_ID.fullmatch(secret):
        return False
    key = re.escape(secret.encode())
    return bool(
        re.search(
            rb"(?i)(?:[?&;]|%26|\\u0026)(?:AWSAccessKeyId(?:=|%3D)" + key + rb"(?![A-Za-z0-9])"
            rb"|X-Amz-Credential(?:=|%3D)" + key + rb"(?:/|%2F))",
            line,
        )
    )


_BUNDLE_NAME = lazy(r"(?i)[.-](?:min|bundle|chunk|prod|production)\.(?:m?js|css)$|\.[0-9a-f]{8,}\.(?:m?js|css)$")
#: where bundled or vendored JavaScript/CSS lives: third-party folders (core.thirdparty) and, for bundles only,
#: the build output folders bundlers write to (the app's own code, but minified: identifiers read as noise)
_VENDOR_DIRS = THIRD_PARTY_DIRS | frozenset({"dist", "public/build", "static/js", "assets/js"})
_LONG_LINE = 1000


def generated_bundle(path: str, line: bytes) -> bool:
    """Minified, bundled or vendored JavaScript/CSS: generated or third-party code whose identifiers
    and embedded public keys make keyword rules fire on noise; provider formats still apply."""
    p = PurePosixPath(path)
    if p.suffix.lower() not in (".js", ".mjs", ".cjs", ".css", ".map"):
        return False
    if _BUNDLE_NAME.search(p.name) or len(line) > _LONG_LINE:
        return True
    parts = [part.lower() for part in p.parts[:-1]]
    joined = "/".join(parts)
    return any(part in _VENDOR_DIRS for part in parts) or any(d in joined for d in _VENDOR_DIRS if "/" in d)


#: the banner a distributed JavaScript/CSS library opens with: a name and its release (``AngularJS v1.8.3``,
#: ``Bootstrap v3.4.1``, ``jQuery JavaScript Library v3.7.1``, ``Version: 2.5.6``) in the first comment
_RELEASE = lazy(
    rb"(?:^|\n)[ \t]*(?:\*|//)?[ \t]*(?:@license[ \t]+)?(?:[A-Za-z][\w.@/-]*(?:[ \t][A-Za-z][\w.@/-]*){0,4}[ \t]+v?"
    rb"|Version:?[ \t]+v?)\d+\.\d+\.\d+"
)
_LICENCE = lazy(rb"(?i)licen[cs]e|copyright|\(c\)")
_BANNER_BYTES = 600


def library_banner(path: str, data: bytes) -> bool:
    """A JavaScript or CSS file that opens with a library's release banner (a name, a three-part version and a
    licence or copyright line, in the first comment): a library copied into the app's static files under a folder
    no list names (privacyIDEA's ``static/contrib/js/angular.js``, whose documentation sets an example Basic
    header). The app's own sources carry no release number."""
    if PurePosixPath(path).suffix.lower() not in (".js", ".mjs", ".cjs", ".css"):
        return False
    head = data[:_BANNER_BYTES].lstrip()
    if not head.startswith((b"/*", b"//")):
        return False
    end = head.find(b"*/") if head.startswith(b"/*") else -1
    comment = head[: end if end >= 0 else len(head)]
    return bool(_RELEASE.search(comment)) and bool(_LICENCE.search(comment))


def generic_noise_file(kind: str, path: str, line: bytes, data: bytes) -> bool:
    """Files where generic keyword rules (password = …, secret: …) only read noise: lockfiles
    (package names such as ``generate-password`` next to versions and integrity hashes), generated
    bundles and another project's code copied into this tree, in any language (remark42's ``backend/vendor/…``
    Go modules: a library's mock OAuth server answering with made-up tokens), or a library's release copied into
    static files (``library_banner``). Provider-format rules and credentials in URLs still apply there."""
    return kind == "lockfile" or generated_bundle(path, line) or in_third_party_dir(path) or library_banner(path, data)


#: folders of translation catalogues
_CATALOGUE_DIRS = frozenset({"i18n", "l10n", "locale", "locales", "lang", "langs", "languages", "translations", "intl"})
#: a word or words joined by hyphens, underscores, single (no-break) spaces or an apostrophe (Catalan
#: "d'actualització"), letters of any script and no digit, maybe ending with the colon of a form's label (mailcow's
#: Catalan ``"password": "Constrasenya:"``) or a question or exclamation mark, after the narrow no-break space of
#: French typography (baserow's ``"forgotPassword": "Oublié\u202f?"``)
_LABEL = lazy(r"^[^\W\d_]+(?:[-_ '\u2019\u00a0\u202f][^\W\d_]+)*(?:[\u00a0\u202f]?[:?!])?$")


#: a message catalogue named by its language in a ``messages/`` folder (Paraglide's and next-intl's
#: ``messages/da.json``, pocket-id's ``frontend/messages/de.json``)
_MESSAGES_FILE = lazy(r"(?:^|/)messages/[a-z]{2,3}(?:[-_][A-Za-z]{2,4})?\.json$")


def translated_label(path: str, secret: str) -> bool:
    """A translation catalogue's value made of words only ("OAuth-klienthemmelighed", outline's Danish for "OAuth
    client secret"; overseerr's "Token de actualización de Plex" under ``SettingsJobsCache.plex-refresh-token``):
    a label under a key that names a credential, not one. A value with a digit is still read."""
    catalogue = in_folder_named(path, _CATALOGUE_DIRS) or bool(_MESSAGES_FILE.search(path))
    return catalogue and bool(_LABEL.match(secret))


#: file kinds that are programs: a right-hand side there is an expression, and a literal is quoted
PROGRAM_KINDS = frozenset({"python", "javascript", "typescript", "go", "java", "ruby", "php", "rust", "csharp"})
#: a bare or dotted name (``yaml_FOLDED_SCALAR_STYLE``, ``settings.apiToken``, optionally chained: langfuse's
#: ``secretKey: existingActionConfig?.secretKey ?? …``), maybe opening a generic type's arguments (mathesar's
#: ``regenerate_token: rpcMethodTypeContainer<``): in a program, what an expression refers to, not the value itself
_BARE_NAME = lazy(r"^[A-Za-z_$][A-Za-z0-9_$]*(?:\??\.[A-Za-z_$][A-Za-z0-9_$]*)*<?$")


def names_in_program(kind: str, secret: str) -> bool:
    """An unquoted ``token = NAME`` in a program's source assigns another variable's value (go-yaml's
    ``token.style = yaml_FOLDED_SCALAR_STYLE``) or names a type; a leaked value in code is a quoted literal, which the
    quoted-literal rules read. In YAML, INI and env files an unquoted value is the value itself."""
    return kind in PROGRAM_KINDS and bool(_BARE_NAME.match(secret))
