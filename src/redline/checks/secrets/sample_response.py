"""Whether a generic token hit is a field of a sample OAuth token response written as documentation.

Identity-provider clients document what the provider answers by pasting a sample response above the code that
reads it: casdoor's ``idp/*.go`` (``/* { "access_token": "d30bedaa…", "expires_in": 1630220614, … } */``), Grafana
OnCall's Mattermost backend (a docstring: ``Sample response { "access_token":"opoj5nbi…", "token_type":"bearer",
… }``). The values illustrate the format; a token response's access token expires within hours anyway. What is
required, all of it: the value is an ``access_token``, ``refresh_token`` or ``id_token`` field; the field sits in
documentation (a ``/* */`` block comment, a Python triple-quoted string, or a line commented with ``#``, ``//`` or
``*``); and the same object has a ``token_type`` or ``expires_in`` field (the shape of RFC 6749's token response).
Only generic rules ask: a provider's own token format (``ghp_``, ``xoxb-``) pasted there is still reported.
"""

from __future__ import annotations

from redline.checks.secrets.dummy_object import enclosing_object
from redline.core.lazy_regex import lazy

#: the field name right before the value (``"access_token": "`` / ``'refresh_token' : '``)
_TOKEN_FIELD = lazy(rb"""["'](?:access_token|refresh_token|id_token)["']\s{0,3}:\s{0,3}["']$""")
#: the fields that make an object a token response (RFC 6749, section 5.1)
_RESPONSE_FIELD = lazy(rb"""["'](?:token_type|expires_in)["']\s{0,3}:""")
#: how a commented line starts
_COMMENT_LINE = (b"#", b"//", b"*")


def in_sample_token_response(data: bytes, start: int, end: int) -> bool:
    if not _TOKEN_FIELD.search(data[max(0, start - 40) : start]) or not _in_documentation(data, start):
        return False
    found = enclosing_object(data, start, end)
    return found is not None and _RESPONSE_FIELD.search(data, found[0], found[1]) is not None


def _in_documentation(data: bytes, start: int) -> bool:
    """Inside a block comment (the last ``/*`` before ``start`` not closed yet), a Python triple-quoted string (an
    odd number of them opened before), or on a commented line."""
    if data.rfind(b"/*", 0, start) > data.rfind(b"*/", 0, start):
        return True
    if data.count(b'"""', 0, start) % 2 or data.count(b"'''", 0, start) % 2:
        return True
    line_start = data.rfind(b"\n", 0, start) + 1
    return data[line_start:start].lstrip().startswith(_COMMENT_LINE)
