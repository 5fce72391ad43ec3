"""The only forms of a secret that may leave the scanner: a redacted prefix and a salted hash."""

from __future__ import annotations

import hashlib
import hmac

#: used when ``[secrets] salt`` is not set; stable so fingerprints survive across runs and machines
DEFAULT_SALT = "redline-secrets-v1"


def redact(secret: str) -> str:
    """First characters and the length: ``ghp_…(40 chars)``.

    At most 4 characters and never more than a quarter of the secret, so a short
    password does not lose half its strength to the report.
    """
    shown = secret[: min(4, len(secret) // 4)]
    return f"{shown}…({len(secret)} chars)"


def secret_hash(secret: str, salt: str = DEFAULT_SALT) -> str:
    """HMAC-SHA256 of the secret keyed by the salt: comparable across runs, useless for guessing
    without the salt."""
    return hmac.new(salt.encode("utf-8"), secret.encode("utf-8"), hashlib.sha256).hexdigest()[:32]
