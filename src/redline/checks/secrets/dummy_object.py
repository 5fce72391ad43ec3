"""Whether a credential sits in a JSON object whose identifying fields say it is a stand-in.

A service-account file copied into a chart's defaults or a test keeps the shape of a real one, private key
included (generated for the purpose), but its identifiers give it away: wikimedia's push-notifications chart
ships ``"project_id": "dummyproject"``, ``"private_key_id": "1111…"``, ``"client_email": "fff…@g111….com"``.
A real key file names a real project and key id. Only the object the credential is in is read.
"""

from __future__ import annotations

import re

from redline.core.lazy_regex import lazy
from redline.core.placeholders import looks_like_placeholder

#: how far the enclosing object's braces are looked for on either side
_REACH = 4096
#: the fields that identify a key file's account, project or key
_IDENTIFIER = lazy(
    rb'"(?:project_id|private_key_id|client_id|client_email|account_id|tenant_id|key_id)"\s{0,3}:\s{0,3}"([^"\\]{1,200})"'
)
#: one character repeated (``1111…``, ``ffff…``) as a whole value or as the local part of an address
_ONE_CHARACTER = re.compile(r"^(.)\1{7,}(?:@|$)")
_STAND_IN_WORD = re.compile(r"(?i)dummy|fake|example|placeholder")


def in_stand_in_object(data: bytes, start: int, end: int) -> bool:
    """The innermost JSON object around ``data[start:end]`` has an identifier that is a stand-in."""
    found = enclosing_object(data, start, end)
    if found is None:
        return False
    for m in _IDENTIFIER.finditer(data, *found):
        value = m.group(1).decode("utf-8", "replace")
        if _ONE_CHARACTER.match(value) or _STAND_IN_WORD.search(value) or looks_like_placeholder(value):
            return True
    return False


def enclosing_object(data: bytes, start: int, end: int) -> tuple[int, int] | None:
    """(start, end) of the innermost ``{...}`` around ``data[start:end]``, braces included, looked for within
    ``_REACH`` bytes on either side; None when there is none."""
    opening = _unmatched(data, range(start - 1, max(-1, start - _REACH), -1), b"{", b"}")
    closing = _unmatched(data, range(end, min(len(data), end + _REACH)), b"}", b"{")
    return (opening, closing + 1) if opening >= 0 and closing >= 0 else None


def _unmatched(data: bytes, positions: range, wanted: bytes, other: bytes) -> int:
    """The first ``wanted`` brace along ``positions`` that no ``other`` brace met on the way balances, or -1."""
    depth = 0
    for i in positions:
        ch = data[i : i + 1]
        if ch == other:
            depth += 1
        elif ch == wanted:
            if depth == 0:
                return i
            depth -= 1
    return -1
