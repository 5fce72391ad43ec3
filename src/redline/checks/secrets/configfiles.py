"""Credentials in files whose whole purpose is to hold them: ``.env``, ``.npmrc``,
``.pypirc``, ``.netrc``, ``.git-credentials``.

These need no provider pattern: a non-placeholder value under a secret-looking
key (or in a credential slot of the format) is the leak.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import PurePosixPath

from redline.checks.secrets.filters import is_placeholder, is_store_reference, shannon_entropy
from redline.core.lazy_regex import lazy


@dataclass(frozen=True, slots=True)
class ConfigSecret:
    key: str  # the variable or slot name, safe to show
    start: int  # byte offsets of the value in the file
    end: int
    secret: str = field(repr=False)


_DOTENV_LINE = lazy(rb"^[ \t]*(?:export[ \t]+)?([A-Za-z_][A-Za-z0-9_.-]*)[ \t]*=[ \t]*(.*?)[ \t]*\r?$", re.M)
SECRET_KEY = lazy(
    r"(?i)(secret|token|passw(or)?d|passphrase|pwd|api[_-]?key|apikey|private[_-]?key|credential|access[_-]?key"
    r"|signing[_-]?key|encryption[_-]?key|master[_-]?key|auth[_-]?key|_key$|^key$|dsn$|_url$|_uri$|conn(ection)?[_-]?str)"
)
_URL_KEY = lazy(r"(?i)(_url|_uri|dsn)$")
#: keys about a secret rather than holding one: where it is, and the limits and lifetimes set for it
#: (``API_KEY_RATE_LIMIT=60/minute`` in plane's variables.env, ``TOKEN_MAX_AGE``, ``SECRET_KEY_LENGTH``)
_SECRET_REFERENCE_KEY = lazy(
    r"(?i)(_file|_path|_dir|_name|_id|_ttl|_expiry|_length|_timeout|_header|_type"
    r"|_limit|_rate|_count|_max|_min|_size|_interval|_retries|_lifetime|_max_age)$"
)
_URL_WITH_PASSWORD = lazy(r"^[a-z][a-z0-9+.-]*://[^:/@\s]*:([^@/\s]+)@", re.I)
_NOT_SECRET_VALUE = lazy(r"(?i)^(true|false|yes|no|on|off|none|null|nil|undefined|\d{1,11}|[\d.]+[smhd]?)$")

_NPMRC = lazy(rb"^[ \t]*(?:[^\s=]*:)?(_authToken|_auth|_password)[ \t]*=[ \t]*(.*?)[ \t]*\r?$", re.M)
_PYPIRC = lazy(rb"^[ \t]*(password)[ \t]*[:=][ \t]*(.*?)[ \t]*\r?$", re.M)
_NETRC = lazy(rb"(?:^|\s)(password)\s+(\S+)")
_GIT_CREDENTIALS = lazy(rb"^[ \t]*[a-z][a-z0-9+.-]*://([^:/@\s]*):([^@\s]+)@", re.M | re.I)


def find_config_secrets(path: str, kind: str, data: bytes) -> list[ConfigSecret]:
    """Credentials in a dotenv or credentials-config file (by ``core.filekinds`` kind)."""
    if kind == "dotenv":
        return list(_dotenv(data))
    if kind != "credentials-config":
        return []
    name = PurePosixPath(path).name.lower()
    pattern = {".npmrc": _NPMRC, ".pypirc": _PYPIRC, ".netrc": _NETRC, ".git-credentials": _GIT_CREDENTIALS}.get(name)
    if pattern is None:
        return []
    out = []
    for m in pattern.finditer(data):
        start, end = m.span(2)
        start, end = _unquote(data, start, end)
        value = data[start:end].decode("utf-8", "replace")
        key = m.group(1).decode("utf-8", "replace") if name != ".git-credentials" else "password"
        if is_real_value(value, strict=False):
            out.append(ConfigSecret(key, start, end, value))
    return out


def _dotenv(data: bytes) -> Iterator[ConfigSecret]:
    for m in _DOTENV_LINE.finditer(data):
        key = m.group(1).decode("utf-8", "replace")
        start, end = _unquote(data, *m.span(2))
        value = data[start:end].decode("utf-8", "replace")
        if value.startswith("#") and data[start - 1 : start] in (b" ", b"\t"):
            continue  # ``KEY= # how to make one``: no value, a comment (dotenv, Next.js, Compose agree)
        if not (value.startswith(("'", '"'))) and " #" in value:  # unquoted value, inline comment
            value = value.split(" #", 1)[0].rstrip()
        found = assigned_secret(key, value)
        if found is not None:
            offset, secret = found
            start += len(value[:offset].encode("utf-8"))
            yield ConfigSecret(key, start, start + len(secret.encode("utf-8")), secret)


def assigned_secret(key: str, value: str) -> tuple[int, str] | None:
    """The secret in ``KEY=value`` (its offset in ``value``), when the key names a secret and the value
    is a real one: for URLs only the password part counts; paths to secret files do not."""
    if not SECRET_KEY.search(key) or _SECRET_REFERENCE_KEY.search(key):
        return None
    offset = 0
    if _URL_KEY.search(key) or "://" in value:
        url = _URL_WITH_PASSWORD.match(value)
        if url is None:
            return None
        offset, value = url.start(1), url.group(1)
    elif value.startswith(("/", "./", "~/")):
        return None  # a path to where the secret lives
    return (offset, value) if is_real_value(value, strict=True) else None


def _unquote(data: bytes, start: int, end: int) -> tuple[int, int]:
    if end - start >= 2 and data[start : start + 1] in (b'"', b"'") and data[end - 1 : end] == data[start : start + 1]:
        return start + 1, end - 1
    return start, end


def is_real_value(value: str, *, strict: bool) -> bool:
    if len(value) < (6 if strict else 4) or _NOT_SECRET_VALUE.match(value):
        return False
    if is_placeholder(value) or is_store_reference(value, value):
        return False
    return not strict or shannon_entropy(value) >= 2.0
