"""Whether a hit sits in a string the program names as an example: a tool's ``EXAMPLE_CONFIG_FILE = \"\"\"{ … }\"\"\"``
that it prints for ``--help`` (privacyIDEA's LinOTP migration script holds a MySQL URL with a password there), a
``SAMPLE_SETTINGS`` template, ``const exampleConfig = `…```. The program says what the value is for; the finding
takes the samples' context step (low, in their section, never gating) instead of being called a leak. Every family
asks, the provider formats too: a real credential pasted into an example is still listed, with its value's places.
"""

from __future__ import annotations

from redline.core.lazy_regex import lazy

#: an assignment of a string literal (Python, JavaScript/TypeScript, Go's ``:=``, Java fields): the name, the quote
_ASSIGNMENT = lazy(
    rb"(?m)^[ \t]*(?:(?:export|const|let|var|final|static|private|public)[ \t]+)*(?P<name>[A-Za-z_$][\w$]*)[ \t]*"
    rb"(?::[^=\n]{1,60})?:?=[ \t]*[rRbBuUfF]{0,2}(?P<quote>\"\"\"|'''|`|\"|')"
)
#: a name that says the value is an example
_EXAMPLE_NAME = lazy(rb"(?i)example|sample")
#: how far above a hit its assignment is looked for
_REACH = 8192


def in_example_constant(data: bytes, offset: int) -> bool:
    """The last assignment above ``offset`` whose name says example or sample opened a string literal that is still
    open at ``offset``: a triple-quoted string or template literal not closed yet, or a one-line string on the hit's
    own line."""
    opened = None
    for match in _ASSIGNMENT.finditer(data, max(0, offset - _REACH), offset):
        if _EXAMPLE_NAME.search(match["name"]):
            opened = match
    if opened is None:
        return False
    quote, body = opened["quote"], data[opened.end() : offset]
    if len(quote) == 1 and quote != b"`":
        return b"\n" not in body and quote not in body
    return quote not in body
