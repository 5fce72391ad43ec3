"""What makes a pattern hit not a leak: placeholders, templating, secret-store references,
low entropy. And what makes it a less certain one: a test, docs or sample path.
"""

from __future__ import annotations

import math
import re
from collections import Counter

from redline.core.context import in_test_or_sample, lower_confidence
from redline.core.lazy_regex import lazy
from redline.core.model import Confidence
from redline.core.placeholders import looks_like_placeholder

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


def _sequential_share(core: str) -> float:
    """Share of the string covered by runs of consecutive characters (1234…, abcd…, qwerty…)."""
    covered = 0
    i = 0
    while i < len(core):
        j = i + 1
        while j < len(core) and any(core[j - 1] + core[j] in seq for seq in _SEQUENCES):
            j += 1
        if j - i >= 4:
            covered += j - i
        i = j
    return covered / len(core)


def is_store_reference(secret: str, matched: str) -> bool:
    """A pointer to a secret store (GitHub Actions secrets, Vault, AWS Secrets Manager, SSM …)."""
    low = matched.lower()
    sec = secret.lower()
    return any(ref in low or sec.startswith(ref) for ref in _STORE_REFS)


def context_confidence(base: Confidence, path: str) -> Confidence:
    """One step lower in a test, docs or sample path (``core.context``); never below LOW, never dropped."""
    return lower_confidence(base) if in_test_or_sample(path) else base
