"""Pattern checks shared by the rule loader and the engine.

Rules are written in Python ``re`` syntax restricted to what Hyperscan also
accepts, so one pattern serves both engines. The restriction is enforced
here, on the parsed pattern, so a rule author gets a clear message instead of
a silent difference between the two engines.
"""

from __future__ import annotations

import re
import re._constants as sre_constants
import re._parser as sre_parse
from typing import Any

from redline.core.lazy_regex import lazy

#: a window bigger than this is not believable for one token; unbounded patterns use it
MAX_WINDOW = 8192

_FORBIDDEN = {
    sre_constants.ASSERT: "lookahead/lookbehind",
    sre_constants.ASSERT_NOT: "negative lookahead/lookbehind",
    sre_constants.GROUPREF: "backreference",
    sre_constants.GROUPREF_EXISTS: "conditional group",
}
for _name, _what in (("ATOMIC_GROUP", "atomic group"), ("POSSESSIVE_REPEAT", "possessive quantifier")):
    if hasattr(sre_constants, _name):
        _FORBIDDEN[getattr(sre_constants, _name)] = _what

_NAMED_GROUP = lazy(r"\(\?P<([A-Za-z_][A-Za-z0-9_]*)>")
_OPEN_REPEAT = lazy(r"(?<!\\)\{,(\d+)\}")


class PatternError(ValueError):
    """The pattern is not valid, or uses syntax Hyperscan cannot compile."""


def check_pattern(pattern: str) -> tuple[re.Pattern[bytes], int]:
    """Compile ``pattern`` for bytes and return it with the widest match it can make.

    Raises ``PatternError`` naming what is wrong.
    """
    try:
        parsed = sre_parse.parse(pattern)
    except re.error as exc:
        raise PatternError(f"invalid regular expression: {exc}") from None
    names = dict(parsed.state.groupdict)
    if list(names) != ["secret"]:
        raise PatternError(f"needs exactly one named group 'secret', found {sorted(names) or 'none'}")
    found = _forbidden(parsed.data)
    if found:
        raise PatternError(f"uses {found}, which Hyperscan cannot compile")
    low, high = parsed.getwidth()
    if low == 0:
        raise PatternError("can match the empty string")
    if _group_min_width(parsed.data, names["secret"]) == 0:
        raise PatternError("the 'secret' group can match the empty string")
    try:
        compiled = re.compile(pattern.encode("utf-8"))
    except re.error as exc:  # e.g. \w with a str-only flag
        raise PatternError(f"cannot be used on bytes: {exc}") from None
    return compiled, min(high, MAX_WINDOW)


def hyperscan_expression(pattern: str) -> bytes:
    """The same pattern for Hyperscan: named groups become plain groups, ``{,n}`` becomes ``{0,n}``."""
    text = _NAMED_GROUP.sub("(?:", pattern)
    text = _OPEN_REPEAT.sub(r"{0,\1}", text)
    return text.encode("utf-8")


def _forbidden(items: Any) -> str:
    for op, av in items:
        if op in _FORBIDDEN:
            return _FORBIDDEN[op]
        for child in _children(op, av):
            found = _forbidden(child)
            if found:
                return found
    return ""


def _children(op: Any, av: Any) -> list[Any]:
    if op in (sre_constants.SUBPATTERN,):
        return [av[-1]]
    if op in (sre_constants.MAX_REPEAT, sre_constants.MIN_REPEAT):
        return [av[2]]
    if hasattr(sre_constants, "POSSESSIVE_REPEAT") and op == sre_constants.POSSESSIVE_REPEAT:
        return [av[2]]
    if op == sre_constants.BRANCH:
        return list(av[1])
    if hasattr(sre_constants, "ATOMIC_GROUP") and op == sre_constants.ATOMIC_GROUP:
        return [av]
    if op in (sre_constants.ASSERT, sre_constants.ASSERT_NOT):
        return [av[1]]
    return []


def _group_min_width(items: Any, group: int) -> int:
    """Minimum width of capturing group ``group``; -1 if absent."""
    for op, av in items:
        if op == sre_constants.SUBPATTERN and av[0] == group:
            return int(av[-1].getwidth()[0])
        for child in _children(op, av):
            width = _group_min_width(child, group)
            if width >= 0:
                return width
    return -1
