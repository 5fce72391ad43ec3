"""The only forms of a secret that may leave the scanner: a redacted prefix and a salted hash."""

from __future__ import annotations

import hashlib
import hmac

#: no longer the default (see ``salt.py``: a public key made hashes guessable); kept for callers and tests
DEFAULT_SALT = "redline-secrets-v1"


#: a prefix is shown only when at least this many characters stay hidden behind it
PREFIX_MIN_LENGTH = 24


def redact(secret: str) -> str:
    """First characters and the length: ``ghp_…(40 chars)``; a short secret only by its length.

    Four characters of a 40-character token are its public format marker; two of an 11-character
    password are a fifth of it. So the prefix appears only for secrets of 24 characters or more.
    """
    shown = secret[:4] if len(secret) >= PREFIX_MIN_LENGTH else ""
    return f"{shown}…({len(secret)} chars)"


def secret_hash(secret: str, salt: str = DEFAULT_SALT) -> str:
    """HMAC-SHA256 of the secret keyed by the salt: comparable across runs, useless for guessing
    without the salt."""
    return hmac.new(salt.encode("utf-8"), secret.encode("utf-8"), hashlib.sha256).hexdigest()[:32]
