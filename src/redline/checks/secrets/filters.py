"""What makes a pattern hit not a leak: placeholders, templating, secret-store references,
low entropy. And what makes it a less certain one: a test, docs or sample path.
"""

from __future__ import annotations

import math
import re
from collections import Counter

from redline.core.context import in_test_or_sample, lower_confidence
from redline.core.model import Confidence

_PLACEHOLDER_WORDS = re.compile(
    r"(?i)example|x{4,}|\*{4,}|change[-_ ]?(?:me|this)|dummy|redacted|placeholder|your[-_]?(?:api[-_]?)?"
    r"(?:key|token|secret|password)|insert[-_ ]?here|replace[-_ ]?me|<[^<>\s]{1,60}>"
)
_TEMPLATING = re.compile(
    r"\$\{[^}]{1,100}\}|\$\([^)]{1,100}\)|\{\{[^}]{0,100}\}\}|%\([A-Za-z_][A-Za-z0-9_]*\)[sd]|^\$[A-Za-z_][A-Za-z0-9_]*$"
    r"|^%[A-Za-z_][A-Za-z0-9_]*%$|^@[A-Za-z_][A-Za-z0-9_]*@$"
)
# what scrubbers put where a secret was ("[Filtered]", "[REDACTED]") and typing annotations
# that happen to sit after a key named like a secret ("token_usage: Optional[int]")
_NOT_A_VALUE = re.compile(
    r"^\[[A-Za-z _-]{1,30}\]$|^(?:Optional|List|Dict|Union|Sequence|Mapping|Tuple|Set|Iterable|Callable|Literal"
    r"|Annotated|Type|list|dict|tuple|set|type)\["
)
# a whole value that is a default or documentation word, never a chosen secret
_PLACEHOLDER_VALUE = re.compile(
    r"(?i)^(?:secret|secrets|password|passwd|pass|pwd|changeme|change[-_.]?it|changeit|default|test|testing|tests"
    r"|sample|example|dummy|fake|foo|bar|baz|foobar|todo|tbd|fixme|none|null|nil|empty|token|apikey|api[-_]key"
    r"|key|value|string|x+|\*+|\.+|-+|_+|0+|1234(?:5(?:6(?:78?)?)?)?)$"
)
# an identifier standing where the value goes: GOOGLE_API_KEY_VAL, DB_PASSWORD_HERE, <your-key>, YOUR_TOKEN,
# and version specifiers next to a package whose name holds "password" (^1.7.1, 5.3.0-beta.2)
_PLACEHOLDER_SHAPE = re.compile(
    r"^[A-Z][A-Z0-9_]*_(?:VAL|VALUE|HERE|PLACEHOLDER|GOES_HERE|TBD)$|(?i:^(?:your|my|insert|enter|put)[-_ ])"
    # a name describing the value instead of one: astronomy_password, db-secret, api_token
    r"|(?i:^[a-z]{2,20}(?:[-_][a-z]{2,20}){0,2}[-_](?:password|passwd|pass|pwd|secret|token|key|apikey)$)"
    r"|^[~^<>=v]{0,2}\d+(?:\.\d+){1,3}(?:[-+.][0-9A-Za-z.-]{1,20})?$"
    # a whole value that is a description in angle brackets: <password for custom e2e tester user>
    r"|^<[A-Za-z][^<>]{0,80}>$"
)
# documentation examples that travel verbatim: the jwt.io sample token ("John Doe", 1516239022)
_DOCUMENTED = (
    "eyJzdWIiOiIxMjM0NTY3ODkwIiwibmFtZSI6IkpvaG4gRG9lIiwiaWF0IjoxNTE2MjM5MDIyfQ",
    "SflKxwRJSMeKKF2QT4fwpMeJf36POk6yJV_adQssw5c",
)
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
_PREFIX = re.compile(r"^[A-Za-z]{2,12}[_-]")


def shannon_entropy(text: str) -> float:
    """Bits per character."""
    if not text:
        return 0.0
    n = len(text)
    return -sum(c / n * math.log2(c / n) for c in Counter(text).values())


def is_placeholder(secret: str) -> bool:
    """Documented dummies and templates that are not a credential in any provider."""
    if (
        _PLACEHOLDER_WORDS.search(secret)
        or _TEMPLATING.search(secret)
        or _NOT_A_VALUE.search(secret)
        or _PLACEHOLDER_VALUE.match(secret)
        or _PLACEHOLDER_SHAPE.search(secret)
        or any(d in secret for d in _DOCUMENTED)
    ):
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
