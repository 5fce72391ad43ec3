"""Whether a generic hit is a field of a sample request or response written as documentation.

Identity-provider clients document what the provider answers by pasting a sample response above the code that
reads it: casdoor's ``idp/*.go`` (``/* { "access_token": "d30bedaa…", "expires_in": 1630220614, … } */``), Grafana
OnCall's Mattermost backend (a docstring: ``Sample response { "access_token":"opoj5nbi…", "token_type":"bearer",
… }``). The values illustrate the format; a token response's access token expires within hours anyway. Both must
hold: the field sits in documentation (a ``/* */`` block comment, a Python triple-quoted string, or a line commented
with ``#``, ``//`` or ``*``), and its object is a sample — an ``access_token``, ``refresh_token`` or ``id_token``
beside a ``token_type`` or ``expires_in`` field (the shape of RFC 6749's token response), or any object the
documentation introduces as an example request or response just above it (Lemur's ``**Example response**:``
docstrings, a ``"passphrase"`` among them). Only generic rules ask: a provider's own token format (``ghp_``,
``xoxb-``) pasted there is still reported.
"""

from __future__ import annotations

from redline.checks.secrets.dummy_object import enclosing_object
from redline.core.lazy_regex import lazy

#: the field name right before the value (``"access_token": "`` / ``'refresh_token' : '``)
_TOKEN_FIELD = lazy(rb"""["'](?:access_token|refresh_token|id_token)["']\s{0,3}:\s{0,3}["']$""")
#: the fields that make an object a token response (RFC 6749, section 5.1)
_RESPONSE_FIELD = lazy(rb"""["'](?:token_type|expires_in)["']\s{0,3}:""")
#: how far above the object its introduction is looked for
_INTRO_REACH = 400
#: "Example response", "Sample request", "example output": the words API documentation introduces a sample with
_EXAMPLE_INTRO = lazy(rb"(?i)\b(?:example|sample)\s+(?:request|response|output|payload|reply)\b")
#: what opens a documentation block: the introduction is looked for after the last one only
_BLOCK_OPENERS = (b'"' * 3, b"'" * 3, b"/*")
#: how a commented line starts
_COMMENT_LINE = (b"#", b"//", b"*")


def in_documented_sample(data: bytes, start: int, end: int) -> bool:
    """The hit is a field of a sample object written in documentation. The object's shape is tested first (reads a
    few kilobytes around the hit); whether it sits in documentation last (reads the file up to the hit), so a file
    of many hits pays that only for the few that look like samples."""
    found = enclosing_object(data, start, end)
    if found is None:
        return False
    token_response = _TOKEN_FIELD.search(data[max(0, start - 40) : start]) and _RESPONSE_FIELD.search(data, *found)
    return bool(token_response or _introduced_as_example(data, found[0])) and _in_documentation(data, start)


def _introduced_as_example(data: bytes, opening: int) -> bool:
    """The documentation introduces the object as an example of a request or response in the lines just above it
    (``**Example response**:`` then ``.. sourcecode:: http`` and the body), within the same documentation block."""
    before = data[max(0, opening - _INTRO_REACH) : opening]
    for opener in _BLOCK_OPENERS:
        before = before.rpartition(opener)[2]
    return _EXAMPLE_INTRO.search(before) is not None


def _in_documentation(data: bytes, start: int) -> bool:
    """Inside a block comment (the last ``/*`` before ``start`` not closed yet), a Python triple-quoted string (an
    odd number of them opened before), or on a commented line."""
    if data.rfind(b"/*", 0, start) > data.rfind(b"*/", 0, start):
        return True
    if data.count(b'"' * 3, 0, start) % 2 or data.count(b"'" * 3, 0, start) % 2:
        return True
    line_start = data.rfind(b"\n", 0, start) + 1
    return data[line_start:start].lstrip().startswith(_COMMENT_LINE)
